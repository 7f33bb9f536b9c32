// Tài khoản (/account): who is signed in, two-factor sign-in (turn on with the QR code and a
// code, see the recovery codes once; turn off with a code), and signing out. A user whose role
// must have a second factor is sent here until they have one (main.js).
import * as account from '../store.js';
import { cleanCode, codeKind, groupSecret, mustEnrol, qrPath, recoveryText } from '../totp.js';
import { h, icon, replaceChildren, saveBlob } from '../../../shared/dom.js';

const SVG_NS = 'http://www.w3.org/2000/svg';

function qrSvg(uri, label) {
  const { size, path } = qrPath(uri);
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', `0 0 ${size} ${size}`);
  svg.setAttribute('class', 'totp-qr');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  svg.setAttribute('shape-rendering', 'crispEdges');
  const back = document.createElementNS(SVG_NS, 'rect');
  back.setAttribute('width', String(size));
  back.setAttribute('height', String(size));
  back.setAttribute('fill', '#fff');
  const modules = document.createElementNS(SVG_NS, 'path');
  modules.setAttribute('d', path);
  modules.setAttribute('fill', '#000');
  svg.append(back, modules);
  return svg;
}

function downloadText(text, filename) {
  saveBlob(new Blob([text], { type: 'text/plain;charset=utf-8' }), filename);
}

export default function accountScreen(ctx) {
  const root = h('section', { class: 'screen screen--account', 'aria-labelledby': 'screen-title' });
  // step: loading | off | enrolling | codes | on
  const state = { step: 'loading', me: null, enrolment: null, codes: [], code: '', busy: false, error: '', done: '' };

  const user = () => state.me ?? ctx.app.session?.user ?? {};

  async function load() {
    try {
      state.me = await account.getMe();
      state.step = state.me.totp?.enabled ? 'on' : 'off';
      await ctx.setTotp(state.me.totp);
    } catch (err) {
      state.error = ctx.t('account.error', { message: String(err?.message ?? err) });
      state.step = 'off';
    }
    draw();
  }

  async function run(action) {
    if (state.busy) return;
    state.busy = true;
    state.error = '';
    state.done = '';
    draw();
    try {
      await action();
    } catch (err) {
      state.error = err?.code === 'invalid_otp' ? ctx.t('totp.badCode') : String(err?.message ?? err);
    } finally {
      state.busy = false;
      draw();
      (root.querySelector('[aria-invalid="true"]') ?? root.querySelector('.error-box:not([hidden])') ?? root.querySelector('[data-focus]'))?.focus();
    }
  }

  const start = () => run(async () => {
    state.enrolment = await account.startTotp();
    state.step = 'enrolling';
    state.code = '';
  });

  function confirm(event) {
    event.preventDefault();
    state.code = event.currentTarget.elements.code.value;
    if (codeKind(state.code) !== 'code') {
      state.error = ctx.t('totp.codeShape');
      draw();
      root.querySelector('#totp-code')?.focus();
      return;
    }
    run(async () => {
      const { recovery_codes: codes } = await account.confirmTotp(cleanCode(state.code));
      state.codes = codes;
      state.enrolment = null; // the secret is forgotten by the page as soon as it is not needed
      state.step = 'codes';
      state.me = { ...user(), totp: { ...(user().totp ?? {}), enabled: true } };
      await ctx.setTotp(state.me.totp);
    });
  }

  function disable(event) {
    event.preventDefault();
    const typed = event.currentTarget.elements.code.value;
    if (!codeKind(typed)) {
      state.error = ctx.t('totp.codeShape');
      draw();
      return;
    }
    if (!window.confirm(ctx.t('totp.disableConfirm'))) return;
    run(async () => {
      await account.disableTotp(cleanCode(typed));
      state.step = 'off';
      state.me = { ...user(), totp: { ...(user().totp ?? {}), enabled: false } };
      state.done = ctx.t('totp.disabled');
      await ctx.setTotp(state.me.totp);
    });
  }

  function codeField(id, label, help) {
    return h('div', { class: 'field' },
      h('label', { class: 'field__label', htmlFor: id }, label),
      h('input', {
        id, name: 'code', type: 'text', inputmode: id === 'totp-code' ? 'numeric' : 'text', autocomplete: 'one-time-code',
        autocapitalize: 'none', spellcheck: 'false', maxlength: '24', required: true, value: state.code,
        'aria-invalid': state.error ? 'true' : null, 'aria-describedby': `${id}-help`,
      }),
      h('p', { id: `${id}-help`, class: 'field__help' }, help));
  }

  function totpSection() {
    const { t } = ctx;
    const enabled = Boolean(user().totp?.enabled);
    const parts = [
      h('h3', { class: 'list-title' }, t('totp.title'), ' ',
        h('span', { class: `chip chip--${enabled ? 'ok' : 'wait'}` }, icon(enabled ? 'check' : 'lock'), h('span', null, t(enabled ? 'totp.on' : 'totp.off')))),
    ];
    if (mustEnrol(user())) parts.push(h('p', { class: 'note note--warn', role: 'alert' }, icon('alert'), h('span', null, t('totp.required'))));
    if (state.done) parts.push(h('p', { class: 'note note--ok', role: 'status' }, icon('check'), h('span', null, state.done)));
    const error = h('p', { class: 'error-box', role: 'alert', hidden: !state.error, tabindex: '-1' }, state.error ? icon('alert') : null, state.error);

    if (state.step === 'loading') parts.push(h('p', { class: 'empty' }, t('account.loading')));
    if (state.step === 'off') {
      parts.push(h('p', { class: 'hint' }, t('totp.why')), error,
        h('button', { type: 'button', class: 'btn btn--primary', id: 'totp-start', disabled: state.busy, onclick: start, 'data-focus': '' },
          icon('lock'), t(state.busy ? 'totp.starting' : 'totp.start')));
    }
    if (state.step === 'enrolling' && state.enrolment) {
      const { secret, otpauth_uri: uri } = state.enrolment;
      parts.push(
        h('p', { class: 'totp-step' }, t('totp.step1')),
        h('div', { class: 'totp-qr-box' }, qrSvg(uri, t('totp.qrLabel'))),
        h('p', { class: 'hint' }, t('totp.secretLabel')),
        h('p', null, h('code', { class: 'totp-secret', id: 'totp-secret' }, groupSecret(secret))),
        h('p', { class: 'totp-step' }, t('totp.step2')),
        h('form', { class: 'form', novalidate: true, onsubmit: confirm },
          codeField('totp-code', t('totp.code'), t('totp.codeHelp')),
          error,
          h('div', { class: 'row' },
            h('button', { type: 'submit', class: 'btn btn--primary', disabled: state.busy }, t(state.busy ? 'totp.confirming' : 'totp.confirm')),
            h('button', { type: 'button', class: 'btn btn--ghost', disabled: state.busy, onclick: () => { state.step = 'off'; state.enrolment = null; state.error = ''; draw(); } }, t('totp.cancel')))),
      );
    }
    if (state.step === 'codes') {
      parts.push(
        h('p', { class: 'note note--ok', role: 'status' }, icon('check'), h('span', null, t('totp.enabled'))),
        h('h4', { class: 'totp-codes__title', tabindex: '-1', 'data-focus': '' }, t('totp.recoveryTitle')),
        h('p', { class: 'note note--warn' }, icon('alert'), h('span', null, t('totp.recoveryWarn'))),
        h('ol', { class: 'totp-codes', id: 'recovery-codes' }, state.codes.map((c) => h('li', null, h('code', null, c)))),
        h('div', { class: 'row' },
          h('button', { type: 'button', class: 'btn btn--secondary', onclick: () => downloadText(recoveryText(state.codes, { username: user().username }), 'cho-xanh-ma-khoi-phuc.txt') },
            icon('download'), t('totp.download')),
          h('button', { type: 'button', class: 'btn btn--primary', onclick: () => {
            state.codes = [];
            state.step = 'on';
            ctx.navigate(ctx.homeFor(user().role), { replace: true, force: true });
          } }, icon('check'), t('totp.saved'))),
      );
    }
    if (state.step === 'on') {
      parts.push(
        h('h4', null, t('totp.disableTitle')),
        h('p', { class: 'hint' }, t(user().totp?.required ? 'totp.disableRequired' : 'totp.disableHelp')),
        h('form', { class: 'form', novalidate: true, onsubmit: disable },
          codeField('totp-off-code', t('totp.disableCode'), t('totp.disableHelp')),
          error,
          h('button', { type: 'submit', class: 'btn btn--warn', disabled: state.busy }, t(state.busy ? 'totp.busy' : 'totp.disable'))),
      );
    }
    return parts;
  }

  function draw() {
    const { t } = ctx;
    const me = user();
    replaceChildren(root,
      h('h2', { id: 'screen-title', class: 'screen__title', tabindex: '-1' }, t('account.title')),
      h('p', { class: 'card__text' }, icon('user'), ' ', me.display_name || me.username || '',
        me.role ? ` · ${t('account.role', { role: t(`role.${me.role}`) })}` : ''),
      totpSection(),
      h('h3', { class: 'list-title' }, t('account.logout')),
      h('button', { type: 'button', class: 'btn btn--ghost', id: 'account-logout', onclick: () => ctx.logout() }, t('account.logout')));
  }

  draw();
  load();
  return { root, titleKey: 'account.title', draw, canLeave: () => state.step !== 'codes' || window.confirm(ctx.t('totp.recoveryWarn')) };
}
