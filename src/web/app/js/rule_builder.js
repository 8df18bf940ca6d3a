// The segment rule builder: edits a rule tree (docs/segments.md) in place. Groups are
// {all:[...]} or {any:[...]}, negation wraps a node in {not:...}; conditions are on an
// attribute, an event or reachability. Each node's element carries the rule path the
// server's errors name (rules.all[1]), so an error shows next to its condition.
import { h, clear, select } from './dom.js';

const STANDARD = [
  ['userId', 'string'], ['anonymousId', 'string'], ['name', 'string'], ['first_name', 'string'],
  ['last_name', 'string'], ['gender', 'string'], ['email', 'string'], ['mobile', 'string'],
  ['company', 'string'], ['hashed_email', 'string'], ['hashed_mobile', 'string'],
  ['email_opt_in', 'number'], ['sms_opt_in', 'number'], ['whatsapp_opt_in', 'number'],
  ['birth_date', 'date'], ['created_at', 'date'], ['updated_at', 'date']];
const STANDARD_TYPE = Object.fromEntries(STANDARD);
const OPS = {
  string: ['eq', 'neq', 'in', 'contains', 'starts_with', 'exists', 'not_exists', 'gt', 'gte', 'lt', 'lte'],
  number: ['eq', 'neq', 'in', 'gt', 'gte', 'lt', 'lte', 'between', 'exists', 'not_exists'],
  boolean: ['eq', 'neq', 'exists', 'not_exists'],
  date: ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'between', 'within_next_days', 'within_last_days',
    'more_than_days_ago', 'exists', 'not_exists'],
};
const NO_VALUE = new Set(['exists', 'not_exists']);
const DAYS = new Set(['within_next_days', 'within_last_days', 'more_than_days_ago']);
const EVENT_OPS = [['did', 'did'], ['did_not', 'did not do'], ['at_least', 'at least'],
  ['at_most', 'at most'], ['exactly', 'exactly'], ['last_more_than_days_ago', 'last did more than']];
const COUNTED = new Set(['at_least', 'at_most', 'exactly']);

export const emptyRule = () => ({ all: [] });

function typeOfValue(v) {
  const x = Array.isArray(v) ? v[0] : v;
  if (typeof x === 'number') return 'number';
  if (typeof x === 'boolean') return 'boolean';
  return 'string';
}

function parseValue(text, type) {
  const t = text.trim();
  if (type === 'number') return t === '' || Number.isNaN(Number(t)) ? t : Number(t);
  if (type === 'boolean') return t === 'true';
  return text;
}

function showValue(v) {
  return v == null ? '' : Array.isArray(v) ? v.map(String).join(', ') : String(v);
}

// An attribute condition's controls. `custom`: a name typed in; for event filters
// (`filter`) names have no "attributes." prefix and every name is custom.
function attributeControls(node, path, changed, rebuild, filter) {
  const isCustom = filter || !(node.attribute in STANDARD_TYPE);
  let type = filter || isCustom ? (node.type_hint || typeOfValue(node.value)) : STANDARD_TYPE[node.attribute];
  delete node.type_hint;
  const name = isCustom
    ? h('input', { type: 'text', 'aria-label': 'Attribute name', placeholder: 'attribute name',
      value: filter ? node.attribute : String(node.attribute || '').replace(/^attributes\./, ''),
      oninput: (e) => { node.attribute = filter ? e.target.value : `attributes.${e.target.value}`; changed(); } })
    : null;
  const fieldSelect = filter ? null : select({
    'aria-label': 'Attribute',
    onchange: (e) => {
      node.attribute = e.target.value === '*custom' ? 'attributes.' : e.target.value;
      rebuild();
    },
  }, [...STANDARD.map(([f]) => f), ['*custom', 'custom attribute…']], isCustom ? '*custom' : node.attribute);
  const typeSelect = isCustom ? select({
    'aria-label': 'Value type',
    onchange: (e) => { type = e.target.value; node.value = convert(node.value, type); node.type_hint = type; rebuild(); },
  }, [['string', 'text'], ['number', 'number'], ['boolean', 'true/false']], type) : null;
  const known = OPS[type] || OPS.string;
  if (node.op === undefined) node.op = known[0];
  // An operator typed in the JSON view that the builder does not offer stays as it is, so
  // that the server's error about it shows here instead of being silently replaced.
  const ops = known.includes(node.op) ? known : [...known, [node.op, `${node.op} (?)`]];
  const opSelect = select({ 'aria-label': 'Operator', onchange: (e) => {
    const before = node.op;
    node.op = e.target.value;
    if (NO_VALUE.has(node.op)) delete node.value;
    else if (DAYS.has(node.op) !== DAYS.has(before) || (node.op === 'between') !== (before === 'between') ||
      (node.op === 'in') !== (before === 'in')) node.value = DAYS.has(node.op) ? 30 : node.op === 'between' ? [0, 0] : node.op === 'in' ? [] : '';
    node.type_hint = type;
    rebuild();
  } }, ops, node.op);
  return [fieldSelect, name, typeSelect, opSelect, valueControls(node, type, changed)];
}

function convert(v, type) {
  if (Array.isArray(v)) return v.map((x) => parseValue(String(x), type));
  return v == null ? v : parseValue(String(v), type);
}

function valueControls(node, type, changed) {
  if (NO_VALUE.has(node.op)) return null;
  if (DAYS.has(node.op)) {
    return [h('input', { type: 'number', min: 0, 'aria-label': 'Days', value: node.value ?? 30,
      oninput: (e) => { node.value = Number(e.target.value); changed(); } }), 'days'];
  }
  const inputType = type === 'number' ? 'number' : 'text';
  if (node.op === 'between') {
    const v = Array.isArray(node.value) ? node.value : [node.value ?? '', ''];
    node.value = v;
    const part = (i, label) => h('input', { type: inputType, 'aria-label': label, value: showValue(v[i]),
      oninput: (e) => { node.value[i] = parseValue(e.target.value, type === 'date' ? 'string' : type); changed(); } });
    return [part(0, 'From'), 'and', part(1, 'To')];
  }
  if (node.op === 'in') {
    return h('input', { type: 'text', 'aria-label': 'Values, comma separated', placeholder: 'a, b, c',
      value: showValue(node.value), oninput: (e) => {
        node.value = e.target.value.split(',').map((s) => s.trim()).filter((s) => s !== '')
          .map((s) => parseValue(s, type === 'date' ? 'string' : type));
        changed();
      } });
  }
  if (type === 'boolean') {
    if (typeof node.value !== 'boolean') node.value = true;
    return select({ 'aria-label': 'Value', onchange: (e) => { node.value = e.target.value === 'true'; changed(); } },
      ['true', 'false'], String(node.value));
  }
  if (node.value === undefined) node.value = type === 'number' ? 0 : '';
  return h('input', { type: inputType, 'aria-label': 'Value', value: showValue(node.value),
    placeholder: type === 'date' ? '2026-01-31' : '',
    oninput: (e) => { node.value = parseValue(e.target.value, type === 'date' ? 'string' : type); changed(); } });
}

function eventControls(node, path, changed, rebuild) {
  const opSelect = select({ 'aria-label': 'Event operator', onchange: (e) => {
    node.op = e.target.value;
    if (COUNTED.has(node.op)) node.count = node.count ?? 1; else delete node.count;
    if (node.op === 'last_more_than_days_ago') { node.days = node.days ?? 30; delete node.within_days; } else delete node.days;
    rebuild();
  } }, EVENT_OPS, node.op);
  const name = h('input', { type: 'text', 'aria-label': 'Event name', placeholder: 'event name',
    value: node.event, oninput: (e) => { node.event = e.target.value; changed(); } });
  const count = COUNTED.has(node.op) ? [h('input', { type: 'number', min: 0, 'aria-label': 'Times',
    value: node.count ?? 1, oninput: (e) => { node.count = Number(e.target.value); changed(); } }), 'times'] : null;
  const days = node.op === 'last_more_than_days_ago'
    ? [h('input', { type: 'number', min: 0, 'aria-label': 'Days ago', value: node.days ?? 30,
      oninput: (e) => { node.days = Number(e.target.value); changed(); } }), 'days ago'] : null;
  const windowInput = node.op === 'last_more_than_days_ago' || node.from || node.to ? null
    : ['in the last', h('input', { type: 'number', min: 0, 'aria-label': 'Within days', placeholder: 'all time',
      value: node.within_days ?? '', oninput: (e) => {
        if (e.target.value === '') delete node.within_days; else node.within_days = Number(e.target.value);
        changed();
      } }), 'days'];
  const where = (node.where || []).map((f, i) => h('div.rule-cond', { dataset: { field: `${path}.where[${i}]` } },
    'where', attributeControls(f, `${path}.where[${i}]`, changed, rebuild, true),
    h('button.secondary.small', { type: 'button', 'aria-label': 'Remove filter',
      onclick: () => { node.where.splice(i, 1); if (!node.where.length) delete node.where; rebuild(); } }, '×')));
  const addWhere = h('button.secondary.small', { type: 'button', onclick: () => {
    (node.where ||= []).push({ attribute: '', op: 'eq', value: '' });
    rebuild();
  } }, '+ where');
  return [opSelect, name, count, days, windowInput, addWhere, where.length ? h('div', { style: 'flex-basis:100%;padding-left:1rem' }, where) : null];
}

const isNot = (n) => n && typeof n === 'object' && 'not' in n && Object.keys(n).length === 1;
const isGroup = (n) => n && typeof n === 'object' && (Array.isArray(n.all) || Array.isArray(n.any));

function small(label, onclick, aria) {
  return h('button.secondary.small', { type: 'button', onclick, 'aria-label': aria || null }, label);
}

function conditionRow(node, path, changed, rebuild, negate, remove) {
  let controls;
  if ('attribute' in node) controls = attributeControls(node, path, changed, rebuild, false);
  else if ('event' in node) controls = eventControls(node, path, changed, rebuild);
  else if ('reachable' in node) {
    controls = ['reachable by', select({ 'aria-label': 'Channel', onchange: (e) => { node.reachable = e.target.value; changed(); } },
      ['email', 'sms', 'whatsapp'], node.reachable)];
  } else controls = h('code', JSON.stringify(node));
  return h('div.rule-cond', { dataset: { field: path } }, controls,
    negate ? small('NOT', negate, 'Negate condition') : null,
    remove ? small('×', remove, 'Remove condition') : null);
}

// Draws holder[key], a node at rule path `path`; `remove` takes it out of its parent
// (null for the root).
function renderNode(holder, key, path, changed, rebuild, remove) {
  const node = holder[key];
  const negate = () => { holder[key] = { not: node }; rebuild(); };
  if (isNot(node)) {
    return h('div.rule-group.negated', { dataset: { field: path } },
      h('div.row', h('strong', 'NOT'), small('Remove NOT', () => { holder[key] = node.not; rebuild(); }),
        remove ? small('×', remove, 'Remove') : null),
      renderNode(node, 'not', `${path}.not`, changed, rebuild, null));
  }
  if (!isGroup(node)) return conditionRow(node || {}, path, changed, rebuild, negate, remove);
  const mode = Array.isArray(node.all) ? 'all' : 'any';
  const list = node[mode];
  const add = (child) => () => { list.push(child); rebuild(); };
  const header = h('div.row',
    h('span', 'Match'),
    h('span.inline', select({ 'aria-label': 'Match all or any', onchange: (e) => {
      delete node[mode];
      node[e.target.value] = list;
      rebuild();
    } }, [['all', 'all'], ['any', 'any']], mode)),
    h('span', 'of these'),
    small('+ Attribute', add({ attribute: 'email', op: 'exists' })),
    small('+ Event', add({ event: '', op: 'did' })),
    small('+ Reachable', add({ reachable: 'email' })),
    small('+ Group', add({ any: [] })),
    small('NOT', negate, 'Negate group'),
    remove ? small('×', remove, 'Remove group') : null);
  const children = list.map((_, i) => renderNode(list, i, `${path}.${mode}[${i}]`, changed, rebuild,
    () => { list.splice(i, 1); rebuild(); }));
  return h('div.rule-group', { dataset: { field: path } }, header,
    children.length ? children
      : h('p.muted', mode === 'all' ? 'No conditions: every profile matches.' : 'No conditions: no profile matches.'));
}

// Builds the editor into `el` over rules.rule (mutated in place); calls onChange() after
// every edit. Returns redraw(), for when the rule is replaced from outside (the JSON view).
export function ruleBuilder(el, rules, onChange) {
  const redraw = () => {
    clear(el, renderNode(rules, 'rule', 'rules', onChange, () => { redraw(); onChange(); }, null));
  };
  redraw();
  return redraw;
}

// The rule as sent to the server: without the builder's own hints.
export function cleanRule(rule) {
  return JSON.parse(JSON.stringify(rule, (k, v) => (k === 'type_hint' ? undefined : v)));
}
