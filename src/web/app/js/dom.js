// Small DOM helpers: h() builds elements, and the formatting every page shares. Text is
// always set as text (never as HTML), so values from the server cannot inject markup.

// h('button.secondary#save', {onclick, type: 'button'}, 'Save', child, ...)
export function h(spec, attrs, ...children) {
  if (attrs == null || typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs)) {
    if (attrs != null) children.unshift(attrs);
    attrs = {};
  }
  const [tag, ...rest] = spec.split(/(?=[.#])/);
  const el = document.createElement(tag || 'div');
  for (const part of rest) {
    if (part[0] === '.') el.classList.add(part.slice(1));
    else el.id = part.slice(1);
  }
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'value') el.value = v;
    else if (k === 'checked' || k === 'selected' || k === 'disabled') el[k] = !!v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c == null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function clear(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

export function fmtNumber(n) {
  return n == null ? '–' : Number(n).toLocaleString('en-US');
}

export function fmtPercent(rate) {
  return rate == null ? '–' : `${(rate * 100).toFixed(1)}%`;
}

// An API time (ISO-8601 or micros) as local date and time.
export function fmtTime(t) {
  if (t == null || t === '') return '–';
  const d = typeof t === 'number' ? new Date(t / 1000) : new Date(t);
  if (Number.isNaN(d.getTime())) return String(t);
  return d.toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
}

export function badge(text) {
  return h(`span.badge.${String(text).replace(/[^a-z_]/gi, '')}`, text);
}

// A select with `options` ([value, label] pairs or values); `value` selected.
export function select(attrs, options, value) {
  return h('select', attrs, options.map((o) => {
    const [v, label] = Array.isArray(o) ? o : [o, o];
    return h('option', { value: v, selected: v === value }, label);
  }));
}

// A labelled form field; `name` is the API field path its errors name (content.subject).
export function field(labelText, control, name) {
  const id = control.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  control.id = id;
  return h('div.field', { dataset: { field: name || '' } },
    h('label', { for: id }, labelText), control);
}

// Shows `err` (an ApiError) next to the field of `root` it names, else in `banner`.
// Field paths match by longest prefix: "content.subject: ..." lands on [data-field=content.subject],
// "rules.all[1].op: ..." on [data-field="rules.all[1]"] when that is the closest one.
export function showError(root, banner, err) {
  for (const old of root.querySelectorAll('.field-error')) old.remove();
  for (const old of root.querySelectorAll('[aria-invalid]')) old.removeAttribute('aria-invalid');
  clear(banner);
  if (!err) return;
  const path = err.field || '';
  let best = null;
  if (path) {
    for (const el of root.querySelectorAll('[data-field]')) {
      const f = el.dataset.field;
      if (!f) continue;
      if ((path === f || path.startsWith(`${f}.`) || path.startsWith(`${f}[`)) &&
          (!best || f.length > best.dataset.field.length)) best = el;
    }
  }
  const msg = h('div.field-error', { role: 'alert' }, err.message);
  if (best) {
    best.append(msg);
    const control = best.querySelector('input, select, textarea');
    if (control) control.setAttribute('aria-invalid', 'true');
  } else {
    banner.append(h('div.banner.error', { role: 'alert' }, err.message));
  }
}

export function okBanner(banner, text) {
  clear(banner, h('div.banner.ok', { role: 'status' }, text));
}

// A client-side pager over `items`, `size` a page: renders rows with `row(item)` into a
// tbody and Previous/Next buttons into `nav`.
export function pageRows(items, size, tbody, nav, row) {
  let page = 0;
  const pages = Math.max(1, Math.ceil(items.length / size));
  const draw = () => {
    clear(tbody, items.slice(page * size, (page + 1) * size).map(row));
    clear(nav,
      h('button.secondary.small', { type: 'button', disabled: page === 0, onclick: () => { page--; draw(); } }, 'Previous'),
      h('span.muted', `Page ${page + 1} of ${pages} · ${fmtNumber(items.length)} in all`),
      h('button.secondary.small', { type: 'button', disabled: page >= pages - 1, onclick: () => { page++; draw(); } }, 'Next'));
  };
  draw();
}

export function table(headers, tbody) {
  return h('div.table-wrap', h('table',
    h('thead', h('tr', headers.map((c) => (c.startsWith('#') ? h('th.num', c.slice(1)) : h('th', c))))),
    tbody));
}

export function debounce(fn, ms) {
  let t = null;
  return (...args) => { clearTimeout(t); t = setTimeout(() => fn(...args), ms); };
}
