// One user: standard fields, custom attributes, consent per channel, push subscriptions,
// segments, the last events and the messages they received.
import { h, clear, fmtTime, badge, table } from '../dom.js';
import { api } from '../api.js';

const standard = ['name', 'firstName', 'lastName', 'gender', 'birthDate', 'email', 'mobile', 'company',
  'hashed_email', 'hashed_mobile'];
const consent = [['email_opt_in', 'Email'], ['sms_opt_in', 'SMS'], ['whatsapp_opt_in', 'WhatsApp']];
const optInText = { 0: 'opted out', 1: 'opted in', 2: 'bounced' };

function fields(pairs) {
  return h('dl.fields', pairs.flatMap(([k, v]) => [h('dt', k), h('dd', v == null || v === '' ? '–' : v)]));
}

function value(v) {
  return typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
}

export async function render(main, kind, id) {
  const key = kind === 'u' ? { userId: id } : { anonymousId: id };
  const p = await api('user/userData', key);
  const [segs, subs] = await Promise.all([
    api('user/segments', key).catch((e) => ({ error: e })),
    api('push/list', key).catch((e) => ({ error: e }))]);
  const events = h('div');
  const messages = h('div');
  clear(main,
    h('p', h('a', { href: '#/users' }, '← Users')),
    h('h1', p.userId || `Anonymous ${p.anonymousId}`),
    h('div.grid2',
      h('section.panel', h('h2', { style: 'margin-top:0' }, 'Profile'),
        fields([['userId', p.userId], ['anonymousId', p.anonymousId],
          ...standard.map((f) => [f, p[f]]), ['created', fmtTime(p.created_at)], ['updated', fmtTime(p.updated_at)]])),
      h('div',
        h('section.panel', h('h2', { style: 'margin-top:0' }, 'Consent'),
          fields(consent.map(([f, label]) => [label, p[f] == null ? 'not set'
            : h('span', badge(p[f] === 1 ? 'yes' : 'no'), ' ', optInText[p[f]] || String(p[f]))]))),
        h('section.panel', h('h2', { style: 'margin-top:0' }, 'Custom attributes'),
          Object.keys(p.attributes || {}).length
            ? fields(Object.entries(p.attributes).map(([k, v]) => [k, value(v)]))
            : h('p.muted', 'None.')),
        h('section.panel', h('h2', { style: 'margin-top:0' }, 'Segments'),
          segs.error ? h('p.muted', segs.error.message)
            : segs.segments.length ? h('ul', segs.segments.map((s) =>
              h('li', h('a', { href: `#/segments/${encodeURIComponent(s.segment_id)}` }, s.name))))
              : h('p.muted', 'In no saved segment.')),
        h('section.panel', h('h2', { style: 'margin-top:0' }, 'Push subscriptions'),
          subs.error ? h('p.muted', subs.error.message)
            : subs.subscriptions.length ? h('ul', subs.subscriptions.map((s) =>
              h('li', badge(s.platform), ' ', s.endpoint || s.token || s.subscription_id,
                h('span.muted', ` since ${fmtTime(s.created_at)}`))))
              : h('p.muted', 'None.')))),
    h('h2', 'Last events'), events,
    h('h2', 'Messages received'), messages);

  await Promise.all([loadEvents(events, key), loadMessages(messages, key)]);
}

async function loadEvents(el, key, cursor) {
  const page = await api('user/events', { ...key, limit: 100, ...(cursor ? { cursor } : {}) });
  if (!page.events.length && !cursor) { clear(el, h('p.muted', 'No events.')); return; }
  const more = page.next_cursor
    ? h('button.secondary.small', { type: 'button', onclick: () => loadEvents(el, key, page.next_cursor) }, 'Older events')
    : null;
  clear(el, table(['When', 'Event', 'Attributes'], h('tbody', page.events.map((e) =>
    h('tr', h('td', fmtTime(e.time)), h('td', e.event),
      h('td', h('code', Object.keys(e.attributes || {}).length ? JSON.stringify(e.attributes) : ''))))),),
  h('div.pager', cursor ? h('button.secondary.small', { type: 'button', onclick: () => loadEvents(el, key) }, 'Newest') : null, more));
}

async function loadMessages(el, key, cursor) {
  const page = await api('user/messages', { ...key, limit: 50, ...(cursor ? { cursor } : {}) });
  if (!page.messages.length && !cursor) { clear(el, h('p.muted', 'No messages.')); return; }
  const feedback = (m) => (m.feedback || []).map((f) => h('span', badge(f.kind), ' '));
  clear(el, table(['When', 'Campaign', 'Channel', 'State', 'Afterwards'], h('tbody', page.messages.map((m) =>
    h('tr', h('td', fmtTime(m.updated_at)),
      h('td', h('a', { href: `#/campaigns/${encodeURIComponent(m.campaign_id)}` }, m.campaign_name || m.campaign_id)),
      h('td', m.channel), h('td', badge(m.status), m.reason ? h('span.muted', ` ${m.reason}`) : null),
      h('td', feedback(m)))))),
  h('div.pager', cursor ? h('button.secondary.small', { type: 'button', onclick: () => loadMessages(el, key) }, 'Newest') : null,
    page.next_cursor ? h('button.secondary.small', { type: 'button', onclick: () => loadMessages(el, key, page.next_cursor) }, 'Older messages') : null));
}
