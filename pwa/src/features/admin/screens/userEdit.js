// Một người dùng (/admin/users/:id): change name, role and unit; deactivate or reactivate;
// reset the password or the two-step verification. Each part saves on its own and says what happened.
import * as admin from '../store.js';
import { h, icon, replaceChildren } from '../../../shared/dom.js';
import {
  adminRoot, backLink, chip, confirmAction, errorBox, errorText, formErrors, field, input, loadUnits, roleLabel, select, title,
  unitPicker, when,
} from './common.js';

export default function userEditScreen(ctx, { params }) {
  const root = adminRoot();
  const state = { user: null, units: [], loadError: '', busy: '', done: '', errors: {}, general: [], pwErrors: {}, pwGeneral: [] };
  const form = { display_name: '', role: '', org_unit_id: null };
  const pw = { password: '', revoke: false };

  function take(user) {
    state.user = user;
    Object.assign(form, { display_name: user.display_name, role: user.role, org_unit_id: user.org_unit_id });
  }

  async function load() {
    try {
      const [user, units] = await Promise.all([admin.getUser(params.id), loadUnits()]);
      take(user);
      state.units = units;
    } catch (err) {
      state.loadError = errorText(ctx.t, err);
    }
    draw();
  }

  async function run(kind, action) {
    if (state.busy) return;
    state.busy = kind;
    state.done = '';
    draw();
    try {
      await action();
    } finally {
      state.busy = '';
      draw();
      (root.querySelector('[aria-invalid="true"]') ?? root.querySelector('.error-box') ?? root.querySelector('.note--ok'))?.focus();
    }
  }

  function saveDetails(event) {
    event.preventDefault();
    const { t } = ctx;
    const keys = admin.checkUserChange({ role: form.role, orgUnitId: form.org_unit_id });
    state.errors = Object.fromEntries(Object.entries(keys).map(([k, key]) => [k, [t(key)]]));
    state.general = [];
    if (Object.keys(state.errors).length) return draw();
    const changes = {};
    for (const key of Object.keys(form)) {
      const value = key === 'display_name' ? form[key].trim() : form[key];
      if (value !== state.user[key]) changes[key] = value;
    }
    if (!Object.keys(changes).length) {
      state.done = t('admin.noChange');
      return draw();
    }
    return run('details', async () => {
      try {
        take(await admin.updateUser(state.user.id, changes));
        state.done = t('admin.saved');
      } catch (err) {
        ({ fields: state.errors, general: state.general } = formErrors(t, err, Object.keys(form)));
      }
    });
  }

  function toggleActive() {
    const { t } = ctx;
    const { user } = state;
    const question = user.active ? t('admin.users.confirmDeactivate', { name: user.username }) : t('admin.users.confirmReactivate', { name: user.username });
    if (!confirmAction(question)) return;
    run('active', async () => {
      try {
        take(await admin.updateUser(user.id, { active: !user.active }));
        state.done = t(state.user.active ? 'admin.users.reactivated' : 'admin.users.deactivated');
        state.general = [];
      } catch (err) {
        state.general = [errorText(t, err), ...admin.fieldErrors(err).other];
      }
    });
  }

  function resetPassword(event) {
    event.preventDefault();
    const { t } = ctx;
    const weak = admin.checkPassword(pw.password);
    state.pwErrors = weak ? { password: [t(weak, { min: admin.MIN_PASSWORD })] } : {};
    state.pwGeneral = [];
    if (weak) return draw();
    if (!confirmAction(t(pw.revoke ? 'admin.users.confirmResetRevoke' : 'admin.users.confirmReset', { name: state.user.username }))) return;
    return run('password', async () => {
      try {
        const body = await admin.resetPassword(state.user.id, pw.password, pw.revoke);
        pw.password = '';
        state.done = t('admin.users.passwordDone', { count: body.revoked_devices ?? 0 });
      } catch (err) {
        ({ fields: state.pwErrors, general: state.pwGeneral } = formErrors(t, err, ['password']));
      }
    });
  }

  function resetTotp() {
    const { t } = ctx;
    const { user } = state;
    if (!confirmAction(t('admin.users.totpConfirm', { name: user.username }))) return;
    run('totp', async () => {
      try {
        await admin.resetTotp(user.id);
        state.user = { ...user, totp_enabled: false };
        state.done = t('admin.users.totpDone');
        state.general = [];
      } catch (err) {
        state.general = [errorText(t, err)];
      }
    });
  }

  function draw() {
    const { t } = ctx;
    const back = backLink('/admin/users', t('admin.users.back'));
    if (!state.user) {
      replaceChildren(root, back, title(t('admin.users.titleOne')),
        state.loadError ? errorBox(state.loadError) : h('p', { class: 'empty' }, t('admin.loading')));
      return;
    }
    const { user } = state;
    const self = user.id === ctx.app.session?.user?.id;
    const byId = new Map(state.units.map((u) => [u.id, u]));
    const e = (name) => state.errors[name] ?? [];
    replaceChildren(root,
      back,
      title(user.display_name || user.username),
      h('p', { class: 'admin-item__meta' },
        `${user.username} · ${roleLabel(t, user.role)} · ${admin.unitLabel(byId.get(user.org_unit_id), byId) || t('admin.unit.none')} · `,
        user.active ? chip('ok', 'check', t('admin.users.active')) : chip('wait', 'lock', t('admin.users.inactive'))),
      state.done ? h('p', { class: 'note note--ok', role: 'status', tabindex: '-1' }, icon('check'), h('span', null, state.done)) : null,
      errorBox(state.general),

      h('h3', { class: 'list-title' }, t('admin.users.details')),
      h('form', { class: 'form admin-form', novalidate: true, onsubmit: saveDetails },
        field('display_name', t('admin.users.displayName'), input('display_name', form.display_name, {
          oninput: (ev) => { form.display_name = ev.target.value; } }), { errors: e('display_name') }),
        field('role', t('admin.users.role'), select('role', admin.ROLES.map((r) => [r, roleLabel(t, r)]), form.role, {
          onchange: (ev) => { form.role = ev.target.value; } }), { errors: e('role') }),
        unitPicker(t, { id: 'org_unit_id', label: t('admin.users.unit'), units: state.units, value: form.org_unit_id,
          empty: t('admin.unit.none'), errors: e('org_unit_id'), onChange: (id) => { form.org_unit_id = id; } }),
        h('button', { type: 'submit', class: 'btn btn--primary', disabled: !!state.busy }, t(state.busy === 'details' ? 'admin.saving' : 'admin.save'))),

      h('h3', { class: 'list-title' }, t('admin.users.account')),
      h('p', { class: 'hint' }, t(self ? 'admin.users.selfHelp' : user.active ? 'admin.users.deactivateHelp' : 'admin.users.reactivateHelp')),
      h('div', { class: 'row' },
        self
          ? null // deactivating oneself would sign this screen out mid-work
          : h('button', { type: 'button', class: `btn ${user.active ? 'btn--warn' : 'btn--secondary'}`, disabled: !!state.busy, onclick: toggleActive },
            icon(user.active ? 'lock' : 'check'), t(user.active ? 'admin.users.deactivate' : 'admin.users.reactivate')),
        h('a', { class: 'btn btn--ghost', href: `/admin/devices?user_id=${user.id}` }, icon('device'), t('admin.users.devices'))),

      h('h3', { class: 'list-title' }, t('admin.users.totp')),
      h('p', { class: 'admin-item__meta', id: 'user-totp' },
        user.totp_enabled ? chip('ok', 'lock', t('admin.users.totpOn')) : chip('wait', 'cross', t('admin.users.totpOff'))),
      user.totp_enabled
        ? [h('p', { class: 'hint' }, t('admin.users.totpHelp')),
          h('div', { class: 'row' },
            h('button', { type: 'button', class: 'btn btn--warn', id: 'user-totp-reset', disabled: !!state.busy, onclick: resetTotp },
              icon('undo'), t(state.busy === 'totp' ? 'admin.saving' : 'admin.users.totpReset')))]
        : null,

      h('h3', { class: 'list-title' }, t('admin.users.resetTitle')),
      h('form', { class: 'form admin-form', novalidate: true, onsubmit: resetPassword },
        errorBox(state.pwGeneral),
        field('new-password', t('admin.users.newPassword'), input('new-password', pw.password, {
          autocomplete: 'new-password', spellcheck: 'false', oninput: (ev) => { pw.password = ev.target.value; } }),
        { errors: state.pwErrors.password ?? [], help: t('admin.users.passwordHelp', { min: admin.MIN_PASSWORD }) }),
        h('label', { class: 'choice' },
          h('input', { type: 'checkbox', class: 'choice__input', checked: pw.revoke, onchange: (ev) => { pw.revoke = ev.target.checked; } }),
          h('span', null, t('admin.users.revokeAll'))),
        h('div', { class: 'row' },
          h('button', { type: 'submit', class: 'btn btn--secondary', disabled: !!state.busy },
            t(state.busy === 'password' ? 'admin.saving' : 'admin.users.resetSubmit')))),
      h('p', { class: 'hint' }, t('admin.users.created_at', { when: when(user.created_at) })));
  }

  draw();
  load();
  return { root, draw };
}
