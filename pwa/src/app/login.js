// Đăng nhập. Needs the network once; afterwards the phone works offline. Signing in again after
// the session expired never touches the visits waiting on the phone.
import { h, icon, redraw, replaceChildren } from '../shared/dom.js';
import { supportContact } from './phone.js';

const FAILURE_KEYS = {
  invalid: 'login.error.invalid',
  lastTry: 'login.error.lastTry',
  locked: 'login.error.locked',
  rate_limited: 'login.error.rateLimited',
  offline: 'login.error.offline',
  other: 'login.error.other',
};

export function safeNext(next) {
  return typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login')
    ? next
    : '/'; // '/' sends each role to its own first screen
}

export default function loginScreen(ctx, { query }) {
  const root = h('section', { class: 'screen', 'aria-labelledby': 'screen-title' });
  const state = { username: '', password: '', showPassword: false, busy: false, failure: null, detail: '' };
  const next = safeNext(query.get('next'));

  async function submit(event) {
    event.preventDefault();
    if (state.busy) return;
    const form = event.currentTarget;
    state.username = form.elements.username.value.trim();
    state.password = form.elements.password.value;
    if (!state.username || !state.password) {
      state.failure = 'missing';
      draw();
      (state.username ? form.elements.password : form.elements.username).focus();
      return;
    }
    if (navigator.onLine === false) {
      state.failure = 'offline';
      draw();
      return;
    }
    state.busy = true;
    state.failure = null;
    draw();
    try {
      await ctx.login(state.username, state.password);
      state.password = '';
      ctx.navigate(next, { replace: true, force: true });
    } catch (err) {
      state.busy = false;
      state.failure = err?.reason ?? 'other';
      if (state.failure === 'invalid' && err?.attemptsLeft === 2) state.failure = 'triesLeft';
      state.attemptsLeft = err?.attemptsLeft ?? null;
      state.detail = state.failure === 'other' ? String(err?.message ?? '') : '';
      const typed = root.querySelector('#login-password');
      if (typed) typed.value = '';
      draw();
      const field = root.querySelector(['invalid', 'triesLeft', 'lastTry'].includes(state.failure) ? '#login-password' : '#login-username');
      field?.focus();
    }
  }

  function draw() {
    const { t } = ctx;
    const typedName = root.querySelector('#login-username');
    const typedPassword = root.querySelector('#login-password');
    if (typedName) state.username = typedName.value;
    if (typedPassword) state.password = typedPassword.value;
    const session = ctx.app.session;
    const pending = ctx.app.status.pending;
    const failureText =
      state.failure === 'missing'
        ? t('login.error.missing')
        : state.failure === 'triesLeft'
          ? t('login.error.triesLeft', { count: state.attemptsLeft })
          : state.failure
          ? t(FAILURE_KEYS[state.failure] ?? FAILURE_KEYS.other) + (state.detail ? ` (${state.detail})` : '')
          : '';

    const passwordInput = h('input', {
      id: 'login-password',
      name: 'password',
      type: state.showPassword ? 'text' : 'password',
      autocomplete: 'current-password',
      required: true,
      value: state.password,
      'aria-invalid': ['invalid', 'triesLeft', 'lastTry'].includes(state.failure) ? 'true' : null,
      'aria-describedby': failureText ? 'login-error' : null,
    });
    const revoked = session?.expired && session.reason === 'token_revoked';
    const expiredKey = revoked ? 'login.revoked' : 'login.expired';
    const contact = supportContact();

    replaceChildren(
      root,
      h('h2', { id: 'screen-title', class: 'screen__title', tabindex: '-1' }, t('login.title')),
      session && !session.expired
        ? h(
            'div',
            { class: 'card card--ok' },
            h('p', { class: 'card__text' }, icon('user'), ' ', t('login.signedInAs', { name: session.user.display_name || session.user.username })),
            h('div', { class: 'row' },
              h('a', { class: 'btn', href: '/markets' }, t('login.continue')),
              h('button', { type: 'button', class: 'btn btn--ghost', onclick: () => ctx.logout() }, t('login.logout')),
            ),
          )
        : null,
      session && session.expired
        ? h('p', { class: 'note note--warn', role: revoked ? 'alert' : null }, icon('alert'), h('span', null,
            pending > 0 ? t(`${expiredKey}Pending`, { count: pending }) : t(expiredKey)))
        : [
            h('p', { class: 'lead' }, t('login.intro')),
            h('ul', { class: 'login__roles' },
              ['inspector', 'ward', 'city', 'admin'].map((role) => h('li', null, t(`login.roles.${role}`)))),
          ],
      h(
        'form',
        { class: 'form', novalidate: true, onsubmit: submit, 'aria-busy': state.busy ? 'true' : null },
        h('div', { class: 'field' },
          h('label', { class: 'field__label', htmlFor: 'login-username' }, t('login.username')),
          h('input', {
            id: 'login-username',
            name: 'username',
            type: 'text',
            autocomplete: 'username',
            autocapitalize: 'none',
            autocorrect: 'off',
            spellcheck: 'false',
            enterkeyhint: 'next',
            required: true,
            value: state.username || session?.user?.username || '',
            'aria-invalid': state.failure === 'invalid' ? 'true' : null,
            'aria-describedby': failureText ? 'login-error' : null,
          }),
        ),
        h('div', { class: 'field' },
          h('label', { class: 'field__label', htmlFor: 'login-password' }, t('login.password')),
          h('div', { class: 'input-with-button' },
            passwordInput,
            h('button', {
              type: 'button',
              class: 'btn btn--ghost btn--small',
              'aria-pressed': String(state.showPassword),
              'aria-controls': 'login-password',
              onclick: () => {
                state.showPassword = !state.showPassword;
                state.username = root.querySelector('#login-username').value;
                state.password = passwordInput.value;
                draw();
                root.querySelector('#login-password').focus();
              },
            }, t(state.showPassword ? 'login.hidePassword' : 'login.showPassword')),
          ),
        ),
        h('p', { id: 'login-error', class: 'error-box', role: 'alert', hidden: !failureText }, failureText ? icon('alert') : null, failureText),
        h('button', { type: 'submit', class: 'btn btn--primary btn--block', disabled: state.busy },
          t(state.busy ? 'login.busy' : 'login.submit')),
      ),
      h('p', { class: 'hint' }, t('login.offlineHint')),
      h('div', { class: 'card login__help' },
        h('h3', { id: 'login-help-title', class: 'login__helpTitle' }, t('login.help.title')),
        h('p', null, contact ? t('login.help.contact', { contact }) : t('login.help.noContact'))),
    );
  }

  let shownPending = ctx.app.status.pending;
  function onStatus(status) {
    if (status.pending === shownPending) return;
    shownPending = status.pending;
    redraw(root, draw);
  }

  draw();
  // The help contact arrives with the server's health answer (kept for offline use).
  const onHealth = () => redraw(root, draw);
  return { root, titleKey: 'login.title', draw: () => redraw(root, draw), onStatus, onHealth };
}
