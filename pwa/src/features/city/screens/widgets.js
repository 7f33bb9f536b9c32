// Pieces shared by the city screens: the period and unit pickers, the provisional/final badge,
// the breakdown table, market rows with their evidence, and the offline/error notes.
import { h, icon } from '../../../shared/dom.js';
import { failure } from '../store.js';
import { formatCount, formatDayTime, formatPercent } from './format.js';
import { nextSort, sortRows } from './model.js';
import { cityHref, periodId, yearOptions } from './period.js';

export const STATUS_TONE = { compliant: 'ok', non_compliant: 'bad', not_assessed: 'wait', pending_review: 'info' };
const STATUS_ICON = { compliant: 'check', non_compliant: 'cross', not_assessed: 'clock', pending_review: 'inbox' };

export function title(text) {
  return h('h2', { id: 'screen-title', class: 'screen__title', tabindex: '-1' }, text);
}

/** A status chip: icon and words, never colour alone. */
export function statusChip(t, status) {
  return h('span', { class: `chip chip--${STATUS_TONE[status] ?? 'info'}`, dataset: { status } },
    icon(STATUS_ICON[status] ?? 'alert'), h('span', null, t(`city.status.${status}`)));
}

/** "Số liệu tạm tính · tính lúc 08:30 01/03/2023" or "Số liệu chính thức (đã chốt) · …". */
export function finalBadge(t, figures) {
  const final = figures?.final === true;
  return h('p', { class: `city-badge city-badge--${final ? 'final' : 'provisional'}`, dataset: { final: String(final) } },
    icon(final ? 'lock' : 'clock'),
    h('strong', null, t(final ? 'city.badge.final' : 'city.badge.provisional')),
    figures?.computed_at ? h('span', null, ` · ${t('city.badge.computedAt', { when: formatDayTime(figures.computed_at) })}`) : null);
}

/** The note shown when the network is gone or a call failed; `retry` re-runs the load. */
export function problemNote(t, err, { stale = false, fetchedAt = null, retry = null } = {}) {
  if (stale) {
    return h('div', { class: 'banner banner--warn', role: 'status' }, icon('alert'),
      h('span', { class: 'banner__text' }, t('city.offline.stale', { when: formatDayTime(fetchedAt) })),
      retry ? h('button', { type: 'button', class: 'btn btn--small btn--ghost', onclick: retry }, t('city.retry')) : null);
  }
  const kind = failure(err);
  const text = kind === 'other' ? t('city.error.other', { message: String(err?.message ?? err) }) : t(`city.error.${kind}`);
  // A unit or period the server refuses stays refused: a way back, not "try again".
  const deadEnd = ['invalid_org_unit', 'invalid_period', 'forbidden'].includes(kind);
  return h('div', { class: `banner ${kind === 'offline' ? 'banner--warn' : 'banner--bad'}`, role: 'alert' }, icon('alert'),
    h('span', { class: 'banner__text' }, text),
    kind === 'signin' ? h('a', { class: 'btn btn--small btn--ghost', href: '/login' }, t('session.relogin')) : null,
    deadEnd ? h('a', { class: 'btn btn--small btn--ghost', href: '/city' }, t('city.error.home')) : null,
    retry && kind !== 'signin' && !deadEnd ? h('button', { type: 'button', class: 'btn btn--small btn--ghost', onclick: retry }, t('city.retry')) : null);
}

function field(id, label, control) {
  return h('div', { class: 'city-filters__field' }, h('label', { class: 'field__label', htmlFor: id }, label), control);
}

function select(id, options, value, onchange, disabled = false) {
  return h('select', { id, class: 'input city-select', onchange, disabled },
    options.map(([v, label]) => h('option', { value: String(v), selected: String(v) === String(value) }, label)));
}

/**
 * Period (kind, year, quarter/month) and unit (district, ward) pickers. Each change navigates,
 * so the URL always holds the view. `scope` is the ward officer's own unit (null for the city).
 * @param {{period: object, path: object[], tree: object, scope: object|null, go: (p: object) => void}} view
 */
export function pickers(ctx, { period, path, tree, scope, go }) {
  const { t } = ctx;
  const idOf = (el) => el.value;
  const kind = select('city-period-kind', [['year', t('city.period.kindYear')], ['quarter', t('city.period.kindQuarter')], ['month', t('city.period.kindMonth')]],
    period.kind, (e) => go({ period: periodId(idOf(e.target), period.year, 1) }));
  const year = select('city-year', yearOptions(new Date(), period.year).map((y) => [y, String(y)]), period.year,
    (e) => go({ period: periodId(period.kind, Number(idOf(e.target)), period.part) }));
  const parts = period.kind === 'quarter'
    ? [1, 2, 3, 4].map((q) => [q, t('city.period.quarterN', { n: q })])
    : Array.from({ length: 12 }, (_, i) => [i + 1, t('city.period.monthN', { n: i + 1 })]);
  const part = period.kind === 'year' ? null
    : select('city-period-part', parts, period.part, (e) => go({ period: periodId(period.kind, period.year, Number(idOf(e.target))) }));

  // Two levels below the city: a district and its wards before Hanoi's 1 July 2025 reform, a
  // ward or commune (with nothing below it) after. A ward officer stays inside their unit: the
  // levels above it are shown but fixed.
  const top = path[1] ?? null;
  const sub = path[2] ?? null;
  const scopePath = scope ? tree.path(scope.id) : [];
  const fixedTop = scopePath[1] ?? null;
  const fixedSub = scopePath[2] ?? null;
  const tops = tree.children('');
  const topOptions = fixedTop
    ? [[fixedTop.id, fixedTop.name]]
    : [['', t('city.unit.wholeCity')], ...tops.map((u) => [u.id, u.name])];
  const subsOf = top ? tree.children(top.id).map((u) => [u.id, u.name]) : [];
  const subOptions = fixedSub ? [[fixedSub.id, fixedSub.name]] : [['', t('city.unit.wholeDistrict')], ...subsOf];
  const hasTwoLevels = tops.some((u) => u.level === 'district') || fixedTop?.level === 'district';
  const topLabel = t(hasTwoLevels ? 'city.unit.district' : 'city.unit.ward');

  return h('form', { class: 'city-filters', 'aria-label': t('city.filters'), onsubmit: (e) => e.preventDefault() },
    h('fieldset', { class: 'city-filters__group' }, h('legend', { class: 'field__label' }, t('city.period.legend')),
      field('city-period-kind', t('city.period.kind'), kind),
      field('city-year', t('city.period.yearLabel'), year),
      part ? field('city-period-part', t(period.kind === 'quarter' ? 'city.period.quarter' : 'city.period.month'), part) : null),
    h('fieldset', { class: 'city-filters__group' }, h('legend', { class: 'field__label' }, t('city.unit.legend')),
      field('city-district', topLabel,
        select('city-district', topOptions, top?.id ?? '', (e) => go({ org_unit: idOf(e.target) }), Boolean(fixedTop) || tree.size === 0)),
      // After the reform nothing sits below a ward or commune: no second picker then.
      hasTwoLevels ? field('city-ward', t('city.unit.ward'),
        select('city-ward', subOptions, sub?.id ?? '', (e) => go({ org_unit: idOf(e.target) || top?.id || '' }), !subsOf.length || Boolean(fixedSub))) : null));
}

/** City › District › Ward, each a link to that level (the last one is the page itself). */
export function breadcrumb(ctx, path, unit, hrefFor) {
  const items = path.length ? path : [unit].filter(Boolean);
  return h('nav', { class: 'crumbs', 'aria-label': ctx.t('city.crumbs') },
    h('ol', null, items.map((u, i) => h('li', null, i === items.length - 1
      ? h('span', { 'aria-current': 'page' }, u.name)
      : h('a', { href: hrefFor(u.level === 'city' ? '' : u.id) }, u.name)))));
}

const COLUMNS = [
  ['name', 'city.col.unit'], ['markets_total', 'city.col.total'], ['compliant', 'city.col.compliant'],
  ['non_compliant', 'city.col.nonCompliant'], ['not_assessed', 'city.col.notAssessed'],
  ['pending_review', 'city.col.pending'], ['value', 'city.col.value'], ['coverage', 'city.col.coverage'],
];

export function cell(key, row, lang) {
  if (key === 'value' || key === 'coverage') return formatPercent(row[key], lang);
  return formatCount(row[key], lang);
}

/**
 * The breakdown, one row per child unit, sortable by any column. A row's unit name links to
 * that unit's dashboard; a click anywhere on the row does the same.
 */
export function breakdownTable(ctx, rows, { sort, onSort, hrefFor, caption }) {
  const { t, lang } = ctx;
  const sorted = sortRows(rows, sort);
  const head = COLUMNS.map(([key, label]) => {
    const active = sort.key === key;
    return h('th', { scope: 'col', class: key === 'name' ? null : 'num', 'aria-sort': active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : null },
      onSort
        ? h('button', { type: 'button', class: 'sort', dataset: { sort: key }, onclick: () => onSort(nextSort(sort, key)) },
          t(label), h('span', { class: 'sort__mark', 'aria-hidden': 'true' }, active ? (sort.dir === 'asc' ? '▲' : '▼') : '↕'))
        : t(label));
  });
  const body = sorted.map((row) => {
    const href = hrefFor ? hrefFor(row.org_unit.id) : null;
    return h('tr', {
      class: href ? 'is-link' : null, dataset: { unit: String(row.org_unit.id) },
      onclick: href ? (e) => { if (!(e.target instanceof Element && e.target.closest('a'))) ctx.navigate(href); } : null,
    },
    h('th', { scope: 'row' }, href ? h('a', { href }, row.org_unit.name) : row.org_unit.name),
    COLUMNS.slice(1).map(([key, label]) => h('td', { class: 'num', dataset: { col: key, label: t(label) } }, cell(key, row, lang))));
  });
  return h('div', { class: 'table-wrap' }, h('table', { class: 'table breakdown table--cards' },
    caption ? h('caption', null, caption) : null,
    h('thead', null, h('tr', null, head)), h('tbody', null, body)));
}

/** "Kiểm tra 08:30 01/03/2023 (Nguyễn Văn Kiểm) · Duyệt 10:00 02/03/2023 (Trần Thị Phương)". */
export function evidenceText(t, item) {
  if (!item?.visit_id) return item?.pending_review ? t('city.evidence.pending') : t('city.evidence.none');
  const parts = [t('city.evidence.observed', { when: formatDayTime(item.observed_at), who: item.inspector?.name ?? '—' })];
  parts.push(t('city.evidence.decided', { when: formatDayTime(item.decided_at), who: item.reviewer?.name ?? '—' }));
  return parts.join(' · ');
}

/** A table of markets with status and evidence; each evidence links to the visit's page. */
export function marketTable(ctx, items, { caption = null, showDistrict = true } = {}) {
  const { t } = ctx;
  return h('div', { class: 'table-wrap' }, h('table', { class: 'table markets-table' },
    caption ? h('caption', null, caption) : null,
    h('thead', null, h('tr', null,
      h('th', { scope: 'col' }, t('city.col.market')),
      h('th', { scope: 'col' }, t(showDistrict ? 'city.col.wardDistrict' : 'city.col.ward')),
      h('th', { scope: 'col' }, t('city.col.status')),
      h('th', { scope: 'col' }, t('city.col.evidence')))),
    h('tbody', null, items.map((item) => h('tr', { dataset: { market: String(item.market?.id), status: item.status } },
      h('th', { scope: 'row' }, h('span', { class: 'market-name' }, item.market?.name ?? '—'),
        h('span', { class: 'hint' }, ` ${[item.market?.code, item.market?.market_class && t('city.marketClass', { cls: t(`city.class.${item.market.market_class}`) })].filter(Boolean).join(' · ')}`)),
      h('td', null, [item.ward?.name, showDistrict ? item.district?.name : null].filter(Boolean).join(', ')),
      h('td', null, statusChip(t, item.status), item.pending_review ? [' ', statusChip(t, 'pending_review')] : null),
      h('td', { class: 'evidence' }, h('span', null, evidenceText(t, item)),
        item.visit_id ? [' ', h('a', { class: 'link', href: evidenceHref(item.visit_id), dataset: { visit: item.visit_id } },
          icon('image'), t('city.evidence.open'))] : null))))));
}

/** The evidence visit's page, with "back" to this screen (its period and unit). */
export const evidenceHref = (visitId) => `/review/visits/${encodeURIComponent(visitId)}?from=${encodeURIComponent(location.pathname + location.search)}`;

/** Where the markets list of a status lives. */
export const marketsHref = (period, orgUnit, status) => cityHref('/city/markets', { period: period.id, org_unit: orgUnit, status });
