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

// A form that replaces one channel's settings (POST /channel/KIND); secrets are write-only.
function channelForm(kind, title, fields, onSaved) {
  const inputs = {};
  const banner = h('div');
  const controls = fields.map(([key, label, type, options]) => {
    const id = `${kind}-${key}`;
    const el = type === 'select' ? select({ id, name: key }, options, options[0])
      : type === 'json' ? h('textarea', { id, name: key, rows: 8, placeholder: options })
        : h('input', { id, name: key, type, autocomplete: type === 'password' ? 'new-password' : 'off' });
    inputs[key] = [el, type];
    return field(label, el, key);
  });
  const form = h('form.panel', h('h2', { style: 'margin-top:0' }, title), controls, banner,
    h('button', { type: 'submit' }, `Save ${kind} settings`));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    let body = {};
    try {
      for (const [key, [el, type]] of Object.entries(inputs)) {
        if (el.value === '') continue;
        if (type === 'json') body = { ...body, ...JSON.parse(el.value) };
        else body[key] = type === 'number' ? Number(el.value) : el.value;
      }
    } catch (err) {
      showError(form, banner, { message: `The JSON is not valid: ${err.message}` });
      return;
    }
    try {
      await api(`channel/${kind}`, body);
      for (const [el, type] of Object.values(inputs)) if (type === 'password' || type === 'json') el.value = '';
      okBanner(banner, 'Saved. Secrets are stored and never shown again.');
      onSaved();
    } catch (err) { showError(form, banner, err); }
  });
  return form;
}

function channelForms(onSaved) {
  return h('details', h('summary', 'Change channel settings'),
    h('div.grid2',
      channelForm('email', 'Email (SMTP)', [['host', 'Host', 'text'], ['port', 'Port', 'number'],
        ['security', 'Security', 'select', ['starttls', 'tls', 'none']], ['username', 'Username', 'text'],
        ['password', 'Password', 'password'], ['from', 'From', 'text']], onSaved),
      channelForm('sms', 'SMS (Twilio format)', [['url', 'Provider URL (optional)', 'text'],
        ['account_sid', 'Account SID', 'text'], ['auth_token', 'Auth token', 'password'],
        ['from', 'From number', 'text']], onSaved)),
    channelForm('push', 'Push (web, android, ios)', [['settings', 'Settings as JSON (docs/push.md)', 'json',
      '{"web": {"vapid_subject": "mailto:ops@example.com"}}']], onSaved));
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
    canChange() ? channelForms(drawChannels) : null,
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
