// The map as SVG (prints, and every element is addressable): units as <path data-org-unit>,
// shaded by share compliant and hatched where coverage is low; markets as <circle data-market>
// coloured by status; the city outline under them. Each shape and dot is a focusable link whose
// figures show in a side panel (aria-live) on hover, focus or tap; press/Enter follows it.
import { h } from '../../../shared/dom.js';
import { formatCount, formatPercent } from '../screens/format.js';
import { SHADES, bbox, fitProjection, pathData, scaleBar, unitLook } from './geometry.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
const LEVELS = ['city', 'district', 'ward', 'commune'];
export const DOT_STATUSES = ['compliant', 'non_compliant', 'not_assessed', 'pending_review'];

export function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value !== null && value !== undefined && value !== false) el.setAttribute(key, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** What a unit's panel and aria-label say. */
function unitLines(t, lang, row) {
  const name = row.org_unit?.name ?? '';
  const level = LEVELS.includes(row.org_unit?.level) ? t(`level.${row.org_unit.level}`) : '';
  const kind = [level, row.org_unit?.code].filter(Boolean).join(' · ');
  if (!row.markets_total) return [name, kind, t('city.map.unitNoMarkets')];
  return [
    name,
    kind,
    t('city.map.unitFigures', { compliant: formatCount(row.compliant, lang), total: formatCount(row.markets_total, lang), value: formatPercent(row.value, lang), coverage: formatPercent(row.coverage, lang) }),
    t('city.map.unitCounts', { bad: formatCount(row.non_compliant, lang), none: formatCount(row.not_assessed, lang), pending: formatCount(row.pending_review, lang) }),
  ];
}

function marketLines(t, dot) {
  const { item } = dot;
  return [
    item.market?.name ?? '',
    [item.market?.code, item.ward?.name ?? item.district?.name].filter(Boolean).join(' · '),
    t(`city.map.status.${dot.status}`),
  ];
}

/**
 * The figure: svg + side panel. layers: {units: [{row, feature, drill}], outline: Feature[],
 * dots: [{item, lat, lon, status}]}; links: {unit(row) → href|null, market(item) → href}.
 */
export function mapFigure(ctx, layers, { title, desc, links, navigate }) {
  const { t, lang } = ctx;
  const framed = layers.units.length ? layers.units.map((u) => u.feature.geometry) : layers.outline.map((f) => f.geometry);
  const box = bbox(framed, framed.length ? [] : layers.dots);
  const proj = fitProjection(box, { width: 640, pad: 12 });
  const panel = h('div', { class: 'map-panel', role: 'status', 'aria-live': 'polite', 'aria-label': t('city.map.panelLabel') },
    h('p', { class: 'hint' }, t('city.map.panelEmpty')));

  const show = (lines, hint) => {
    panel.textContent = '';
    panel.append(h('p', { class: 'map-panel__name' }, lines[0]), ...lines.slice(1).filter(Boolean).map((line) => h('p', { class: 'map-panel__line' }, line)),
      hint ? h('p', { class: 'hint map-panel__hint' }, hint) : '');
  };
  /** Hover, focus and tap show the figures; a press (or Enter) follows the link. */
  const wire = (el, lines, href, hint) => {
    el.setAttribute('aria-label', lines.filter(Boolean).join('. '));
    const select = () => {
      (el.ownerSVGElement ?? el.parentNode)?.querySelectorAll('.is-selected').forEach((other) => other.classList.remove('is-selected'));
      el.classList.add('is-selected');
      show(lines, href ? hint : null);
    };
    el.addEventListener('mouseenter', select);
    el.addEventListener('focus', select);
    if (!href) return el;
    el.setAttribute('tabindex', '0');
    el.setAttribute('role', 'link');
    el.addEventListener('click', () => navigate(href));
    el.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') navigate(href);
    });
    return el;
  };

  const units = layers.units.map(({ row, feature, drill }) => {
    const look = unitLook(row);
    const d = pathData(feature.geometry, proj);
    const href = drill ? links.unit(row) : null;
    const shape = wire(svg('path', {
      class: `map-unit map-unit--${look.shade}${drill ? '' : ' map-unit--current'}`, d, 'fill-rule': 'evenodd',
      'data-org-unit': row.org_unit?.code ?? '', 'data-unit-id': row.org_unit?.id ?? '', 'data-shade': look.shade, 'data-hatched': String(look.hatched),
    }), unitLines(t, lang, row), href, t('city.map.openUnit'));
    return [shape, look.hatched ? svg('path', { class: 'map-hatch', d, 'fill-rule': 'evenodd', 'aria-hidden': 'true' }) : null];
  });
  const radius = layers.units.length === 1 ? 7 : 4.5;
  // Each dot sits on a white halo, so its colour reads on every shade (a green dot on dark green).
  const dots = layers.dots.map((dot) => {
    const [cx, cy] = proj.point(dot.lon, dot.lat);
    return [
      svg('circle', { class: 'map-dot__halo', cx, cy, r: radius + 2, 'aria-hidden': 'true' }),
      wire(svg('circle', {
        class: `map-dot map-dot--${dot.status}`, cx, cy, r: radius,
        'data-market': dot.item.market?.code ?? '', 'data-market-id': dot.item.market?.id ?? '', 'data-status': dot.status,
      }), marketLines(t, dot), links.market(dot.item), t(dot.item.visit_id ? 'city.map.openEvidence' : 'city.map.openList')),
    ];
  });
  const current = layers.units.length === 1 && !layers.units[0].drill ? layers.units[0].row : null;
  if (current) show(unitLines(t, lang, current), null); // the unit drilled into: its figures first

  const bar = scaleBar(proj.metresPerUnit, 90);
  const barY = proj.height - 10;
  const scale = bar ? svg('g', { class: 'map-scale', 'aria-label': t('city.map.scale') },
    svg('path', { class: 'map-scale__bar', d: `M12,${barY - 4}V${barY}H${12 + bar.length}V${barY - 4}` }),
    svg('text', { class: 'map-scale__text', x: 12 + bar.length + 6, y: barY }, bar.metres >= 1000 ? `${bar.metres / 1000} km` : `${bar.metres} m`)) : null;

  const chart = svg('svg', {
    class: 'map-svg', viewBox: `0 0 ${proj.width} ${proj.height}`, role: 'group', 'aria-labelledby': 'map-title map-desc',
    preserveAspectRatio: 'xMidYMid meet', 'data-units': layers.units.length, 'data-markets': layers.dots.length,
  },
  svg('title', { id: 'map-title' }, title),
  svg('desc', { id: 'map-desc' }, desc),
  svg('defs', null, svg('pattern', { id: 'map-hatch', patternUnits: 'userSpaceOnUse', width: 6, height: 6, patternTransform: 'rotate(45)' },
    svg('line', { class: 'map-hatch__line', x1: 0, y1: 0, x2: 0, y2: 6 }))),
  svg('g', { class: 'map-outline', 'aria-hidden': 'true' }, layers.outline.map((f) => svg('path', { class: 'map-outline__path', d: pathData(f.geometry, proj), 'fill-rule': 'evenodd' }))),
  svg('g', { class: 'map-units' }, units),
  svg('g', { class: 'map-markets' }, dots),
  scale);
  tapNearest(chart);
  return h('div', { class: 'map-layout' }, h('figure', { class: 'map-figure' }, chart), panel);
}

// A fingertip is wider than a market's dot (a few pixels on a phone): with a touch screen, a tap
// within TAP_PX of a market, on a unit or the background, is a tap on the nearest market. A
// mouse keeps its precision, so a desk user still opens the unit beside a dot.
const TAP_PX = 22;
function tapNearest(chart) {
  if (!globalThis.matchMedia?.('(pointer: coarse)').matches) return;
  chart.addEventListener('click', (event) => {
    if (event.target.closest?.('[data-market]')) return;
    let nearest = null;
    let best = TAP_PX;
    for (const dot of chart.querySelectorAll('[data-market]')) {
      const r = dot.getBoundingClientRect();
      const d = Math.hypot(event.clientX - (r.left + r.width / 2), event.clientY - (r.top + r.height / 2));
      if (d < best) [nearest, best] = [dot, d];
    }
    if (!nearest) return;
    event.stopPropagation(); // not the unit under the finger
    nearest.dispatchEvent(new MouseEvent('click', { bubbles: true }));
  }, { capture: true });
}

/** The legend (HTML, so it reads and prints as text): shades, hatch, market colours with counts. */
export function mapLegend(ctx, dots) {
  const { t, lang } = ctx;
  const count = (status) => dots.filter((d) => d.status === status).length;
  const pct = (v) => formatPercent(v, lang);
  return h('section', { class: 'map-legend', 'aria-labelledby': 'map-legend-title' },
    h('h3', { id: 'map-legend-title', class: 'list-title' }, t('city.map.legend')),
    h('p', { class: 'map-legend__head' }, t('city.map.legendShare')),
    h('ul', { class: 'map-legend__list' },
      SHADES.map((s, i) => h('li', { class: 'map-key', dataset: { shade: s.key } }, h('span', { class: `map-swatch map-swatch--${s.key}`, 'aria-hidden': 'true' }),
        i === SHADES.length - 1 ? `${pct(s.from)} – ${pct(s.to)}` : `${pct(s.from)} – < ${pct(s.to)}`)),
      h('li', { class: 'map-key', dataset: { shade: 'empty' } }, h('span', { class: 'map-swatch map-swatch--empty', 'aria-hidden': 'true' }), t('city.map.legendEmpty')),
      h('li', { class: 'map-key', dataset: { shade: 'hatched' } }, h('span', { class: 'map-swatch map-swatch--hatched', 'aria-hidden': 'true' }), t('city.map.legendHatched'))),
    h('p', { class: 'map-legend__head' }, t('city.map.legendMarkets')),
    h('ul', { class: 'map-legend__list' }, DOT_STATUSES.map((status) => h('li', { class: 'map-key', dataset: { status } },
      h('span', { class: `map-swatch map-swatch--dot map-swatch--${status}`, 'aria-hidden': 'true' }),
      t('city.map.statusCount', { label: t(`city.map.status.${status}`), count: formatCount(count(status), lang) })))));
}
