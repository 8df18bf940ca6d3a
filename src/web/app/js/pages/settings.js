// Settings: channels (secrets never shown back), sources and their write keys, the
// brand's API keys and rate limits, and (for editors) the operators.
import { h, clear, fmtTime, fmtNumber, field, select, showError, okBanner, badge, table } from '../dom.js';
import { api, dash, canChange, session } from '../api.js';

async function channelPanel(kind, label) {
  const box = h('section.panel', h('h2', { style: 'margin-top:0' }, label));
  try {
    const ch = await api('channel/get', { channel: kind });
    const rows = Object.entries(ch).filter(([k]) => k !== 'channel')
      .map(([k, v]) => [k, typeof v === 'object' && v !== null ? (Object.keys(v).length ? 'configured' : '–') : String(v)]);
    box.append(h('dl.fields', rows.flatMap(([k, v]) => [h('dt', k), h('dd', v)])));
  } catch (err) {
    box.append(h('p.muted', err.status === 404 ? 'Not configured.' : err.message));
  }
  return box;
}

function emailForm(onSaved) {
  const f = {};
  const input = (key, type = 'text') => (f[key] = h('input', { type, name: key, id: `email-${key}`,
    autocomplete: type === 'password' ? 'new-password' : 'off' }));
  const security = select({ id: 'email-security', name: 'security' }, ['starttls', 'tls', 'none'], 'starttls');
  const banner = h('div');
  const form = h('form.panel', h('h2', { style: 'margin-top:0' }, 'Set up email (SMTP)'),
    h('div.grid2', field('Host', input('host'), 'host'), field('Port', input('port', 'number'), 'port')),
    field('Security', security, 'security'),
    h('div.grid2', field('Username', input('username'), 'username'), field('Password', input('password', 'password'), 'password')),
    field('From', input('from'), 'from'), banner, h('button', { type: 'submit' }, 'Save email settings'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = { security: security.value };
    for (const [k, el] of Object.entries(f)) if (el.value !== '') body[k] = k === 'port' ? Number(el.value) : el.value;
    try {
      await api('channel/email', body);
      f.password.value = '';
      okBanner(banner, 'Saved. The password is stored and never shown again.');
      onSaved();
    } catch (err) { showError(form, banner, err); }
  });
  return form;
}

async function operatorsPanel() {
  const box = h('section.panel', h('h2', { style: 'margin-top:0' }, 'Operators'));
  const list = h('div');
  const draw = async () => {
    const { operators } = await dash('operator/list');
    clear(list, table(['Email', 'Role', 'Since', ''], h('tbody', operators.map((o) =>
      h('tr', h('td', o.email), h('td', badge(o.role)), h('td', fmtTime(o.created_at)),
        h('td', o.email === session.operator.email ? h('span.muted', 'you')
          : h('button.secondary.small', { type: 'button', onclick: async () => {
            if (!confirm(`Remove ${o.email}?`)) return;
            try { await dash('operator/remove', { email: o.email }); draw(); } catch (err) { alert(err.message); }
          } }, 'Remove')))))));
  };
  const email = h('input#operator-email', { type: 'email', name: 'email', autocomplete: 'off' });
  const password = h('input#operator-password', { type: 'password', name: 'password', autocomplete: 'new-password' });
  const role = select({ id: 'operator-role', name: 'role' }, ['viewer', 'editor'], 'viewer');
  const banner = h('div');
  const form = h('form', h('h2', 'Add an operator'),
    h('div.grid2', field('Email', email, 'email'), field('Password (10+ characters)', password, 'password')),
    field('Role', role, 'role'), banner, h('button', { type: 'submit' }, 'Add operator'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await dash('operator/create', { email: email.value.trim(), password: password.value, role: role.value });
      email.value = ''; password.value = '';
      okBanner(banner, 'Added.');
      draw();
    } catch (err) { showError(form, banner, err); }
  });
  box.append(list, form);
  await draw();
  return box;
}

export async function render(main) {
  const [brand, sources] = await Promise.all([api('brand/get'), api('source/list').catch(() => ({ sources: [] }))]);
  const channels = h('div.grid2');
  const drawChannels = async () => clear(channels, await Promise.all([channelPanel('email', 'Email'),
    channelPanel('sms', 'SMS'), channelPanel('push', 'Push')]));
  await drawChannels();
  clear(main,
    h('h1', 'Settings'),
    h('p.muted', `Brand ${brand.brand.name} · ${brand.brand.id}`),
    h('h2', 'Channels'), channels,
    canChange() ? emailForm(drawChannels) : null,
    h('h2', 'Sources (tracking SDKs)'),
    (sources.sources || []).length
      ? table(['Source', 'Id', 'Allowed origins', 'State', 'Created'], h('tbody', sources.sources.map((s) =>
        h('tr', h('td', s.name), h('td', h('code', s.id)), h('td', (s.allowed_origins || []).join(', ') || 'any'),
          h('td', s.revoked ? badge('revoked') : badge('yes')), h('td', fmtTime(s.created_at))))))
      : h('p.muted', 'No sources. Create one with: cdp source create --brand ID --name web'),
    h('h2', 'API keys'),
    table(['Key prefix', 'Created', 'Last used', 'State'], h('tbody', brand.keys.map((k) =>
      h('tr', h('td', h('code', k.prefix)), h('td', fmtTime(k.created_at)), h('td', fmtTime(k.last_used_at)),
        h('td', k.revoked_at ? badge('revoked') : badge('yes')))))),
    h('h2', 'Rate limits (per minute)'),
    table(['API group', '#Limit', ''], h('tbody', brand.limits.map((l) =>
      h('tr', h('td', l.group), h('td.num', l.per_minute ? fmtNumber(l.per_minute) : 'unlimited'),
        h('td.muted', l.default ? 'default' : 'set for this brand'))))),
    canChange() ? await operatorsPanel() : null);
}
