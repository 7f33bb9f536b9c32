// Sửa chợ (/admin/markets/:id): name, address, position, class, unit, opening and closing
// dates; "Đóng cửa chợ" sets the closing date after a confirmation. The server applies the
// importer's rules and tells the phones on their next pull.
import * as admin from '../store.js';
import { h, icon, replaceChildren } from '../../../shared/dom.js';
import { adminRoot, backLink, confirmAction, day as formatDay, errorBox, errorText, formErrors, field, input, loadUnits, select, title, unitPicker } from './common.js';

const FIELDS = ['name', 'address', 'lat', 'lon', 'market_class', 'org_unit_id', 'opened_on', 'closed_on', 'org_unit_from'];

export default function marketEditScreen(ctx, { params }) {
  const root = adminRoot();
  const state = { market: null, units: [], loadError: '', busy: false, done: '', errors: {}, general: [] };
  const form = {};

  function take(market) {
    state.market = market;
    for (const key of FIELDS) form[key] = market[key] === null || market[key] === undefined ? '' : String(market[key]);
    form.org_unit_id = market.org_unit_id;
    form.org_unit_from = '';
  }

  async function load() {
    try {
      const [market, units] = await Promise.all([admin.getMarket(params.id), loadUnits()]);
      take(market);
      state.units = units;
    } catch (err) {
      state.loadError = errorText(ctx.t, err);
    }
    draw();
  }

  async function save(changesOverride) {
    const { t } = ctx;
    const { changes, errors } = admin.marketChanges(state.market, form);
    state.errors = Object.fromEntries(Object.entries(errors).map(([k, key]) => [k, [t(key)]]));
    state.general = [];
    state.done = '';
    const body = changesOverride ?? changes;
    if (!changesOverride && Object.keys(state.errors).length) {
      draw();
      root.querySelector('[aria-invalid="true"]')?.focus();
      return;
    }
    if (!Object.keys(body).length) {
      state.done = t('admin.noChange');
      draw();
      return;
    }
    state.busy = true;
    draw();
    try {
      take(await admin.updateMarket(state.market.id, body));
      state.done = t('admin.saved');
    } catch (err) {
      ({ fields: state.errors, general: state.general } = formErrors(t, err, FIELDS));
    }
    state.busy = false;
    draw();
    (root.querySelector('[aria-invalid="true"]') ?? root.querySelector('.error-box') ?? root.querySelector('.note--ok'))?.focus();
  }

  function closeMarket() {
    const { t } = ctx;
    const day = form.closed_on || admin.hanoiToday();
    if (!confirmAction(t('admin.markets.confirmClose', { name: state.market.name, date: formatDay(day) }))) return;
    form.closed_on = day;
    save({ closed_on: day });
  }

  function draw() {
    const { t } = ctx;
    const back = backLink('/admin/markets', t('admin.markets.back'));
    if (!state.market) {
      replaceChildren(root, back, title(t('admin.markets.edit')),
        state.loadError ? errorBox(state.loadError) : h('p', { class: 'empty' }, t('admin.loading')));
      return;
    }
    const { market } = state;
    const e = (name) => state.errors[name] ?? [];
    const text = (name, props = {}) => input(`market-${name}`, form[name], { ...props, oninput: (ev) => { form[name] = ev.target.value; } });
    const wrap = (name, label, control, options = {}) => {
      control.name = name;
      return field(`market-${name}`, label, control, { errors: e(name), ...options });
    };
    // "Hiệu lực từ ngày": shown once another unit is picked (the unit's history starts that day).
    const from = wrap('org_unit_from', t('admin.markets.unitFrom'), text('org_unit_from', { type: 'date' }), { help: t('admin.markets.unitFromHelp') });
    const unitChanged = () => String(form.org_unit_id ?? '') !== String(market.org_unit_id ?? '');
    from.hidden = !unitChanged();
    replaceChildren(root,
      back,
      title(market.name),
      h('p', { class: 'admin-item__meta' }, t('admin.markets.codeRev', { code: market.code, rev: market.rev })),
      state.done ? h('p', { class: 'note note--ok', role: 'status', tabindex: '-1' }, icon('check'), h('span', null, state.done)) : null,
      h('form', { class: 'form admin-form', novalidate: true, onsubmit: (ev) => { ev.preventDefault(); save(); } },
        errorBox(state.general),
        wrap('name', t('admin.markets.name'), text('name'), { required: true }),
        wrap('address', t('admin.markets.address'), text('address')),
        h('div', { class: 'admin-pair' },
          wrap('lat', t('admin.markets.lat'), text('lat', { inputmode: 'decimal' })),
          wrap('lon', t('admin.markets.lon'), text('lon', { inputmode: 'decimal' }))),
        wrap('market_class', t('admin.markets.class'), select('market-market_class',
          admin.MARKET_CLASSES.map((c) => [c, t(`market.class.${c}`)]), form.market_class,
          { onchange: (ev) => { form.market_class = ev.target.value; } })),
        unitPicker(t, { id: 'market-org_unit_id', label: t('admin.markets.unit'), units: state.units, value: form.org_unit_id,
          errors: e('org_unit_id'), onChange: (id) => { form.org_unit_id = id; from.hidden = !unitChanged(); } }),
        from,
        h('div', { class: 'admin-pair' },
          wrap('opened_on', t('admin.markets.openedOn'), text('opened_on', { type: 'date' })),
          wrap('closed_on', t('admin.markets.closedOnLabel'), text('closed_on', { type: 'date' }),
            { help: t('admin.markets.closedHelp') })),
        h('div', { class: 'row' },
          h('button', { type: 'submit', class: 'btn btn--primary', disabled: state.busy }, t(state.busy ? 'admin.saving' : 'admin.save')),
          market.closed_on
            ? null
            : h('button', { type: 'button', class: 'btn btn--warn', disabled: state.busy, onclick: closeMarket }, icon('lock'), t('admin.markets.close')))));
  }

  draw();
  load();
  return { root, draw };
}
