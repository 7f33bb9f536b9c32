// Đăng nhập. Needs the network once; afterwards the phone works offline. Signing in again after
// the session expired never touches the visits waiting on the phone. For an account with
// two-step verification the server answers otp_required: the screen then asks for the code
// (or a recovery code) and signs in again with it.
import { h, icon, redraw, replaceChildren } from '../shared/dom.js';
import { supportContact } from './phone.js';

const FAILURE_KEYS = {
  invalid: 'login.error.invalid',
  lastTry: 'login.error.lastTry',
  locked: 'login.error.locked',
  rate_limited: 'login.error.rateLimited',
  invalid_otp: 'login.error.invalidOtp',
  otp_already_used: 'login.error.otpUsed',
  otpMissing: 'login.error.otpMissing',
  offline: 'login.error.offline',
  server: 'login.error.server',
  other: 'login.error.other',
};

export function safeNext(next) {
  return typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login')
    ? next
    : '/'; // '/' sends each role to its own first screen
}

export default function loginScreen(ctx, { query }) {
  const root = h('section', { class: 'screen', 'aria-labelledby': 'screen-title' });
  const state = { username: '', password: '', showPassword: false, busy: false, failure: null, detail: '', otpStep: false, otp: '' };
  const next = safeNext(query.get('next'));

  async function signIn(otp) {
    state.busy = true;
    state.failure = null;
    draw();
    try {
      await ctx.login(state.username, state.password, otp);
      state.password = '';
      state.otp = '';
      ctx.navigate(next, { replace: true, force: true }); // a user who must enrol lands on /account
    } catch (err) {
      state.busy = false;
      const reason = err?.reason ?? 'other';
      if (reason === 'otp_required') {
        state.otpStep = true;
        state.failure = null;
      } else {
        if (['invalid', 'lastTry', 'locked', 'rate_limited'].includes(reason)) state.otpStep = false;
        state.failure = reason === 'invalid' && err?.attemptsLeft === 2 ? 'triesLeft' : reason;
      }
      state.attemptsLeft = err?.attemptsLeft ?? null;
      // The error's code, for whoever helps: the server's message is in English.
      state.detail = ['other', 'server'].includes(state.failure) ? String(err?.cause?.code ?? '') : '';
      state.otp = '';
      const typedOtp = root.querySelector('#login-otp');
      if (typedOtp) typedOtp.value = '';
      if (!state.otpStep) state.password = '';
      const typed = root.querySelector('#login-password');
      if (typed && !state.otpStep) typed.value = '';
      draw();
      const field = root.querySelector(
        state.otpStep ? '#login-otp'
          : ['invalid', 'triesLeft', 'lastTry'].includes(state.failure) ? '#login-password' : '#login-username');
      field?.focus();
    }
  }

  async function submitOtp(event) {
    event.preventDefault();
    if (state.busy) return;
    state.otp = event.currentTarget.elements.otp.value.trim();
    if (!state.otp) {
      state.failure = 'otpMissing';
      draw();
      root.querySelector('#login-otp')?.focus();
      return;
    }
    await signIn(state.otp);
  }

  function otpForm(failureText) {
    const { t } = ctx;
    return [
      h('p', { class: 'lead' }, t('login.otp.intro', { name: state.username })),
      h('form', { class: 'form', novalidate: true, onsubmit: submitOtp, 'aria-busy': state.busy ? 'true' : null },
        h('div', { class: 'field' },
          h('label', { class: 'field__label', htmlFor: 'login-otp' }, t('login.otp.label')),
          h('input', {
            id: 'login-otp', name: 'otp', type: 'text', inputmode: 'text', autocomplete: 'one-time-code',
            autocapitalize: 'none', autocorrect: 'off', spellcheck: 'false', maxlength: '24', required: true,
            value: state.otp, enterkeyhint: 'done',
            'aria-invalid': state.failure ? 'true' : null,
            'aria-describedby': failureText ? 'login-error' : null,
          })),
        h('p', { id: 'login-error', class: 'error-box', role: 'alert', hidden: !failureText }, failureText ? icon('alert') : null, failureText),
        h('button', { type: 'submit', class: 'btn btn--primary btn--block', disabled: state.busy },
          t(state.busy ? 'login.busy' : 'login.otp.submit'))),
      h('p', { class: 'row' },
        h('button', { type: 'button', class: 'btn btn--ghost', disabled: state.busy, onclick: () => {
          Object.assign(state, { otpStep: false, password: '', otp: '', failure: null });
          draw();
          root.querySelector('#login-username')?.focus();
        } }, t('login.otp.back'))),
    ];
  }

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
    await signIn(undefined);
  }

  function draw() {
    const { t } = ctx;
    const typedName = root.querySelector('#login-username');
    const typedPassword = root.querySelector('#login-password');
    if (typedName) state.username = typedName.value;
    if (typedPassword) state.password = typedPassword.value;
    const typedOtp = root.querySelector('#login-otp');
    if (typedOtp && state.otpStep) state.otp = typedOtp.value;
    const session = ctx.app.session;
    const pending = ctx.app.status.pending;
    const failureText =
      state.failure === 'missing'
        ? t('login.error.missing')
        : state.failure === 'triesLeft'
          ? t('login.error.triesLeft', { count: state.attemptsLeft })
          : state.failure
          ? t(FAILURE_KEYS[state.failure] ?? FAILURE_KEYS.other) + (state.detail ? ` (${t('login.error.code', { code: state.detail })})` : '')
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

    if (state.otpStep) {
      replaceChildren(root,
        h('h2', { id: 'screen-title', class: 'screen__title', tabindex: '-1' }, t('login.otp.title')),
        otpForm(failureText));
      return;
    }
    replaceChildren(
      root,
      h('h2', { id: 'screen-title', class: 'screen__title', tabindex: '-1' }, t('login.title')),
      session && !session.expired
        ? h(
            'div',
            { class: 'card card--ok' },
            h('p', { class: 'card__text' }, icon('user'), ' ', t('login.signedInAs', { name: session.user.display_name || session.user.username })),
            h('div', { class: 'row' },
              h('a', { class: 'btn', href: '/' }, t('login.continue')),
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
