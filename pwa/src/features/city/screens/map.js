// Bản đồ chỉ tiêu 4.4 (/city/map?period=&org_unit=): the units in force in the period shaded by
// their share of compliant markets (hatched where coverage is low), the markets as dots coloured
// by status. Loaded on demand (index.js), so only city readers download it. Works offline from
// the last answers (store.js) and the phone's replica; the boundaries are precached.
import { h, icon, redraw, replaceChildren } from '../../../shared/dom.js';
import '../map.css';
import { loadGeo } from '../map/geodata.js';
import { mapFigure, mapLegend } from '../map/draw.js';
import { mapLayers } from '../map/layers.js';
import { loadIndicator, loadMarketPoints, loadMarkets } from '../store.js';
import { formatCount, formatDay, periodLabel } from './format.js';
import { cityHref, readQuery } from './period.js';
import { placeFor } from './place.js';
import { breadcrumb, evidenceHref, finalBadge, marketsHref, pickers, problemNote, title } from './widgets.js';

export default function cityMap(ctx, { query }) {
  const view = readQuery(query);
  const root = h('section', { class: 'screen city city-map', 'aria-labelledby': 'screen-title' });
  const state = { loading: true, result: null, error: null, markets: null, geo: null, replica: [], place: null };
  let alive = true;
  let synced = ctx.app.status?.lastSyncedAt ?? null;

  const mapHref = (orgUnit) => cityHref('/city/map', { period: view.period.id, org_unit: orgUnit });
  const go = (change) => ctx.navigate(cityHref('/city/map', { period: view.period.id, org_unit: view.orgUnit, ...change }));
  const links = {
    unit: (row) => (row.org_unit?.id === null || row.org_unit?.id === undefined ? null : mapHref(row.org_unit.id)),
    market: (item) => (item.visit_id
      ? evidenceHref(item.visit_id)
      : marketsHref(view.period, item.ward?.id ?? view.orgUnit, item.status)),
  };

  async function load() {
    state.loading = !state.result;
    draw();
    const { period, orgUnit } = view;
    const [indicator, markets, geo, replica] = await Promise.allSettled([
      loadIndicator({ period: period.id, orgUnit }),
      loadMarkets({ period: period.id, orgUnit }),
      loadGeo(),
      loadMarketPoints(),
    ]);
    if (!alive) return;
    state.result = indicator.status === 'fulfilled' ? indicator.value : null;
    state.error = indicator.status === 'rejected' ? indicator.reason : null;
    // A kept answer (stale) carries `error` too: failures are kept under another name.
    state.markets = markets.status === 'fulfilled' ? markets.value : { failed: markets.reason };
    state.geo = geo.status === 'fulfilled' ? geo.value : null;
    state.replica = replica.status === 'fulfilled' ? replica.value : [];
    state.place = await placeFor(ctx, state.result?.data);
    state.loading = false;
    if (alive) redraw(root, draw);
  }

  function notes(layers) {
    const { t, lang } = ctx;
    return [
      state.geo ? null : h('p', { class: 'note note--warn' }, t('city.map.noGeo')),
      state.geo && !layers.shapes ? h('p', { class: 'note note--info', dataset: { note: 'no-shapes' } }, t('city.map.noShapes')) : null,
      layers.missing.length && !state.replica.length ? h('p', { class: 'note note--warn' }, t('city.map.noReplica')) : null,
      layers.missing.length && state.replica.length
        ? h('p', { class: 'hint', dataset: { note: 'missing' } }, t('city.map.missingCoords', { count: formatCount(layers.missing.length, lang) })) : null,
    ];
  }

  function draw() {
    const { t } = ctx;
    const figures = state.result?.data;
    const unitName = figures?.org_unit?.name ?? '';
    const head = [
      title(unitName ? t('city.map.titleUnit', { unit: unitName }) : t('city.map.title')),
      h('a', { class: 'link', href: cityHref('/city', { period: view.period.id, org_unit: view.orgUnit }) }, icon('back'), t('city.back')),
    ];
    if (state.loading) {
      replaceChildren(root, head, h('p', { class: 'empty' }, t('city.map.loading')));
      return;
    }
    if (!figures) {
      replaceChildren(root, head, problemNote(t, state.error, { retry: load }));
      return;
    }
    const place = state.place;
    const markets = state.markets?.data?.markets ?? null;
    const layers = mapLayers({ indicator: figures, markets, replica: state.replica, geo: state.geo });
    const label = periodLabel(t, view.period);
    replaceChildren(root,
      head,
      breadcrumb(ctx, place.path, figures.org_unit, (id) => mapHref(id)),
      pickers(ctx, { period: view.period, path: place.path, tree: place.tree, scope: place.scope, go }),
      state.result.stale ? problemNote(t, null, { stale: true, fetchedAt: state.result.fetchedAt, retry: load }) : null,
      state.markets?.failed ? problemNote(t, state.markets.failed) : null,
      h('p', { class: 'city-period' }, t('city.period.range', { label, start: formatDay(figures.period?.start), end: formatDay(figures.period?.end) })),
      finalBadge(t, figures),
      h('p', { class: 'hint' }, t('city.map.help')),
      notes(layers),
      mapFigure(ctx, layers, {
        title: t('city.map.svgTitle', { period: label, unit: unitName }),
        desc: t('city.map.svgDesc', { units: layers.units.length, markets: layers.dots.length }),
        links,
        navigate: (href) => ctx.navigate(href),
      }),
      mapLegend(ctx, layers.dots));
  }

  load();
  return {
    root,
    draw: () => redraw(root, draw),
    onStatus(status) {
      if (status.online && state.result?.stale) load();
      else if (!status.syncing && status.lastSyncedAt !== synced) {
        // A pull finished: the replica may now hold the markets' coordinates.
        synced = status.lastSyncedAt;
        loadMarketPoints().then((replica) => {
          if (!alive || state.loading) return;
          state.replica = replica;
          redraw(root, draw);
        });
      }
    },
    destroy() {
      alive = false;
    },
  };
}
