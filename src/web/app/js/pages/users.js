// Users: find a profile by userId, email or mobile.
import { h, clear, fmtTime, table, showError } from '../dom.js';
import { api } from '../api.js';

export function userHref(p) {
  return p.userId ? `#/users/u/${encodeURIComponent(p.userId)}`
    : `#/users/a/${encodeURIComponent(p.anonymousId)}`;
}

export async function render(main) {
  const q = h('input#user-query', { type: 'search', name: 'query', placeholder: 'userId, email or mobile',
    autocomplete: 'off', value: sessionStorage.getItem('cdp.userQuery') || '' });
  const banner = h('div');
  const results = h('div');
  const form = h('form.row', { role: 'search' },
    h('div.field', { style: 'flex:1', dataset: { field: 'query' } }, h('label', { for: 'user-query' }, 'Find a user'), q),
    h('button', { type: 'submit', style: 'align-self:flex-end' }, 'Search'));
  clear(main, h('h1', 'Users'), form, banner, results);

  async function search() {
    const query = q.value.trim();
    sessionStorage.setItem('cdp.userQuery', query);
    showError(form, banner, null);
    if (!query) { clear(results); return; }
    try {
      const { users } = await api('user/search', { query, limit: 50 });
      if (!users.length) { clear(results, h('p.muted', `No user matches “${query}”.`)); return; }
      clear(results, table(['User', 'Name', 'Email', 'Mobile', 'Last update'], h('tbody', users.map((p) =>
        h('tr', h('td', h('a', { href: userHref(p) }, p.userId || `anonymous ${p.anonymousId}`)),
          h('td', p.name || [p.firstName, p.lastName].filter(Boolean).join(' ') || '–'),
          h('td', p.email || '–'), h('td', p.mobile || '–'), h('td', fmtTime(p.updated_at)))))));
    } catch (err) {
      showError(form, banner, err);
    }
  }
  form.addEventListener('submit', (e) => { e.preventDefault(); search(); });
  q.focus();
  if (q.value) await search();
}
