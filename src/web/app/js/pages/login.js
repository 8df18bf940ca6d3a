// The sign-in page: a form with an email field, a password field and a submit button.
import { h, clear } from '../dom.js';
import { signIn } from '../api.js';

export function renderLogin(app, done) {
  const email = h('input#email', { type: 'email', name: 'email', autocomplete: 'username', required: true });
  const password = h('input#password', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const banner = h('div');
  const submit = h('button', { type: 'submit' }, 'Sign in');
  const form = h('form.panel', { method: 'post', action: '#', novalidate: true },
    h('label', { for: 'email' }, 'Email'), email,
    h('label', { for: 'password' }, 'Password'), password,
    banner, h('div.row', { style: 'margin-top:1rem' }, submit));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(banner);
    submit.disabled = true;
    try {
      await signIn(email.value.trim(), password.value);
      done();
    } catch (err) {
      banner.append(h('div.banner.error', { role: 'alert' }, err.message));
      password.value = '';
      password.focus();
    } finally {
      submit.disabled = false;
    }
  });
  clear(app, h('main.login#main', h('h1', 'Sign in to cdp'), form));
  email.focus();
}
