// Chỉ tiêu (/admin/targets): the indicator 4.4 target per period, for the whole city or one
// unit. Typed as a percent (0–100), stored as 0–1. Setting a period again replaces its target.
import * as admin from '../store.js';
import { h, icon, replaceChildren } from '../../../shared/dom.js';
import { formatNumber } from '../../../shared/format.js';
import { adminRoot, errorBox, errorText, formErrors, field, input, loadUnits, title, unitPicker } from './common.js';

export default function targetsScreen(ctx) {
  const root = adminRoot();
  const state = { loading: true, targets: [], units: [], error: '', busy: false, done: '', errors: {}, general: [] };
  const form = { period: '', percent: '', org_unit_id: null };

  async function load() {
    try {
      const [units, body] = await Promise.all([loadUnits(), admin.listTargets()]);
      Object.assign(state, { units, targets: body.targets, error: '' });
    } catch (err) {
      state.error = errorText(ctx.t, err);
    }
    state.loading = false;
    draw();
  }

  async function submit(event) {
    event.preventDefault();
    if (state.busy) return;
    const { t } = ctx;
    const keys = admin.checkTargetForm(form);
    state.errors = Object.fromEntries(Object.entries(keys).map(([k, key]) => [k, [t(key)]]));
    state.general = [];
    state.done = '';
    if (Object.keys(state.errors).length) {
      draw();
      root.querySelector('[aria-invalid="true"]')?.focus();
      return;
    }
    state.busy = true;
    draw();
    try {
      const period = admin.normalizePeriod(form.period);
      const saved = await admin.setTarget(period, form.percent, form.org_unit_id);
      const unit = state.units.find((u) => u.id === saved.org_unit_id);
      state.done = t('admin.targets.saved', {
        period: saved.period, percent: formatNumber(admin.targetToPercent(saved.target), ctx.lang, 3),
        unit: unit ? unit.name : t('admin.targets.city'),
      });
      Object.assign(form, { period: '', percent: '', org_unit_id: null });
      state.targets = (await admin.listTargets()).targets;
    } catch (err) {
      ({ fields: state.errors, general: state.general } = formErrors(t, err, ['period', 'target', 'org_unit_id']));
    }
    state.busy = false;
    draw();
    (root.querySelector('[aria-invalid="true"]') ?? root.querySelector('.error-box') ?? root.querySelector('.note--ok'))?.focus();
  }

  function edit(target) {
    Object.assign(form, { period: target.period, percent: String(admin.targetToPercent(target.target)), org_unit_id: target.org_unit_id });
    state.errors = {};
    state.done = '';
    draw();
    root.querySelector('#target-percent')?.focus();
  }

  function table() {
    const { t } = ctx;
    if (!state.targets.length) return h('p', { class: 'empty' }, t('admin.targets.none'));
    const byId = new Map(state.units.map((u) => [u.id, u]));
    return h('table', { class: 'admin-table' },
      h('caption', { class: 'visually-hidden' }, t('admin.targets.title')),
      h('thead', null, h('tr', null,
        h('th', { scope: 'col' }, t('admin.targets.period')),
        h('th', { scope: 'col' }, t('admin.targets.unit')),
        h('th', { scope: 'col', class: 'num' }, t('admin.targets.target')),
        h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, t('admin.targets.actions'))))),
      h('tbody', null, state.targets.map((target) => {
        const unit = byId.get(target.org_unit_id);
        const unitName = unit ? admin.unitLabel(unit, byId) : t('admin.targets.city');
        return h('tr', { dataset: { period: target.period } },
          h('th', { scope: 'row' }, target.period),
          h('td', null, unitName),
          h('td', { class: 'num' }, `${formatNumber(admin.targetToPercent(target.target), ctx.lang, 3)}%`),
          h('td', null, h('button', {
            type: 'button', class: 'btn btn--ghost btn--small',
            'aria-label': t('admin.targets.editNamed', { period: target.period, unit: unitName }), onclick: () => edit(target),
          }, icon('edit'), t('admin.edit'))));
      })));
  }

  function draw() {
    const { t } = ctx;
    const e = (name) => state.errors[name] ?? [];
    replaceChildren(root,
      title(t('admin.targets.title')),
      h('p', { class: 'lead' }, t('admin.targets.lead')),
      errorBox(state.error),
      state.loading ? h('p', { class: 'empty' }, t('admin.loading')) : table(),
      h('h3', { class: 'list-title' }, t('admin.targets.set')),
      state.done ? h('p', { class: 'note note--ok', role: 'status', tabindex: '-1' }, icon('check'), h('span', null, state.done)) : null,
      h('form', { class: 'form admin-form', novalidate: true, onsubmit: submit },
        errorBox(state.general),
        h('div', { class: 'admin-pair' },
          field('target-period', t('admin.targets.period'), input('target-period', form.period, {
            autocomplete: 'off', placeholder: '2024-Q1', oninput: (ev) => { form.period = ev.target.value; } }),
          { errors: e('period'), help: t('admin.targets.periodHelp'), required: true }),
          field('target-percent', t('admin.targets.percent'), input('target-percent', form.percent, {
            inputmode: 'decimal', autocomplete: 'off', oninput: (ev) => { form.percent = ev.target.value; } }),
          { errors: e('target'), help: t('admin.targets.percentHelp'), required: true })),
        state.units.length
          ? unitPicker(t, { id: 'target-unit', label: t('admin.targets.unit'), units: state.units, value: form.org_unit_id,
            empty: t('admin.targets.city'), errors: e('org_unit_id'), onChange: (id) => { form.org_unit_id = id; } })
          : null,
        h('button', { type: 'submit', class: 'btn btn--primary', disabled: state.busy }, icon('target'), t(state.busy ? 'admin.saving' : 'admin.targets.submit'))));
  }

  draw();
  load();
  return { root, draw };
}
