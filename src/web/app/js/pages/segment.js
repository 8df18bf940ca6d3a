// One segment: the rule builder, its count as the rule changes, and the rule as JSON beside
// it (editable: a valid rule typed there redraws the builder).
import { h, clear, fmtNumber, field, showError, okBanner, debounce } from '../dom.js';
import { api, canChange } from '../api.js';
import { ruleBuilder, cleanRule, emptyRule } from '../rule_builder.js';

export async function render(main, id) {
  const isNew = id === 'new';
  const seg = isNew ? { name: '', rules: emptyRule() } : await api('segment/get', { segment_id: id });
  const state = { rule: seg.rules };
  const editor = canChange();
  const name = h('input#segment-name', { type: 'text', name: 'name', value: seg.name, maxlength: 100, disabled: !editor });
  const banner = h('div');
  const count = h('div.count#segment-count', { 'aria-live': 'polite' }, '…');
  const countNote = h('div.muted', 'profiles match now');
  const json = h('textarea#segment-json', { 'aria-label': 'Rule as JSON', spellcheck: 'false', rows: 18 });
  const jsonNote = h('div.field-error');
  const builderEl = h('div#rule-builder');
  const form = h('form');

  let counting = 0;
  const recount = debounce(async () => {
    const mine = ++counting;
    try {
      const c = await api('segment/count', { rules: cleanRule(state.rule) });
      if (mine !== counting) return;
      clear(count, fmtNumber(c.count));
      showError(form, banner, null);
    } catch (err) {
      if (mine !== counting) return;
      clear(count, '–');
      showError(form, banner, err);
    }
  }, 250);
  const changed = () => {
    json.value = JSON.stringify(cleanRule(state.rule), null, 2);
    clear(jsonNote);
    recount();
  };
  const redraw = ruleBuilder(builderEl, state, changed);
  json.addEventListener('input', () => {
    try {
      const parsed = JSON.parse(json.value);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('a rule is a JSON object');
      state.rule = parsed;
      clear(jsonNote);
      redraw();
      recount();
    } catch (e) {
      clear(jsonNote, `Not a rule yet: ${e.message}`);
    }
  });

  const save = h('button', { type: 'submit' }, isNew ? 'Create segment' : 'Save');
  const del = isNew ? null : h('button.danger', { type: 'button', onclick: async () => {
    if (!confirm(`Delete the segment “${seg.name}”?`)) return;
    try {
      await api('segment/delete', { segment_id: id });
      location.hash = '#/segments';
    } catch (err) { showError(form, banner, err); }
  } }, 'Delete');
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = { name: name.value.trim(), rules: cleanRule(state.rule) };
    try {
      if (isNew) {
        const r = await api('segment/create', body);
        location.hash = `#/segments/${encodeURIComponent(r.segment_id)}`;
      } else {
        await api('segment/update', { segment_id: id, ...body });
        okBanner(banner, 'Saved.');
      }
    } catch (err) { showError(form, banner, err); }
  });

  clear(form,
    field('Name', name, 'name'),
    h('div.builder',
      h('section', { 'aria-label': 'Rule' }, h('h2', 'Who is in it'), h('div', { dataset: { field: 'rules' } }, builderEl)),
      h('aside',
        h('div.panel', count, countNote),
        h('label', { for: 'segment-json' }, 'Rule (JSON)'), json, jsonNote)),
    banner,
    editor ? h('div.row', { style: 'margin-top:1rem' }, save, del)
      : h('p.muted', 'You can read this segment; a viewer cannot change it.'));
  clear(main, h('p', h('a', { href: '#/segments' }, '← Segments')),
    h('h1', isNew ? 'New segment' : seg.name), form);
  changed();
}
