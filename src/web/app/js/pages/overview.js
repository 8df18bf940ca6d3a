// Overview: the brand's profiles, events and messages in a range, events per day, and the
// campaigns sending or scheduled.
import { h, clear, fmtNumber, fmtTime, badge, select, table } from '../dom.js';
import { api } from '../api.js';
import { timeChart } from '../charts.js';

const ranges = [['7', 'Last 7 days'], ['30', 'Last 30 days'], ['90', 'Last 90 days']];

export async function render(main, days = '30') {
  const body = h('div');
  const picker = select({ 'aria-label': 'Range', onchange: (e) => load(e.target.value) }, ranges, days);
  clear(main, h('div.row.spread', h('h1', 'Overview'), h('div.inline', picker)), body);

  async function load(d) {
    const to = new Date();
    const from = new Date(to.getTime() - Number(d) * 86400e3);
    const o = await api('report/overview', { from: from.toISOString(), to: to.toISOString() });
    const m = o.messages || {};
    const tile = (label, value) => h('div.tile', h('div.label', label), h('div.value', fmtNumber(value)));
    const perDay = o.events_per_day || [];
    clear(body,
      h('div.tiles', tile('Profiles', o.profiles), tile('Events in range', o.events),
        tile('Messages sent', m.sent), tile('Failed', m.failed), tile('Skipped', m.skipped),
        tile('Queued', m.queued)),
      h('div.panel', h('h2', { style: 'margin-top:0' }, 'Events per day'),
        timeChart(perDay.map((p) => Date.parse(`${p.day}T00:00:00Z`) / 1000),
          [{ label: 'Events', values: perDay.map((p) => p.count) }], { bars: true, title: '' })),
      h('h2', 'Campaigns sending or scheduled'),
      (o.campaigns || []).length === 0
        ? h('p.muted', 'None right now. ', h('a', { href: '#/campaigns/new' }, 'Create a campaign'))
        : table(['Campaign', 'Channel', 'Status', 'Starts'], h('tbody', o.campaigns.map((c) =>
          h('tr', h('td', h('a', { href: `#/campaigns/${encodeURIComponent(c.campaign_id)}` }, c.name)),
            h('td', c.channel), h('td', badge(c.status)), h('td', fmtTime(c.started_at || c.send_at)))))));
  }
  await load(days);
}
