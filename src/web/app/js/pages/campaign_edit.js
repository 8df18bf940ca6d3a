// Create or edit a campaign: audience (a segment or a list of userIds), channel, content
// with a preview rendered for a real profile, then save, send now, schedule or cancel.
import { h, clear, field, select, showError, okBanner, badge } from '../dom.js';
import { api, canChange } from '../api.js';

const CHANNELS = [['email', 'Email'], ['sms', 'SMS'], ['web', 'Web push'], ['android', 'Android push'], ['ios', 'iOS push']];
const CONTENT = {
  email: [['subject', 'Subject', 'input'], ['html', 'HTML body', 'textarea'], ['text', 'Text body', 'textarea'],
    ['from', 'From (optional)', 'input'], ['reply_to', 'Reply-To (optional)', 'input']],
  sms: [['text', 'Text', 'textarea']],
  push: [['title', 'Title', 'input'], ['message', 'Message', 'textarea'], ['url', 'Link (optional)', 'input'],
    ['image', 'Image URL (optional)', 'input']],
};
const contentFields = (channel) => CONTENT[channel] || CONTENT.push;

// A datetime-local value as an instant with the browser's offset: 2026-12-24T09:00:00+05:30.
function withOffset(local) {
  const d = new Date(local);
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  const pad = (n) => String(Math.floor(Math.abs(n))).padStart(2, '0');
  return `${local.length === 16 ? `${local}:00` : local}${sign}${pad(off / 60)}:${pad(off % 60)}`;
}

export async function render(main, id) {
  const isNew = !id;
  const [camp, segs] = await Promise.all([
    isNew ? null : api('campaign/get', { campaign_id: id }),
    api('segment/list')]);
  const c = camp || { name: '', channel: 'email', target: { segment_id: '' }, content: {}, status: 'draft' };
  const editable = canChange() && (c.status === 'draft' || c.status === 'scheduled');
  const banner = h('div');
  const form = h('form');

  const name = h('input#campaign-name', { type: 'text', name: 'name', value: c.name, disabled: !editable });
  const channel = select({ id: 'campaign-channel', name: 'channel', disabled: !editable || !isNew }, CHANNELS, c.channel);
  const useList = Array.isArray(c.target && c.target.user_ids);
  const audience = select({ id: 'campaign-audience', disabled: !editable },
    [['segment', 'A saved segment'], ['users', 'A list of userIds']], useList ? 'users' : 'segment');
  const segment = select({ id: 'campaign-segment', name: 'segment', disabled: !editable },
    [['', '— choose a segment —'], ...segs.segments.map((s) => [s.segment_id, s.name])], (c.target && c.target.segment_id) || '');
  const userIds = h('textarea#campaign-users', { rows: 3, disabled: !editable, placeholder: 'one userId per line or comma',
    value: useList ? c.target.user_ids.join('\n') : '' });
  const targetBox = h('div');
  const drawTarget = () => clear(targetBox, audience.value === 'segment'
    ? field('Segment', segment, 'target.segment_id') : field('userIds', userIds, 'target.user_ids'));
  audience.addEventListener('change', drawTarget);
  drawTarget();

  const contentBox = h('div');
  const inputs = {};
  const drawContent = () => {
    const values = { ...c.content };
    for (const [k, el] of Object.entries(inputs)) values[k] = el.value;
    for (const k of Object.keys(inputs)) delete inputs[k];
    clear(contentBox, contentFields(channel.value).map(([key, label, kind]) => {
      const el = h(kind === 'input' ? 'input' : 'textarea', { type: kind === 'input' ? 'text' : null,
        id: `content-${key}`, name: key, value: values[key] || '', disabled: !editable,
        rows: key === 'html' ? 8 : 3 });
      inputs[key] = el;
      return field(label, el, `content.${key}`);
    }));
  };
  channel.addEventListener('change', drawContent);
  drawContent();

  const body = () => {
    const content = {};
    for (const [k, el] of Object.entries(inputs)) if (el.value !== '') content[k] = el.value;
    const target = audience.value === 'segment' ? { segment_id: segment.value }
      : { user_ids: userIds.value.split(/[\s,]+/).filter(Boolean) };
    return { name: name.value.trim(), channel: channel.value, target, content };
  };

  // Preview for a real profile.
  const previewUser = h('input#preview-user', { type: 'text', placeholder: 'userId', autocomplete: 'off' });
  const previewOut = h('div#preview');
  const previewBanner = h('div');
  const preview = async () => {
    showError(form, previewBanner, null);
    const b = body();
    try {
      const r = await api('campaign/preview', { userId: previewUser.value.trim(), channel: b.channel, content: b.content });
      const rendered = r.rendered || {};
      clear(previewOut,
        h('p', r.reachable ? badge('yes') : badge('no'), ' ',
          r.reachable ? 'This profile would get the message.' : `This profile would be skipped: ${r.reason || 'not reachable'}.`),
        b.channel === 'email' ? [
          h('dl.fields', h('dt', 'Subject'), h('dd#preview-subject', rendered.subject || ''),
            rendered.from ? [h('dt', 'From'), h('dd', rendered.from)] : null),
          rendered.html ? h('iframe.preview', { title: 'HTML preview', sandbox: '', srcdoc: rendered.html }) : null,
          rendered.text ? h('pre', rendered.text) : null]
          : h('dl.fields', Object.entries(rendered).flatMap(([k, v]) => [h('dt', k), h('dd', typeof v === 'string' ? v : JSON.stringify(v))])));
    } catch (err) {
      clear(previewOut);
      showError(form, previewBanner, err.field === 'userId' || err.status === 404 ? { message: err.message } : err);
    }
  };

  const save = async () => {
    const b = body();
    if (isNew) {
      const r = await api('campaign/create', b);
      return r.campaign_id;
    }
    const { channel: _, ...rest } = b;
    await api('campaign/update', { campaign_id: id, ...rest });
    return id;
  };
  const act = (fn) => async (e) => {
    if (e) e.preventDefault();
    showError(form, banner, null);
    try { await fn(); } catch (err) { showError(form, banner, err); }
  };
  const when = h('input#campaign-send-at', { type: 'datetime-local', disabled: !editable });
  if (c.send_at) {
    const d = new Date(c.send_at);
    when.value = new Date(d.getTime() - d.getTimezoneOffset() * 60e3).toISOString().slice(0, 16);
  }
  const saveButton = h('button', { type: 'submit' }, isNew ? 'Save draft' : 'Save');
  const sendButton = h('button#send-now', { type: 'button', onclick: act(async () => {
    const cid = await save();
    await api('campaign/send', { campaign_id: cid });
    location.hash = `#/campaigns/${encodeURIComponent(cid)}`;
  }) }, 'Send now');
  const scheduleButton = h('button.secondary#schedule', { type: 'button', onclick: act(async () => {
    if (!when.value) throw Object.assign(new Error('send_at: choose a date and time'), { field: 'send_at' });
    const cid = await save();
    await api('campaign/schedule', { campaign_id: cid, send_at: withOffset(when.value) });
    location.hash = `#/campaigns/${encodeURIComponent(cid)}/edit`;
    if (!isNew) render(main, cid);
  }) }, 'Schedule');
  const cancelButton = !isNew && (c.status === 'scheduled' || c.status === 'sending') && canChange()
    ? h('button.danger', { type: 'button', onclick: act(async () => {
      if (!confirm('Cancel this campaign?')) return;
      await api('campaign/cancel', { campaign_id: id });
      location.hash = `#/campaigns/${encodeURIComponent(id)}`;
    }) }, 'Cancel campaign') : null;
  form.addEventListener('submit', act(async () => {
    const cid = await save();
    if (isNew) location.hash = `#/campaigns/${encodeURIComponent(cid)}/edit`;
    else okBanner(banner, 'Saved.');
  }));

  clear(form,
    h('div.grid2',
      h('section',
        field('Name', name, 'name'), field('Channel', channel, 'channel'),
        field('Audience', audience, 'target'), targetBox,
        h('h2', 'Content'), h('p.muted', 'Templates: {{ firstName | default: "there" }}, {{ attributes.plan }}.'),
        contentBox),
      h('section',
        h('h2', 'Preview'),
        h('div.row', h('div', { style: 'flex:1' }, field('For the profile of', previewUser, 'userId')),
          h('button.secondary', { type: 'button', style: 'align-self:flex-end', onclick: preview }, 'Preview')),
        previewBanner, previewOut)),
    banner,
    editable ? h('div.panel.row', saveButton, sendButton,
      h('span.inline', field('Send at (your time)', when, 'send_at')), scheduleButton, cancelButton)
      : h('div.row', cancelButton, h('p.muted', canChange() ? `This campaign is ${c.status}; it can no longer be edited.`
        : 'You can read this campaign; a viewer cannot change it.')));
  clear(main, h('p', h('a', { href: '#/campaigns' }, '← Campaigns')),
    h('div.row', h('h1', isNew ? 'New campaign' : c.name), isNew ? null : badge(c.status),
      isNew ? null : h('a', { href: `#/campaigns/${encodeURIComponent(id)}` }, 'Report')),
    form);
}
