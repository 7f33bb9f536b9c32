// Chợ (/admin/markets): every market with search and filters (district/ward, class, open or
// closed), paged; each opens its edit screen.
import * as admin from '../store.js';
import { h, icon, redraw, replaceChildren } from '../../../shared/dom.js';
import { marketBadge } from '../../../shared/marketClass.js';
import { adminRoot, chip, day, errorBox, errorText, field, input, loadUnits, select, title, unitPicker } from './common.js';

const memory = { q: '', org_unit_id: null, market_class: '', open: '' };

export function marketCard(t, market, byId) {
  const unit = byId.get(market.org_unit_id);
  return h('li', { class: 'admin-item', dataset: { code: market.code } },
    h('div', { class: 'admin-item__head' },
      h('a', { class: 'admin-item__name', href: `/admin/markets/${market.id}` }, market.name),
      marketBadge(t, market.market_class),
      market.closed_on ? chip('wait', 'lock', t('admin.markets.closedOn', { date: day(market.closed_on) })) : null),
    h('p', { class: 'admin-item__meta' },
      [market.code, unit ? admin.unitLabel(unit, byId) : '', market.address || ''].filter(Boolean).join(' · ')));
}

export default function adminMarketsScreen(ctx) {
  const root = adminRoot();
  const state = { loading: true, markets: [], total: 0, units: [], error: '', limit: admin.PAGE_SIZE };
  let timer = 0;
  let listHost = null;

  // Searching as one types sends a request per pause: only the latest answer may be drawn
  // (an earlier, slower one would put back the unfiltered list).
  let latest = 0;

  async function load() {
    const mine = ++latest;
    try {
      const [units, body] = await Promise.all([loadUnits(), admin.listMarkets({
        q: memory.q.trim(), org_unit_id: memory.org_unit_id, market_class: memory.market_class,
        open: memory.open === '' ? '' : memory.open === 'yes', limit: state.limit,
      })]);
      if (mine !== latest) return; // a newer search is under way
      const first = !state.units.length && units.length;
      Object.assign(state, { units, markets: body.markets, total: body.total, error: '' });
      state.loading = false;
      if (first) return keepTyping(); // the unit filter needs the units
    } catch (err) {
      if (mine !== latest) return;
      state.error = errorText(ctx.t, err);
      state.loading = false;
    }
    drawList();
  }

  const reload = () => {
    state.limit = admin.PAGE_SIZE;
    load();
  };

  function drawList() {
    const { t } = ctx;
    const byId = new Map(state.units.map((u) => [u.id, u]));
    replaceChildren(listHost,
      errorBox(state.error),
      state.loading ? h('p', { class: 'empty' }, t('admin.loading')) : null,
      !state.loading && !state.error
        ? [h('p', { class: 'count', role: 'status' }, t('admin.markets.count', { count: state.total })),
          state.markets.length
            ? h('ul', { class: 'admin-list' }, state.markets.map((m) => marketCard(t, m, byId)))
            : h('p', { class: 'empty' }, t('admin.markets.none')),
          state.total > state.markets.length
            ? h('button', { type: 'button', class: 'btn btn--ghost btn--block', onclick: () => { state.limit += admin.PAGE_SIZE; load(); } },
              t('admin.more', { count: state.total - state.markets.length }))
            : null]
        : null);
  }

  // Redraw with the unit filter, keeping the search box focused with the caret at its end:
  // someone typing while the list loads must not lose the keys that follow.
  function keepTyping() {
    redraw(root, draw);
    const box = root.querySelector('#markets-q');
    if (box && document.activeElement === box) box.setSelectionRange(box.value.length, box.value.length);
  }

  function draw() {
    const { t } = ctx;
    listHost = h('div', { class: 'admin-results' });
    replaceChildren(root,
      title(t('admin.markets.title')),
      h('div', { class: 'row' }, h('a', { class: 'btn btn--secondary', href: '/admin/markets/import' }, icon('upload'), t('admin.markets.import'))),
      h('form', { class: 'admin-filters', role: 'search', onsubmit: (e) => e.preventDefault() },
        field('markets-q', t('admin.markets.search'), input('markets-q', memory.q, {
          type: 'search', autocomplete: 'off',
          oninput: (e) => {
            memory.q = e.target.value;
            clearTimeout(timer);
            timer = setTimeout(reload, 250);
          },
        })),
        field('markets-class', t('admin.markets.class'), select('markets-class',
          [['', t('admin.all')], ...admin.MARKET_CLASSES.map((c) => [c, t(`market.class.${c}`)])], memory.market_class,
          { onchange: (e) => { memory.market_class = e.target.value; reload(); } })),
        field('markets-open', t('admin.markets.openState'), select('markets-open',
          [['', t('admin.all')], ['yes', t('admin.markets.open')], ['no', t('admin.markets.closed')]], memory.open,
          { onchange: (e) => { memory.open = e.target.value; reload(); } })),
        state.units.length
          ? unitPicker(t, { id: 'markets-unit', label: t('admin.markets.unit'), units: state.units, value: memory.org_unit_id,
            empty: t('admin.all'), onChange: (id) => { memory.org_unit_id = id; reload(); } })
          : null),
      listHost);
    drawList();
  }

  draw();
  load();
  return { root, draw, destroy: () => clearTimeout(timer) };
}
