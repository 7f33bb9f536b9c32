// The market picker's model: search (diacritics ignored), recently visited on top, then nearest
// first when the phone knows where it is, else by name; markets due for inspection (not visited
// for N days, GET /markets/overdue) are marked and can be listed alone. Pure functions, no DOM.
import { fold, matchesTokens, queryTokens } from '../../shared/text.js';
import { distanceMeters } from './geo.js';

export { classKey, MARKET_CLASSES } from '../../shared/marketClass.js';

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

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The server's overdue list in the small shape kept on the phone for offline use:
 * {userId, computedAt, days, fetchedAt, markets: [[id, lastVisitMs|null], …]}.
 * @param {{computed_at: string|null, days: number, markets: object[]}} body
 */
export function compactOverdue(body, userId, fetchedAt) {
  const markets = Array.isArray(body?.markets) ? body.markets : [];
  return {
    userId: userId ?? null,
    computedAt: body?.computed_at ?? null,
    days: Number(body?.days) > 0 ? Number(body.days) : 30,
    fetchedAt,
    markets: markets
      .filter((m) => m && m.id != null)
      .map((m) => [String(m.id), m.last_visit_at ? time(m.last_visit_at) || null : null]),
  };
}

/**
 * Market id → last visit time (ms) or null (never visited), for the markets due for inspection:
 * the server's list, less those this phone has a visit for within the last `days` days (a visit
 * saved offline counts at once, before the server or the next job run knows of it).
 * @param {ReturnType<typeof compactOverdue>|null} overdue
 * @param {Map<string, number>} lastVisits from lastVisitTimes()
 * @param {number} now ms
 */
export function dueMarkets(overdue, lastVisits = new Map(), now = Date.now()) {
  const due = new Map();
  if (!overdue || !Array.isArray(overdue.markets)) return due;
  const since = now - overdue.days * DAY_MS;
  for (const [id, lastVisitAt] of overdue.markets) {
    const local = lastVisits.get(String(id));
    if (local && local >= since) continue;
    due.set(String(id), local && (!lastVisitAt || local > lastVisitAt) ? local : lastVisitAt);
  }
  return due;
}

/**
 * @param {ReturnType<typeof indexMarkets>} entries
 * @param {{query?: string, position?: {lat:number, lon:number}|null,
 *          lastVisits?: Map<string, number>, recentLimit?: number,
 *          due?: Map<string, number|null>, onlyDue?: boolean}} options
 * @returns {{recent: Item[], others: Item[], total: number, dueCount: number}} where
 *          Item = {entry, distance_m: number|null, lastVisitAt: number|null, due: boolean};
 *          dueCount counts the due markets matching the query; with onlyDue, only they are
 *          listed (no "recent" section: a recently visited market is not due).
 */
export function orderMarkets(
  entries,
  { query = '', position = null, lastVisits = new Map(), recentLimit = 3, due = new Map(), onlyDue = false } = {},
) {
  const tokens = queryTokens(query);
  const items = [];
  let dueCount = 0;
  for (const entry of entries) {
    if (tokens.length && !matchesTokens(tokens, entry.haystack)) continue;
    const isDue = due.has(entry.id);
    if (isDue) dueCount += 1;
    if (onlyDue && !isDue) continue;
    items.push({
      entry,
      distance_m: position ? distanceMeters(position, entry.market) : null,
      lastVisitAt: lastVisits.has(entry.id) ? lastVisits.get(entry.id) : null,
      due: isDue,
    });
  }
  const recent = onlyDue
    ? []
    : items
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
  return { recent, others, total: items.length, dueCount };
}
