// A two-point sketch for the officer (no tiles, works offline): where the phone was when the
// visit was recorded, where the market is, the line between them with its length, the GPS
// accuracy as a circle, and a scale bar. North is up; a local flat projection (metres east and
// north of the market) is exact enough for the few hundred metres that matter here.
import { h } from '../../../shared/dom.js';
import { formatDistance } from '../../../shared/format.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
const M_PER_DEG = 111_195;
const isNumber = (v) => typeof v === 'number' && Number.isFinite(v);
const hasPoint = (p) => !!p && isNumber(p.lat) && isNumber(p.lon);
const round1 = (v) => Math.round(v * 10) / 10;

function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs ?? {})) if (value !== null && value !== undefined) el.setAttribute(key, String(value));
  for (const child of children.flat()) if (child !== null && child !== undefined) el.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  return el;
}

/** Metres east/north of `origin` (equirectangular at the origin's latitude). */
export function localMetres(origin, point) {
  const k = Math.cos((origin.lat * Math.PI) / 180);
  return { east: (point.lon - origin.lon) * k * M_PER_DEG, north: (point.lat - origin.lat) * M_PER_DEG };
}

/**
 * Where the two points, the accuracy circle and the scale bar go in a `width`×`height` box:
 * the market at the centre, the frame at least `minSpan` metres wide.
 */
export function sketchGeometry(market, phone, { width = 320, height = 180, pad = 24, minSpan = 100 } = {}) {
  const d = localMetres(market, phone);
  const accuracy = isNumber(phone.accuracy_m) ? phone.accuracy_m : 0;
  const half = Math.max(minSpan / 2, Math.abs(d.east) + accuracy, Math.abs(d.north) + accuracy);
  const scale = Math.min((width / 2 - pad) / half, (height / 2 - pad) / half);
  const cx = width / 2;
  const cy = height / 2;
  const raw = 80 / scale;
  const power = 10 ** Math.floor(Math.log10(raw));
  const metres = [5, 2, 1].map((m) => m * power).find((m) => m <= raw) ?? power;
  return {
    market: { x: cx, y: cy },
    phone: { x: round1(cx + d.east * scale), y: round1(cy - d.north * scale) },
    accuracy: round1(accuracy * scale),
    scale: { metres, length: round1(metres * scale) },
    width, height,
  };
}

/** The sketch, or null when the visit has no GPS point or the market no coordinates. */
export function placeSketch(t, lang, item, market, distance) {
  if (!hasPoint(item?.location) || !hasPoint(market)) return null;
  const g = sketchGeometry(market, item.location);
  const d = localMetres(market, item.location);
  const text = formatDistance(isNumber(distance) ? distance : Math.hypot(d.east, d.north), lang);
  const label = t('rv.sketchDesc', { distance: text });
  const mid = { x: (g.market.x + g.phone.x) / 2, y: (g.market.y + g.phone.y) / 2 };
  const barY = g.height - 10;
  return h('figure', { class: 'place-sketch' },
    svg('svg', { class: 'place-sketch__svg', viewBox: `0 0 ${g.width} ${g.height}`, role: 'img', 'aria-label': label, 'data-distance': text },
      svg('rect', { class: 'place-sketch__bg', x: 0, y: 0, width: g.width, height: g.height }),
      g.accuracy > 1 ? svg('circle', { class: 'place-sketch__accuracy', cx: g.phone.x, cy: g.phone.y, r: g.accuracy }) : null,
      svg('line', { class: 'place-sketch__line', x1: g.market.x, y1: g.market.y, x2: g.phone.x, y2: g.phone.y }),
      svg('rect', { class: 'place-sketch__market', x: g.market.x - 6, y: g.market.y - 6, width: 12, height: 12, 'data-point': 'market' }),
      svg('circle', { class: 'place-sketch__phone', cx: g.phone.x, cy: g.phone.y, r: 6, 'data-point': 'visit' }),
      text ? svg('text', { class: 'place-sketch__distance', x: mid.x + 10, y: mid.y - 4, 'text-anchor': 'start' }, text) : null,
      svg('path', { class: 'place-sketch__bar', d: `M10,${barY - 4}V${barY}H${10 + g.scale.length}V${barY - 4}` }),
      svg('text', { class: 'place-sketch__scale', x: 16 + g.scale.length, y: barY }, g.scale.metres >= 1000 ? `${g.scale.metres / 1000} km` : `${g.scale.metres} m`),
      svg('text', { class: 'place-sketch__north', x: g.width - 16, y: 16, 'text-anchor': 'middle' }, '↑ B')),
    h('figcaption', { class: 'place-sketch__keys' },
      h('span', { class: 'place-sketch__key place-sketch__key--market' }, t('rv.sketchMarket')),
      h('span', { class: 'place-sketch__key place-sketch__key--visit' }, t('rv.sketchVisit'))));
}
