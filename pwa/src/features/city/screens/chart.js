// The monthly trend of indicator 4.4 for one year: an SVG drawn here (no chart library) with
// the same figures as a table next to it, for screen readers and for anyone who wants numbers.
import { h } from '../../../shared/dom.js';
import { formatCount, formatPercent } from './format.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
export const CHART = { width: 640, height: 260, left: 44, right: 12, top: 14, bottom: 34 };
// On a phone the SVG is drawn in about as many units as it has pixels, so its labels keep
// their size instead of shrinking to half (640 units in ~330 px).
export const CHART_NARROW = { width: 360, height: 240, left: 40, right: 6, top: 12, bottom: 30 };
const narrowScreen = () => typeof matchMedia === 'function' && matchMedia('(max-width: 599px)').matches;

const isNumber = (v) => typeof v === 'number' && Number.isFinite(v);
const clamp01 = (v) => Math.min(1, Math.max(0, v));
const round1 = (v) => Math.round(v * 10) / 10;

/**
 * 'ytd' when the server's months carry `year_to_date` (figures for 1 January → the month's end),
 * else 'month' (each month's own figures only, as before that field existed).
 */
export function trendMode(months) {
  return (months ?? []).some((m) => m && typeof m.year_to_date === 'object' && m.year_to_date !== null) ? 'ytd' : 'month';
}

/**
 * Where everything goes, in SVG units. Values are shares (0..1) on a fixed 0–100% axis, so
 * two charts compare at a glance. 'ytd' mode: the line is the year-to-date share compliant and
 * the bars the month's own coverage; 'month' mode: bars are the month's share compliant and the
 * line its coverage. A month without markets has no bar (not a zero bar) and no point.
 * @returns {{mode: string, bars: object[], line: {x:number,y:number}[], ticks: {y:number,value:number}[],
 *            targetY: number|null, plot: {x0:number,x1:number,y0:number,y1:number}}}
 */
export function trendGeometry(months, target = null, box = CHART) {
  const x0 = box.left;
  const x1 = box.width - box.right;
  const y0 = box.height - box.bottom; // the 0% line
  const y1 = box.top; // the 100% line
  const yOf = (v) => round1(y0 - clamp01(v) * (y0 - y1));
  const list = months ?? [];
  const mode = trendMode(list);
  const barValue = (m) => (mode === 'ytd' ? m.coverage : m.value);
  const lineValue = (m) => (mode === 'ytd' ? m.year_to_date?.value : m.coverage);
  const slot = list.length ? (x1 - x0) / list.length : 0;
  const barWidth = round1(slot * 0.6);
  const bars = list.map((month, i) => {
    const x = round1(x0 + i * slot + (slot - barWidth) / 2);
    const centre = round1(x0 + i * slot + slot / 2);
    const missing = !isNumber(barValue(month));
    const y = missing ? y0 : yOf(barValue(month));
    return { i, x, centre, width: barWidth, y, height: round1(y0 - y), missing, month };
  });
  const line = bars.filter((b) => isNumber(lineValue(b.month))).map((b) => ({ x: b.centre, y: yOf(lineValue(b.month)) }));
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((value) => ({ value, y: yOf(value) }));
  return { mode, bars, line, ticks, targetY: isNumber(target) ? yOf(target) : null, plot: { x0, x1, y0, y1 } };
}

function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value !== null && value !== undefined) el.setAttribute(key, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined) continue;
    el.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Month number of a trend row ("2023-03" → 3). */
const monthOf = (row, i) => Number(String(row?.period?.id ?? '').slice(5, 7)) || i + 1;

/**
 * The chart (role img, with a one-sentence summary) and its table alternative, whose month
 * names open that month's dashboard when `monthHref` is given. The table stays open across the
 * screen's redraws (a sync ending, a sort) when the screen keeps `table.open` and `table.onToggle`.
 */
export function trendChart(ctx, trend, monthHref = null, table = {}) {
  const { t, lang } = ctx;
  const months = trend?.months ?? [];
  const box = narrowScreen() ? CHART_NARROW : CHART;
  const geo = trendGeometry(months, trend?.target, box);
  const ytd = geo.mode === 'ytd';
  const shownValue = (m) => (ytd ? m.year_to_date?.value : m.value);
  const last = [...months].reverse().find((m) => isNumber(shownValue(m)));
  const summary = t('city.trend.summary', {
    year: trend?.year ?? '',
    last: last
      ? t(ytd ? 'city.trend.lastYtd' : 'city.trend.lastValue', { month: monthOf(last, months.indexOf(last)), value: formatPercent(shownValue(last), lang) })
      : t('city.trend.noData'),
    target: formatPercent(trend?.target, lang),
  });
  const titleId = 'trend-title';
  const descId = 'trend-desc';
  const chart = svg('svg', {
    class: `trend__svg trend__svg--${geo.mode}`, viewBox: `0 0 ${box.width} ${box.height}`, role: 'img',
    'aria-labelledby': `${titleId} ${descId}`, preserveAspectRatio: 'xMidYMid meet', 'data-mode': geo.mode,
  },
  svg('title', { id: titleId }, t(ytd ? 'city.trend.titleYtd' : 'city.trend.title', { year: trend?.year ?? '' })),
  svg('desc', { id: descId }, summary),
  geo.ticks.map((tick) => [
    svg('line', { class: 'trend__grid', x1: geo.plot.x0, x2: geo.plot.x1, y1: tick.y, y2: tick.y }),
    svg('text', { class: 'trend__axis', x: geo.plot.x0 - 6, y: tick.y + 4, 'text-anchor': 'end' }, formatPercent(tick.value, lang)),
  ]),
  geo.bars.map((bar) => [
    bar.missing
      ? svg('text', { class: 'trend__none', x: bar.centre, y: geo.plot.y0 - 4, 'text-anchor': 'middle' }, '–')
      : svg('rect', { class: 'trend__bar', x: bar.x, y: bar.y, width: bar.width, height: Math.max(bar.height, 0.5), 'data-month': bar.month?.period?.id ?? '' }),
    svg('text', { class: 'trend__axis', x: bar.centre, y: box.height - 12, 'text-anchor': 'middle' }, `T${monthOf(bar.month, bar.i)}`),
  ]),
  geo.line.length > 1
    ? svg('polyline', { class: 'trend__coverage', points: geo.line.map((p) => `${p.x},${p.y}`).join(' ') })
    : null,
  geo.line.map((p) => svg('circle', { class: 'trend__dot', cx: p.x, cy: p.y, r: 3.5 })),
  geo.targetY === null ? null : svg('line', { class: 'trend__target', x1: geo.plot.x0, x2: geo.plot.x1, y1: geo.targetY, y2: geo.targetY }),
  );

  const legend = h('ul', { class: `trend__legend trend__legend--${geo.mode}`, 'aria-hidden': 'true' },
    h('li', { class: 'trend__key trend__key--bar' }, t(ytd ? 'city.trend.legendMonthCoverage' : 'city.trend.legendValue')),
    h('li', { class: 'trend__key trend__key--coverage' }, t(ytd ? 'city.trend.legendYtd' : 'city.trend.legendCoverage')),
    h('li', { class: 'trend__key trend__key--target' }, t('city.trend.legendTarget')));

  // Each cell carries its column's name: on a phone the rows are cards that label their figures.
  const num = (text, labelKey) => h('td', { class: 'num', dataset: { label: t(labelKey) } }, text);
  const monthTable = h('table', { class: 'table table--compact table--cards', dataset: { mode: geo.mode } },
    h('caption', { class: 'visually-hidden' }, t('city.trend.tableCaption', { year: trend?.year ?? '' })),
    h('thead', null, h('tr', null,
      h('th', { scope: 'col' }, t('city.col.month')),
      h('th', { scope: 'col', class: 'num' }, t('city.col.compliant')),
      h('th', { scope: 'col', class: 'num' }, t('city.col.total')),
      h('th', { scope: 'col', class: 'num' }, t(ytd ? 'city.col.valueMonth' : 'city.col.value')),
      h('th', { scope: 'col', class: 'num' }, t(ytd ? 'city.col.coverageMonth' : 'city.col.coverage')),
      ytd ? [h('th', { scope: 'col', class: 'num' }, t('city.col.compliantYtd')), h('th', { scope: 'col', class: 'num' }, t('city.col.valueYtd')), h('th', { scope: 'col', class: 'num' }, t('city.col.coverageYtd'))] : null)),
    h('tbody', null, months.map((m, i) => h('tr', { dataset: { month: m.period?.id ?? '' } },
      h('th', { scope: 'row' }, monthHref && m.period?.id
        ? h('a', { href: monthHref(m.period.id) }, t('city.period.monthOf', { month: monthOf(m, i), year: trend?.year ?? '' }))
        : t('city.period.monthOf', { month: monthOf(m, i), year: trend?.year ?? '' })),
      num(formatCount(m.compliant, lang), 'city.col.compliant'),
      num(formatCount(m.markets_total, lang), 'city.col.total'),
      num(formatPercent(m.value, lang), ytd ? 'city.col.valueMonth' : 'city.col.value'),
      num(formatPercent(m.coverage, lang), ytd ? 'city.col.coverageMonth' : 'city.col.coverage'),
      ytd ? [num(formatCount(m.year_to_date?.compliant, lang), 'city.col.compliantYtd'), num(formatPercent(m.year_to_date?.value, lang), 'city.col.valueYtd'),
        num(formatPercent(m.year_to_date?.coverage, lang), 'city.col.coverageYtd')] : null))));

  return h('figure', { class: 'trend' },
    chart,
    legend,
    h('figcaption', { class: 'hint' }, summary),
    h('details', { class: 'trend__table', open: table.open ? true : null, ontoggle: (e) => table.onToggle?.(e.target.open) },
      h('summary', null, t('city.trend.showTable')), h('div', { class: 'table-wrap' }, monthTable)));
}
