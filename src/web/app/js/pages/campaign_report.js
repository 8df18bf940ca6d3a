// A campaign's report: KPI tiles, a timeline chart, the top links and the CSV download.
import { h, clear, fmtNumber, fmtPercent, fmtTime, badge, table, showError } from '../dom.js';
import { api, download, canChange } from '../api.js';
import { timeChart } from '../charts.js';

const SERIES = [['sent', 'Sent'], ['delivered', 'Delivered'], ['opens', 'Opens'], ['clicks', 'Clicks'],
  ['bounced', 'Bounced'], ['unsubscribed', 'Unsubscribed'], ['failed', 'Failed']];

export async function render(main, id) {
  const r = await api('report/campaign', { campaign_id: id });
  const started = r.started_at ? Date.parse(r.started_at) : null;
  const recent = started && Date.now() - started < 3 * 86400e3;
  const t = await api('report/timeline', { campaign_id: id, interval: recent ? 'hour' : 'day' })
    .catch(() => ({ points: [] }));
  const rates = r.rates || {};
  const tile = (label, value, note) => h('div.tile', h('div.label', label), h('div.value', value),
    note ? h('div.muted', note) : null);
  const banner = h('div');
  const csv = h('button.secondary', { type: 'button', onclick: async () => {
    try { await download('report/campaign', { campaign_id: id }, `${id}.csv`); } catch (err) { showError(main, banner, err); }
  } }, 'Download CSV');
  const points = t.points || [];
  const times = points.map((p) => Date.parse(p.time) / 1000);
  const series = SERIES.filter(([k]) => points.some((p) => p[k] > 0))
    .map(([k, label]) => ({ label, values: points.map((p) => p[k]) }));
  const skipped = Object.entries(r.skipped_by_reason || {});
  clear(main,
    h('p', h('a', { href: '#/campaigns' }, '← Campaigns')),
    h('div.row.spread', h('div.row', h('h1', r.name), badge(r.status)),
      h('div.row', canChange() && (r.status === 'draft' || r.status === 'scheduled')
        ? h('a.button.secondary', { href: `#/campaigns/${encodeURIComponent(id)}/edit` }, 'Edit') : null, csv)),
    h('p.muted', `${r.channel} · started ${fmtTime(r.started_at)}${r.finished_at ? ` · finished ${fmtTime(r.finished_at)}` : ''}`),
    banner,
    h('div.tiles#kpis',
      tile('Sent', fmtNumber(r.sent), `of ${fmtNumber(r.targeted)} targeted`),
      tile('Delivered', fmtPercent(rates.delivery_rate), fmtNumber(r.delivered)),
      tile('Opened', fmtPercent(rates.open_rate), `${fmtNumber(r.unique_opens)} people`),
      tile('Clicked', fmtPercent(rates.click_rate), `${fmtNumber(r.unique_clicks)} people`),
      tile('Bounced', fmtPercent(rates.bounce_rate), fmtNumber(r.bounced)),
      tile('Unsubscribed', fmtPercent(rates.unsubscribe_rate), fmtNumber(r.unsubscribed)),
      tile('Conversions', fmtNumber(r.conversions), fmtPercent(rates.conversion_rate))),
    h('div.panel', h('h2', { style: 'margin-top:0' }, 'Over time'),
      series.length ? timeChart(times, series, { height: 240 }) : h('p.muted', 'Nothing has happened yet.')),
    h('div.grid2',
      h('section', h('h2', 'Top links'), (r.top_links || []).length
        ? table(['Link', '#Clicks', '#People'], h('tbody', r.top_links.map((l) =>
          h('tr', h('td', { style: 'word-break:break-all' }, l.url), h('td.num', fmtNumber(l.clicks)), h('td.num', fmtNumber(l.unique_clicks))))))
        : h('p.muted', 'No clicks yet.')),
      h('section', h('h2', 'Not sent'), table(['Why', '#Messages'], h('tbody',
        h('tr', h('td', 'Still queued'), h('td.num', fmtNumber(r.queued))),
        h('tr', h('td', 'Failed'), h('td.num', fmtNumber(r.failed))),
        skipped.map(([why, n]) => h('tr', h('td', `Skipped: ${why}`), h('td.num', fmtNumber(n)))))))));
}
