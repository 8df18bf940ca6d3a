// Segments: every saved segment with its live count.
import { h, clear, fmtNumber, fmtTime, pageRows, table } from '../dom.js';
import { api, canChange } from '../api.js';

export async function render(main) {
  const { segments } = await api('segment/list');
  const tbody = h('tbody');
  const nav = h('div.pager');
  clear(main,
    h('div.row.spread', h('h1', 'Segments'),
      canChange() ? h('a.button', { href: '#/segments/new' }, 'New segment') : null),
    segments.length ? [table(['Segment', '#Users now', 'Updated'], tbody), nav]
      : h('p.muted', 'No segments yet.'));
  pageRows(segments, 20, tbody, nav, (s) => {
    const count = h('td.num', { 'aria-busy': 'true' }, '…');
    api('segment/count', { segment_id: s.segment_id })
      .then((c) => { clear(count, fmtNumber(c.count)); count.removeAttribute('aria-busy'); })
      .catch((e) => clear(count, h('span.muted', e.message)));
    return h('tr', h('td', h('a', { href: `#/segments/${encodeURIComponent(s.segment_id)}` }, s.name)),
      count, h('td', fmtTime(s.updated_at)));
  });
}
