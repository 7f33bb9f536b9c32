// The map's arithmetic, no DOM: a plain equirectangular projection scaled by cos(latitude)
// (enough for a city 100 km across: the error is far below a pixel's worth of meaning), GeoJSON
// rings → SVG path data, and how a unit is shaded (share compliant) and hatched (low coverage).

const isNumber = (v) => typeof v === 'number' && Number.isFinite(v);
const round1 = (v) => Math.round(v * 10) / 10;

/** The rings of a Polygon or MultiPolygon geometry (other types: none). */
export function ringsOf(geometry) {
  if (geometry?.type === 'Polygon') return geometry.coordinates ?? [];
  if (geometry?.type === 'MultiPolygon') return (geometry.coordinates ?? []).flat();
  return [];
}

/** [minLon, minLat, maxLon, maxLat] of geometries and {lat, lon} points; null when empty. */
export function bbox(geometries = [], points = []) {
  let box = null;
  const add = (lon, lat) => {
    if (!isNumber(lon) || !isNumber(lat)) return;
    if (!box) box = [lon, lat, lon, lat];
    else box = [Math.min(box[0], lon), Math.min(box[1], lat), Math.max(box[2], lon), Math.max(box[3], lat)];
  };
  for (const geometry of geometries) for (const ring of ringsOf(geometry)) for (const [lon, lat] of ring) add(lon, lat);
  for (const p of points) add(p?.lon, p?.lat);
  return box;
}

/**
 * A projection fitting `box` into `width` (the height follows the box's shape) with `pad` SVG
 * units around it: {x(lon, lat), y(lon, lat), point(lon, lat) → [x, y], width, height, metresPerUnit}.
 * A box of one point (a single market) is widened to about 1 km so it still has a size.
 */
export function fitProjection(box, { width = 640, pad = 12, minSpan = 0.01 } = {}) {
  let [minLon, minLat, maxLon, maxLat] = box ?? [105.3, 20.55, 106.05, 21.4];
  if (maxLon - minLon < minSpan) [minLon, maxLon] = [(minLon + maxLon - minSpan) / 2, (minLon + maxLon + minSpan) / 2];
  if (maxLat - minLat < minSpan) [minLat, maxLat] = [(minLat + maxLat - minSpan) / 2, (minLat + maxLat + minSpan) / 2];
  const k = Math.cos((((minLat + maxLat) / 2) * Math.PI) / 180);
  const spanX = (maxLon - minLon) * k;
  const spanY = maxLat - minLat;
  const scale = (width - 2 * pad) / spanX;
  const height = Math.ceil(spanY * scale + 2 * pad);
  const x = (lon) => round1(pad + (lon - minLon) * k * scale);
  const y = (_lon, lat) => round1(pad + (maxLat - lat) * scale);
  return {
    x, y, width, height,
    point: (lon, lat) => [x(lon), y(lon, lat)],
    /** One degree of latitude is 111.2 km: metres per SVG unit. */
    metresPerUnit: 111_195 / scale,
  };
}

/** SVG path data of a Polygon/MultiPolygon: "M x,y L … Z" per ring (holes drawn even-odd). */
export function pathData(geometry, projection) {
  const parts = [];
  for (const ring of ringsOf(geometry)) {
    if (!ring.length) continue;
    const pts = ring.map(([lon, lat]) => projection.point(lon, lat));
    parts.push(`M${pts.map(([px, py]) => `${px},${py}`).join('L')}Z`);
  }
  return parts.join('');
}

/** The legend's classes of share compliant, lowest first: [from, to) and the last is [0.8, 1]. */
export const SHADES = [0, 0.2, 0.4, 0.6, 0.8].map((from, i) => ({ key: `s${i}`, from, to: i === 4 ? 1 : from + 0.2 }));

/** Below this coverage (share of markets assessed) a unit's share says little: hatched. */
export const LOW_COVERAGE = 0.5;

/**
 * How a unit with these figures is drawn: {shade: 's0'…'s4' | 'empty', hatched}.
 * No markets → 'empty' (nothing to shade, nothing to hatch); nothing assessed or coverage below
 * 50 % → hatched over its shade.
 */
export function unitLook(figures) {
  const total = figures?.markets_total ?? 0;
  if (!total) return { shade: 'empty', hatched: false };
  const value = isNumber(figures.value) ? figures.value : 0;
  const shade = SHADES.find((s, i) => value < s.to || i === SHADES.length - 1).key;
  const assessed = (figures.compliant ?? 0) + (figures.non_compliant ?? 0);
  const coverage = isNumber(figures.coverage) ? figures.coverage : assessed / total;
  return { shade, hatched: assessed === 0 || coverage < LOW_COVERAGE };
}

/**
 * The status a market's dot shows: its indicator status, except that a market with no approved
 * evidence but a visit awaiting review shows "Chờ duyệt".
 */
export function dotStatus(item) {
  if (item?.status === 'not_assessed' && item?.pending_review) return 'pending_review';
  return ['compliant', 'non_compliant', 'not_assessed'].includes(item?.status) ? item.status : 'not_assessed';
}

/** A scale bar of a "round" length (1, 2, 5 × 10^n metres) about `target` SVG units long. */
export function scaleBar(metresPerUnit, target = 100) {
  if (!isNumber(metresPerUnit) || metresPerUnit <= 0) return null;
  const raw = metresPerUnit * target;
  const power = 10 ** Math.floor(Math.log10(raw));
  const metres = [5, 2, 1].map((m) => m * power).find((m) => m <= raw) ?? power;
  return { metres, length: round1(metres / metresPerUnit) };
}
