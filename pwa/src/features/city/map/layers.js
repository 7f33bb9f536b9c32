// What the map draws, from the answers it has (pure, tested): the units of the breakdown that
// have a boundary (the units in force in the period), else the unit shown itself; the markets of
// /indicator/markets placed by their coordinates (the answer's, else the phone's replica).
import { dotStatus } from './geometry.js';

const isNumber = (v) => typeof v === 'number' && Number.isFinite(v);

/**
 * @param {{indicator: object|null, markets: object[]|null, replica: object[], geo: {units: Map, outline: object[]}|null}} input
 * @returns {{units: {row, feature, drill}[], outline: object[], dots: {item, lat, lon, status}[],
 *            missing: object[], shapes: boolean}}
 */
export function mapLayers({ indicator, markets, replica = [], geo }) {
  const featureOf = (unit) => (geo && unit?.code ? geo.units.get(String(unit.code)) ?? null : null);
  let units = (indicator?.breakdown ?? [])
    .map((row) => ({ row, feature: featureOf(row.org_unit), drill: true }))
    .filter((u) => u.feature);
  const own = featureOf(indicator?.org_unit);
  if (!units.length && own) units = [{ row: indicator, feature: own, drill: false }];
  const coords = new Map((replica ?? []).map((m) => [String(m.id), m]));
  const dots = [];
  const missing = [];
  for (const item of markets ?? []) {
    const m = item.market ?? {};
    const place = isNumber(m.lat) && isNumber(m.lon) ? m : coords.get(String(m.id));
    if (place && isNumber(place.lat) && isNumber(place.lon)) dots.push({ item, lat: place.lat, lon: place.lon, status: dotStatus(item) });
    else missing.push(item);
  }
  // A unit alone (drilled into) is framed by itself; the city, or units without boundaries, by
  // the city's outline.
  const outline = geo && (!units.length || units.length > 1 || units[0].drill) ? geo.outline : [];
  return { units, outline, dots, missing, shapes: units.length > 0 };
}
