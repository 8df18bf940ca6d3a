// The dashboard's shell: signs in, draws the navigation and routes #/PATH to a page.
// Each page module exports render(main, ...params) and draws into `main`.
import { h, clear } from './dom.js';
import { loadSession, session, signOut } from './api.js';
import { renderLogin } from './pages/login.js';
import * as overview from './pages/overview.js';
import * as users from './pages/users.js';
import * as user from './pages/user.js';
import * as segments from './pages/segments.js';
import * as segment from './pages/segment.js';
import * as campaigns from './pages/campaigns.js';
import * as campaignEdit from './pages/campaign_edit.js';
import * as report from './pages/campaign_report.js';
import * as settings from './pages/settings.js';

const app = document.getElementById('app');

// [pattern, page, nav section]; the first match wins.
const routes = [
  [/^$/, overview, 'overview'],
  [/^users$/, users, 'users'],
  [/^users\/(u|a)\/(.+)$/, user, 'users'],
  [/^segments$/, segments, 'segments'],
  [/^segments\/(new|[^/]+)$/, segment, 'segments'],
  [/^campaigns$/, campaigns, 'campaigns'],
  [/^campaigns\/new$/, campaignEdit, 'campaigns'],
  [/^campaigns\/([^/]+)\/edit$/, campaignEdit, 'campaigns'],
  [/^campaigns\/([^/]+)$/, report, 'campaigns'],
  [/^settings$/, settings, 'settings'],
];

const sections = [['overview', '#/', 'Overview'], ['users', '#/users', 'Users'],
  ['segments', '#/segments', 'Segments'], ['campaigns', '#/campaigns', 'Campaigns'],
  ['settings', '#/settings', 'Settings']];

function shell(current) {
  const main = h('main#main', { tabindex: '-1' });
  const nav = h('nav.nav', { 'aria-label': 'Sections' },
    h('div.brand', 'cdp', h('small', session.brand ? session.brand.name : '')),
    sections.map(([key, href, label]) =>
      h('a', { href, 'aria-current': key === current ? 'page' : null }, label)),
    h('div.who', h('span', `${session.operator.email} · ${session.operator.role}`),
      h('button.secondary.small', { type: 'button', onclick: async () => { await signOut(); route(); } },
        'Sign out')));
  clear(app, h('div.layout', nav, main));
  return main;
}

let generation = 0;

async function route() {
  const mine = ++generation;
  if (!session.operator && !(await loadSession())) {
    renderLogin(app, () => route());
    return;
  }
  const path = decodeURIComponent(location.hash.replace(/^#\/?/, '')).replace(/\/$/, '');
  for (const [pattern, page, section] of routes) {
    const m = pattern.exec(path);
    if (!m) continue;
    const main = shell(section);
    try {
      await page.render(main, ...m.slice(1));
    } catch (err) {
      if (mine !== generation) return;
      if (err.status === 401) return route();
      clear(main, h('h1', 'Something went wrong'), h('div.banner.error', { role: 'alert' }, err.message));
    }
    return;
  }
  const main = shell('');
  clear(main, h('h1', 'Not found'), h('p', h('a', { href: '#/' }, 'Back to the overview')));
}

window.addEventListener('hashchange', route);
window.addEventListener('cdp:signed-out', () => route());
route();
