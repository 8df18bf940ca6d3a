// Campaigns: every campaign, newest first, with its status and key figures.
import { h, clear, fmtNumber, fmtTime, badge, pageRows, table } from '../dom.js';
import { api, canChange } from '../api.js';

export async function render(main) {
  const { campaigns } = await api('campaign/list');
  const tbody = h('tbody');
  const nav = h('div.pager');
  clear(main,
    h('div.row.spread', h('h1', 'Campaigns'),
      canChange() ? h('a.button', { href: '#/campaigns/new' }, 'New campaign') : null),
    campaigns.length
      ? [table(['Campaign', 'Channel', 'Status', '#Targeted', '#Sent', '#Failed', '#Skipped', 'When'], tbody), nav]
      : h('p.muted', 'No campaigns yet.'));
  pageRows(campaigns, 20, tbody, nav, (c) => {
    const href = c.status === 'draft' || c.status === 'scheduled'
      ? `#/campaigns/${encodeURIComponent(c.campaign_id)}/edit` : `#/campaigns/${encodeURIComponent(c.campaign_id)}`;
    return h('tr', h('td', h('a', { href }, c.name)), h('td', c.channel), h('td', badge(c.status)),
      h('td.num', fmtNumber(c.counts.targeted)), h('td.num', fmtNumber(c.counts.sent)),
      h('td.num', fmtNumber(c.counts.failed)), h('td.num', fmtNumber(c.counts.skipped)),
      h('td', fmtTime(c.started_at || c.send_at || c.created_at)));
  });
}
