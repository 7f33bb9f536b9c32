// The market picker's model: search (diacritics ignored), recently visited on top, then nearest
// first when the phone knows where it is, else by name. Pure functions, no DOM.
import { fold, matchesTokens, queryTokens } from '../shared/text.js';
import { distanceMeters } from './geo.js';

export const MARKET_CLASSES = ['1', '2', '3', 'unclassified'];

/** i18n key of a market class badge ("Hạng 1", …, "Chưa phân hạng"). */
export function classKey(marketClass) {
  return MARKET_CLASSES.includes(String(marketClass))
    ? `market.class.${marketClass}`
    : 'market.class.unclassified';
}

/** True when the market had closed on or before `today` ("YYYY-MM-DD"). */
export function isClosed(market, today) {
  return typeof market.closed_on === 'string' && market.closed_on !== '' && market.closed_on <= today;
}

/**
 * One entry per open market with its ward and district names and a folded search text.
 * @param {object[]} markets replica rows (DESIGN §5.2 market data)
 * @param {object[]} orgUnits replica rows
 * @param {string} today "YYYY-MM-DD"
 */
export function indexMarkets(markets, orgUnits, today) {
  const units = new Map((orgUnits ?? []).map((u) => [String(u.id), u]));
  const entries = [];
  for (const market of markets ?? []) {
    if (!market || isClosed(market, today)) continue;
    const ward = units.get(String(market.org_unit_id)) ?? null;
    const district = ward && ward.parent_id != null ? units.get(String(ward.parent_id)) ?? null : null;
    const wardName = ward?.name ?? '';
    const districtName = district && district.level !== 'city' ? district.name : '';
    entries.push({
      market,
      id: String(market.id),
      wardName,
      districtName,
      sortName: fold(market.name),
      haystack: fold([market.name, market.code, wardName, districtName, market.address].join(' ')),
    });
  }
  return entries;
}

function time(value) {
  const ms = typeof value === 'string' || value instanceof Date ? new Date(value).getTime() : NaN;
  return Number.isNaN(ms) ? 0 : ms;
}

/** market id → time (ms) of the latest visit this phone holds for it. */
export function lastVisitTimes(visits) {
  const last = new Map();
  for (const visit of visits ?? []) {
    if (!visit || visit.market_id == null) continue;
    const id = String(visit.market_id);
    const at = time(visit.observed_at);
    if (!last.has(id) || at > last.get(id)) last.set(id, at);
  }
  return last;
}

const byName = (a, b) => (a.entry.sortName < b.entry.sortName ? -1 : a.entry.sortName > b.entry.sortName ? 1 : 0);

/**
 * @param {ReturnType<typeof indexMarkets>} entries
 * @param {{query?: string, position?: {lat:number, lon:number}|null,
 *          lastVisits?: Map<string, number>, recentLimit?: number}} options
 * @returns {{recent: Item[], others: Item[], total: number}} where
 *          Item = {entry, distance_m: number|null, lastVisitAt: number|null}
 */
export function orderMarkets(entries, { query = '', position = null, lastVisits = new Map(), recentLimit = 3 } = {}) {
  const tokens = queryTokens(query);
  const items = [];
  for (const entry of entries) {
    if (tokens.length && !matchesTokens(tokens, entry.haystack)) continue;
    items.push({
      entry,
      distance_m: position ? distanceMeters(position, entry.market) : null,
      lastVisitAt: lastVisits.has(entry.id) ? lastVisits.get(entry.id) : null,
    });
  }
  const recent = items
    .filter((item) => item.lastVisitAt !== null)
    .sort((a, b) => b.lastVisitAt - a.lastVisitAt || byName(a, b))
    .slice(0, recentLimit);
  const recentIds = new Set(recent.map((item) => item.entry.id));
  const others = items
    .filter((item) => !recentIds.has(item.entry.id))
    .sort((a, b) => {
      if (a.distance_m !== null && b.distance_m !== null) return a.distance_m - b.distance_m || byName(a, b);
      if (a.distance_m !== null) return -1; // markets without coordinates go last
      if (b.distance_m !== null) return 1;
      return byName(a, b);
    });
  return { recent, others, total: items.length };
}
