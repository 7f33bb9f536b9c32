// Chỉ tiêu 4.4: the indicator of one unit and period against the target, the counts behind it,
// the breakdown by district then ward, the monthly trend, and the markets that need attention.
import { h, icon, redraw, replaceChildren } from '../../../shared/dom.js';
import { loadIndicator, loadMarkets, loadOverdue, loadTrend } from '../store.js';
import { downloadButton, finalButton } from './actions.js';
import { trendChart, trendMode } from './chart.js';
import { formatCount, formatDay, formatDayTime, formatDecimal, formatPercent, gapToTarget, headline, periodLabel } from './format.js';
import { daysSince, overdueInUnit, parseSort, partitionMarkets } from './model.js';
import { cityHref, readQuery } from './period.js';
import { placeFor } from './place.js';
import { breadcrumb, breakdownTable, finalBadge, marketTable, marketsHref, pickers, problemNote, title } from './widgets.js';

const LIST_LIMIT = 10;

export default function cityDashboard(ctx, { query }) {
  const view = readQuery(query);
  const root = h('section', { class: 'screen city', 'aria-labelledby': 'screen-title' });
  const state = { loading: true, result: null, error: null, markets: null, trend: null, overdue: null, place: null, sort: parseSort(view.sort), monthTableOpen: false };
  let alive = true;
  let synced = ctx.app.status?.lastSyncedAt ?? null;

  const hrefFor = (orgUnit, extra = {}) => cityHref('/city', { period: view.period.id, org_unit: orgUnit, ...extra });
  const go = (change) => ctx.navigate(cityHref('/city', { period: view.period.id, org_unit: view.orgUnit, ...change }));

  async function load() {
    state.loading = !state.result;
    draw();
    const { period, orgUnit } = view;
    const [indicator, markets, trend, overdue] = await Promise.allSettled([
      loadIndicator({ period: period.id, orgUnit }),
      loadMarkets({ period: period.id, orgUnit }),
      loadTrend({ year: period.year, orgUnit }),
      loadOverdue(),
    ]);
    if (!alive) return;
    state.result = indicator.status === 'fulfilled' ? indicator.value : null;
    state.error = indicator.status === 'rejected' ? indicator.reason : null;
    state.markets = markets.status === 'fulfilled' ? markets.value : { error: markets.reason };
    state.trend = trend.status === 'fulfilled' ? trend.value : { error: trend.reason };
    state.overdue = overdue.status === 'fulfilled' ? overdue.value : { error: overdue.reason };
    state.place = await placeFor(ctx, state.result?.data);
    state.loading = false;
    if (alive) redraw(root, draw);
  }

  function kpi(figures) {
    const { t, lang } = ctx;
    const gap = gapToTarget(figures);
    return h('section', { class: 'kpi', 'aria-labelledby': 'kpi-title' },
      h('h3', { id: 'kpi-title', class: 'kpi__title' }, t('city.kpi.title')),
      h('p', { class: 'kpi__value', dataset: { value: String(figures.value) } }, formatPercent(figures.value, lang)),
      h('p', { class: 'kpi__sentence', dataset: { role: 'headline' } }, headline(t, lang, figures)),
      gap === null ? null : h('p', { class: `kpi__gap ${gap <= 0 ? 'kpi__gap--met' : ''}` },
        icon(gap <= 0 ? 'check' : 'target'), gap <= 0 ? t('city.kpi.met') : t('city.kpi.gap', { points: formatDecimal(gap, lang) })),
      h('p', { class: 'kpi__coverage' }, t('city.kpi.coverage', { coverage: formatPercent(figures.coverage, lang), assessed: formatCount(figures.compliant + figures.non_compliant, lang), total: formatCount(figures.markets_total, lang) })),
      finalBadge(t, figures));
  }

  function counts(figures) {
    const { t, lang } = ctx;
    const tile = (key, status, tone, extra = null) => h('li', { class: `tile tile--${tone}`, dataset: { count: key } },
      h('a', { class: 'tile__link', href: marketsHref(view.period, view.orgUnit, status) },
        h('span', { class: 'tile__number' }, formatCount(figures[key], lang)),
        h('span', { class: 'tile__label' }, t(`city.count.${key}`))),
      extra);
    // "Chờ duyệt" is part of "Chưa đánh giá", not a fifth result: shown inside its tile.
    const pending = h('a', { class: 'tile__sub', href: marketsHref(view.period, view.orgUnit, 'pending_review'), dataset: { count: 'pending_review' } },
      h('span', { class: 'tile__label' }, t('city.count.pending_review')), ' ',
      h('span', { class: 'tile__number' }, formatCount(figures.pending_review, lang)));
    return h('ul', { class: 'tiles', 'aria-label': t('city.count.label') },
      tile('markets_total', '', 'total'), tile('compliant', 'compliant', 'ok'), tile('non_compliant', 'non_compliant', 'bad'),
      tile('not_assessed', 'not_assessed', 'wait', pending));
  }

  function actions(figures) {
    const { t } = ctx;
    const common = { period: view.period, orgUnit: view.orgUnit, unitCode: figures.org_unit?.code };
    return h('div', { class: 'row city-actions' },
      h('a', { class: 'btn btn--primary btn--small', href: cityHref('/city/report', { period: view.period.id, org_unit: view.orgUnit }) }, icon('print'), t('city.report.open')),
      h('a', { class: 'btn btn--secondary btn--small', href: cityHref('/city/map', { period: view.period.id, org_unit: view.orgUnit }), dataset: { link: 'map' } }, icon('map'), t('city.map.link')),
      downloadButton(ctx, { ...common, format: 'csv' }),
      downloadButton(ctx, { ...common, format: 'xlsx' }),
      finalButton(ctx, { period: view.period, figures, onDone: load }));
  }

  function marketLists() {
    const { t, lang } = ctx;
    // A kept (stale) answer carries `error` too: only a missing answer is a failure.
    if (!state.markets?.data) return problemNote(t, state.markets?.error);
    const parts = partitionMarkets(state.markets?.data?.markets);
    const list = (key, status, items) => h('section', { class: 'city-section', 'aria-labelledby': `list-${status}` },
      h('h3', { id: `list-${status}`, class: 'list-title' }, t(key, { count: formatCount(items.length, lang) })),
      items.length
        ? [marketTable(ctx, items.slice(0, LIST_LIMIT)),
          items.length > LIST_LIMIT ? h('a', { class: 'link', href: marketsHref(view.period, view.orgUnit, status) }, t('city.list.all', { count: formatCount(items.length, lang) }), icon('chevron')) : null]
        : h('p', { class: 'hint' }, t('city.list.none')));
    return [list('city.list.nonCompliant', 'non_compliant', parts.nonCompliant), list('city.list.notAssessed', 'not_assessed', parts.notAssessed)];
  }

  function overdueSection() {
    const { t, lang } = ctx;
    const result = state.overdue;
    let body;
    if (result?.error) body = problemNote(t, result.error);
    else if (!result?.available) body = h('p', { class: 'hint' }, t('city.overdue.unavailable'));
    else {
      const items = overdueInUnit(result.markets, state.place?.tree, view.orgUnit);
      body = !result.computed_at ? h('p', { class: 'hint' }, t('city.overdue.notComputed')) : [
        h('p', { class: 'hint' }, t('city.overdue.computed', { when: formatDayTime(result.computed_at) })),
        items.length
          ? h('ul', { class: 'plain overdue' }, items.slice(0, 50).map((m) => h('li', { dataset: { market: String(m.id) } },
            h('strong', null, m.name), ` (${m.code}) — `,
            m.last_visit_at ? t('city.overdue.last', { when: formatDayTime(m.last_visit_at), days: formatCount(daysSince(m.last_visit_at), lang) }) : t('city.overdue.never'))))
          : h('p', { class: 'hint' }, t('city.list.none')),
        items.length > 50 ? h('p', { class: 'hint' }, t('city.overdue.more', { count: formatCount(items.length - 50, lang) })) : null,
      ];
    }
    return h('section', { class: 'city-section', 'aria-labelledby': 'overdue-title' },
      h('h3', { id: 'overdue-title', class: 'list-title' }, t('city.overdue.title', { days: result?.days ?? 30 })), body);
  }

  function draw() {
    const { t } = ctx;
    const figures = state.result?.data;
    const unitName = figures?.org_unit?.name ?? '';
    const head = [
      title(unitName ? t('city.title.unit', { unit: unitName }) : t('city.title')),
      h('p', { class: 'lead' }, t('city.lead')),
    ];
    if (state.loading) {
      replaceChildren(root, head, h('p', { class: 'empty' }, t('city.loading')));
      return;
    }
    if (!figures) {
      replaceChildren(root, head, view.badPeriod ? h('p', { class: 'hint' }, t('city.error.invalid_period')) : null,
        problemNote(t, state.error, { retry: load }));
      return;
    }
    const place = state.place;
    const childLevel = figures.breakdown?.[0]?.org_unit?.level;
    replaceChildren(root,
      head,
      breadcrumb(ctx, place.path, figures.org_unit, (id) => hrefFor(id)),
      view.badPeriod ? h('p', { class: 'banner banner--warn', role: 'alert' }, t('city.error.badPeriodShown', { period: figures.period?.id ?? '' })) : null,
      pickers(ctx, { period: view.period, path: place.path, tree: place.tree, scope: place.scope, go }),
      state.result.stale ? problemNote(t, null, { stale: true, fetchedAt: state.result.fetchedAt, retry: load }) : null,
      h('p', { class: 'city-period' }, t('city.period.range', { label: periodLabel(t, view.period), start: formatDay(figures.period?.start), end: formatDay(figures.period?.end) })),
      kpi(figures),
      counts(figures),
      actions(figures),
      figures.breakdown?.length
        ? h('section', { class: 'city-section', 'aria-labelledby': 'breakdown-title' },
          h('h3', { id: 'breakdown-title', class: 'list-title' }, t(childLevel === 'ward' || childLevel === 'commune' ? 'city.breakdown.wards' : 'city.breakdown.districts')),
          h('p', { class: 'hint' }, t('city.breakdown.hint')),
          breakdownTable(ctx, figures.breakdown, { sort: state.sort, onSort: (sort) => { state.sort = sort; redraw(root, draw); }, hrefFor: (id) => hrefFor(id) }))
        : null,
      h('section', { class: 'city-section', 'aria-labelledby': 'trend-heading' },
        h('h3', { id: 'trend-heading', class: 'list-title' }, t('city.trend.heading', { year: view.period.year })),
        h('p', { class: 'hint' }, t(trendMode(state.trend?.data?.months) === 'ytd' ? 'city.trend.noteYtd' : 'city.trend.note')),
        !state.trend?.data
          ? problemNote(t, state.trend?.error)
          : trendChart(ctx, state.trend?.data, (id) => cityHref('/city', { period: id, org_unit: view.orgUnit }),
            { open: state.monthTableOpen, onToggle: (open) => { state.monthTableOpen = open; } })),
      marketLists(),
      overdueSection());
  }

  load();
  return {
    root,
    draw: () => redraw(root, draw),
    onStatus(status) {
      if (status.online && state.result?.stale) load();
      else if (!status.syncing && status.lastSyncedAt !== synced) {
        // A pull finished: the replica may now hold the units the pickers offer (a first
        // sign-in lands here while its first sync is still filling the replica).
        synced = status.lastSyncedAt;
        if (state.loading) return;
        placeFor(ctx, state.result?.data).then((place) => {
          if (!alive || state.loading) return;
          state.place = place;
          redraw(root, draw);
        });
      }
    },
    destroy() {
      alive = false;
    },
  };
}
