// The dashboard's calls to the server. Every /api/v1 call of the API is also
// /dashboard/api/v1/PATH, authenticated by the session cookie; each carries the session's
// CSRF token. Answers use the API's envelope: data on success, else an ApiError.

export class ApiError extends Error {
  constructor(status, message, data) {
    super(message);
    this.status = status;
    this.data = data;
    // "content.subject: required for email" names the field content.subject.
    const m = /^([A-Za-z_][\w.[\]]*): /.exec(message);
    this.field = m ? m[1] : '';
  }
}

export const session = { csrf: '', operator: null, brand: null, expires_at: null };

async function parse(res) {
  const text = await res.text();
  let body = null;
  try { body = JSON.parse(text); } catch { /* not JSON */ }
  const r = body && body.response;
  if (!res.ok || !r || r.status !== 'success') {
    if (res.status === 401 && session.operator) {
      session.operator = null;
      window.dispatchEvent(new Event('cdp:signed-out'));
    }
    throw new ApiError(res.status, (r && r.message) || `HTTP ${res.status}`, r && r.data);
  }
  return r.data;
}

function headers() {
  return { 'Content-Type': 'application/json', 'X-CSRF-Token': session.csrf };
}

// POST /dashboard/api/v1/PATH with `body`; resolves to the answer's data.
export async function api(path, body = {}) {
  const res = await fetch(`/dashboard/api/v1/${path}`, {
    method: 'POST', headers: headers(), body: JSON.stringify(body), credentials: 'same-origin',
  });
  return parse(res);
}

// A dashboard-only call: POST /dashboard/api/PATH.
export async function dash(path, body = {}) {
  const res = await fetch(`/dashboard/api/${path}`, {
    method: 'POST', headers: headers(), body: JSON.stringify(body), credentials: 'same-origin',
  });
  return parse(res);
}

// The same call answered as CSV ("format":"csv"), saved as `filename`.
export async function download(path, body, filename) {
  const res = await fetch(`/dashboard/api/v1/${path}`, {
    method: 'POST', headers: headers(), body: JSON.stringify({ ...body, format: 'csv' }),
    credentials: 'same-origin',
  });
  if (!res.ok) return parse(res);
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
  return null;
}

function remember(data) {
  session.csrf = data.csrf_token;
  session.operator = data.operator;
  session.brand = data.brand;
  session.expires_at = data.expires_at;
  return data;
}

export async function loadSession() {
  const res = await fetch('/dashboard/api/session', { credentials: 'same-origin' });
  if (res.status === 401) return null;
  return remember(await parse(res));
}

export async function signIn(email, password) {
  const res = await fetch('/dashboard/api/session/login', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password }), credentials: 'same-origin',
  });
  return remember(await parse(res));
}

export async function signOut() {
  try { await dash('session/logout'); } finally {
    session.csrf = '';
    session.operator = null;
  }
}

export const canChange = () => session.operator && session.operator.role === 'editor';
