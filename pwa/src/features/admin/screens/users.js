// Người dùng: the list with its filters (/admin/users) and the new-user form (/admin/users/new).
import * as admin from '../store.js';
import { h, icon, redraw, replaceChildren } from '../../../shared/dom.js';
import {
  adminRoot, backLink, chip, errorBox, errorText, formErrors, field, input, loadUnits, roleLabel, select, title, unitPicker,
} from './common.js';

const memory = { q: '', role: '', org_unit_id: null, active: '' };

export function userCard(t, user, byId) {
  const unit = byId.get(user.org_unit_id);
  return h('li', { class: 'admin-item', dataset: { username: user.username } },
    h('div', { class: 'admin-item__head' },
      h('a', { class: 'admin-item__name', href: `/admin/users/${user.id}` }, user.display_name || user.username),
      user.active ? chip('ok', 'check', t('admin.users.active')) : chip('wait', 'lock', t('admin.users.inactive')),
      user.totp_enabled ? chip('ok', 'lock', t('admin.users.totpOn')) : null),
    h('p', { class: 'admin-item__meta' },
      [user.username, roleLabel(t, user.role), unit ? admin.unitLabel(unit, byId) : t('admin.unit.none')].join(' · ')));
}

export function usersScreen(ctx) {
  const { t } = ctx;
  const root = adminRoot();
  const state = { loading: true, users: [], total: 0, units: [], error: '' };
  let timer = 0;
  let listHost = null;

  // Searching as one types sends a request per pause: only the latest answer may be drawn
  // (an earlier, slower one would put back the unfiltered list).
  let latest = 0;

  async function load() {
    const mine = ++latest;
    try {
      const [units, body] = await Promise.all([
        loadUnits(),
        admin.listUsers({ q: memory.q.trim(), role: memory.role, org_unit_id: memory.org_unit_id,
          active: memory.active === '' ? '' : memory.active === 'yes' }),
      ]);
      if (mine !== latest) return; // a newer search is under way
      const first = !state.units.length && units.length;
      Object.assign(state, { units, users: body.users, total: body.total, error: '' });
      state.loading = false;
      if (first) return keepTyping(); // the unit filter needs the units
    } catch (err) {
      if (mine !== latest) return;
      state.error = errorText(ctx.t, err);
      state.loading = false;
    }
    drawList();
  }

  function drawList() {
    const { t: tt } = ctx;
    const byId = new Map(state.units.map((u) => [u.id, u]));
    replaceChildren(listHost,
      state.loading ? h('p', { class: 'empty' }, tt('admin.loading')) : null,
      errorBox(state.error),
      !state.loading && !state.error
        ? [h('p', { class: 'count', role: 'status' }, tt('admin.users.count', { count: state.total })),
          state.users.length
            ? h('ul', { class: 'admin-list' }, state.users.map((u) => userCard(tt, u, byId)))
            : h('p', { class: 'empty' }, tt('admin.users.none'))]
        : null);
  }

  // Redraw with the unit filter, keeping the search box focused with the caret at its end:
  // someone typing while the list loads must not lose the keys that follow.
  function keepTyping() {
    redraw(root, draw);
    const box = root.querySelector('#users-q');
    if (box && document.activeElement === box) box.setSelectionRange(box.value.length, box.value.length);
  }

  function draw() {
    const { t: tt } = ctx;
    const refilter = () => {
      clearTimeout(timer);
      timer = setTimeout(load, 250);
    };
    const filters = h('form', { class: 'admin-filters', role: 'search', onsubmit: (e) => e.preventDefault() },
      field('users-q', tt('admin.users.search'), input('users-q', memory.q, {
        type: 'search', autocomplete: 'off',
        oninput: (e) => { memory.q = e.target.value; refilter(); },
      })),
      field('users-role', tt('admin.users.role'), select('users-role',
        [['', tt('admin.all')], ...admin.ROLES.map((r) => [r, roleLabel(tt, r)])], memory.role,
        { onchange: (e) => { memory.role = e.target.value; load(); } })),
      field('users-active', tt('admin.users.state'), select('users-active',
        [['', tt('admin.all')], ['yes', tt('admin.users.active')], ['no', tt('admin.users.inactive')]], memory.active,
        { onchange: (e) => { memory.active = e.target.value; load(); } })),
      state.units.length
        ? unitPicker(tt, { id: 'users-unit', label: tt('admin.users.unit'), units: state.units, value: memory.org_unit_id,
          empty: tt('admin.all'), onChange: (id) => { memory.org_unit_id = id; load(); } })
        : null);
    listHost = h('div', { class: 'admin-results' });
    replaceChildren(root,
      title(tt('admin.users.title')),
      h('div', { class: 'row' }, h('a', { class: 'btn btn--primary', href: '/admin/users/new' }, icon('user'), tt('admin.users.new'))),
      filters,
      listHost);
    drawList();
  }

  draw();
  load();
  return { root, draw, destroy: () => clearTimeout(timer) };
}

export function userNewScreen(ctx) {
  const root = adminRoot();
  const form = { username: '', display_name: '', role: 'inspector', org_unit_id: null, password: '' };
  const state = { units: [], busy: false, errors: {}, general: [], loadError: '' };

  async function load() {
    try {
      state.units = await loadUnits();
    } catch (err) {
      state.loadError = errorText(ctx.t, err);
    }
    draw();
  }

  async function submit(event) {
    event.preventDefault();
    if (state.busy) return;
    const { t } = ctx;
    const keys = admin.checkNewUser({ ...form, orgUnitId: form.org_unit_id });
    state.errors = Object.fromEntries(Object.entries(keys).map(([k, key]) => [k, [t(key, { min: admin.MIN_PASSWORD })]]));
    state.general = [];
    if (Object.keys(state.errors).length) {
      draw();
      root.querySelector('[aria-invalid="true"]')?.focus();
      return;
    }
    state.busy = true;
    draw();
    try {
      const user = await admin.createUser({
        username: form.username.trim(), display_name: form.display_name.trim(), role: form.role,
        org_unit_id: form.org_unit_id, password: form.password,
      });
      ctx.flash(t('admin.users.created', { username: user.username }), 'ok');
      ctx.navigate(`/admin/users/${user.id}`, { force: true });
      return;
    } catch (err) {
      ({ fields: state.errors, general: state.general } = formErrors(t, err, Object.keys(form)));
    }
    state.busy = false;
    draw();
    (root.querySelector('[aria-invalid="true"]') ?? root.querySelector('.error-box'))?.focus();
  }

  function draw() {
    const { t } = ctx;
    const e = (name) => state.errors[name] ?? [];
    const bind = (name) => ({ oninput: (ev) => { form[name] = ev.target.value; } });
    replaceChildren(root,
      backLink('/admin/users', t('admin.users.back')),
      title(t('admin.users.new')),
      errorBox(state.loadError),
      h('form', { class: 'form admin-form', novalidate: true, onsubmit: submit, 'aria-busy': state.busy ? 'true' : null },
        errorBox(state.general, 'user-new-error'),
        field('username', t('admin.users.username'), input('username', form.username, {
          autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false', ...bind('username') }),
        { errors: e('username'), help: t('admin.users.usernameHelp'), required: true }),
        field('display_name', t('admin.users.displayName'), input('display_name', form.display_name, bind('display_name')),
          { errors: e('display_name') }),
        field('role', t('admin.users.role'), select('role', admin.ROLES.map((r) => [r, roleLabel(t, r)]), form.role, {
          onchange: (ev) => { form.role = ev.target.value; },
        }), { errors: e('role'), required: true }),
        unitPicker(t, { id: 'org_unit_id', label: t('admin.users.unit'), units: state.units, value: form.org_unit_id,
          empty: t('admin.unit.none'), errors: e('org_unit_id'), onChange: (id) => { form.org_unit_id = id; } }),
        field('password', t('admin.users.password'), input('password', form.password, {
          type: 'text', autocomplete: 'new-password', spellcheck: 'false', ...bind('password') }),
        { errors: e('password'), help: t('admin.users.passwordHelp', { min: admin.MIN_PASSWORD }), required: true }),
        h('button', { type: 'submit', class: 'btn btn--primary', disabled: state.busy },
          t(state.busy ? 'admin.saving' : 'admin.users.create'))));
  }

  draw();
  load();
  return { root, draw };
}
