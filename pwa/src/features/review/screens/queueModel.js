// The review queue as data: filters read from and written to the URL, matching, order, counts
// and the bulk summary. Pure functions, no DOM, so they are tested without a browser and stay
// fast on a cheap phone with hundreds of visits (one pass per filter change).
import { reviewRules } from '../../../shared/reviewRules.js';

/** Farther than this from the market's recorded point is worth a second look (server/visits/queries.py). */
export const FAR_M = 500;
/** Status filter values; 'waiting' = a decision from this phone waits to be sent. */
export const STATUS_FILTERS = Object.freeze(['submitted', 'waiting', 'returned', 'approved', 'rejected', 'all']);
export const DEFAULT_STATUS = 'submitted';
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const HANOI_OFFSET_MS = 7 * 3600 * 1000; // Asia/Ho_Chi_Minh has no daylight saving time

/** {status, market, inspector, from, to, nc, far} from the URL query (bad values → defaults). */
export function parseFilters(query) {
  const q = query instanceof URLSearchParams ? query : new URLSearchParams(query ?? '');
  const status = q.get('status');
  const id = (key) => (/^\d{1,12}$/.test(q.get(key) ?? '') ? q.get(key) : '');
  const day = (key) => (DAY.test(q.get(key) ?? '') ? q.get(key) : '');
  return {
    status: STATUS_FILTERS.includes(status) ? status : DEFAULT_STATUS,
    market: id('market'),
    inspector: id('inspector'),
    from: day('from'),
    to: day('to'),
    nc: q.get('nc') === '1',
    far: q.get('far') === '1',
  };
}

/** The query string for `filters` ('' for the default view), so every view has a URL. */
export function filtersToQuery(f) {
  const q = new URLSearchParams();
  if (f.status && f.status !== DEFAULT_STATUS) q.set('status', f.status);
  for (const key of ['market', 'inspector', 'from', 'to']) if (f[key]) q.set(key, f[key]);
  if (f.nc) q.set('nc', '1');
  if (f.far) q.set('far', '1');
  const text = q.toString();
  return text ? `?${text}` : '';
}

/** The Hanoi calendar day of an instant ("2023-03-04" for 2023-03-03T17:30Z), as the server counts days. */
export function hanoiDay(iso) {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? '' : new Date(ms + HANOI_OFFSET_MS).toISOString().slice(0, 10);
}

/** The status the visit will have once this phone's waiting decision is applied. */
export const effectiveStatus = (item) => (item.waiting ? reviewRules.transitions[item.waiting.decision]?.to ?? item.status : item.status);

export const isFar = (item) => typeof item.distance_m === 'number' && item.distance_m > FAR_M;

function statusMatches(item, status) {
  if (status === 'all') return true;
  if (status === 'waiting') return !!item.waiting;
  // "Awaiting review" leaves out what this phone has already decided (it waits to be sent).
  if (status === 'submitted') return item.status === 'submitted' && !item.waiting;
  return effectiveStatus(item) === status;
}

/** Every filter but the status (the status counts are taken over this). */
function otherFiltersMatch(item, f) {
  if (f.market && String(item.market_id) !== f.market) return false;
  if (f.inspector && String(item.inspector_id) !== f.inspector) return false;
  if (f.nc && item.compliant !== false) return false;
  if (f.far && !isFar(item)) return false;
  if (f.from || f.to) {
    const day = hanoiDay(item.observed_at);
    if (f.from && day < f.from) return false;
    if (f.to && day > f.to) return false;
  }
  return true;
}

const when = (iso) => {
  const ms = Date.parse(iso ?? '');
  return Number.isNaN(ms) ? 0 : ms;
};

/** Newest observation first, then newest received, then id (the server's order). */
export const byNewest = (a, b) =>
  when(b.observed_at) - when(a.observed_at) || when(b.received_at) - when(a.received_at) || String(a.id).localeCompare(String(b.id));

/**
 * Filters and orders the queue in one pass. → {items, counts: {status: n}} where counts are
 * per status filter under the other filters (what each status option would show).
 */
export function applyFilters(all, f) {
  const counts = Object.fromEntries(STATUS_FILTERS.map((s) => [s, 0]));
  const items = [];
  for (const item of all) {
    if (!otherFiltersMatch(item, f)) continue;
    for (const s of STATUS_FILTERS) if (statusMatches(item, s)) counts[s] += 1;
    if (statusMatches(item, f.status)) items.push(item);
  }
  items.sort(byNewest);
  return { items, counts };
}

/** Visits of a list that can be approved now: submitted, nothing waiting for them. */
export const bulkCandidates = (items) => items.filter((i) => i.status === 'submitted' && !i.waiting);

/** What the officer checks before a bulk approval. */
export function summarize(items) {
  return {
    visits: items.length,
    markets: new Set(items.map((i) => i.market_id)).size,
    inspectors: new Set(items.map((i) => i.inspector_id)).size,
    nonCompliant: items.filter((i) => i.compliant === false).length,
    far: items.filter(isFar).length,
    noLocation: items.filter((i) => !i.location).length,
  };
}

// One collator for every sort: localeCompare(…, 'vi') builds a new one per comparison.
const byName = new Intl.Collator('vi').compare;

/** Options for the market and inspector filters: the ones that occur in the queue, by name. */
export function filterOptions(all, marketName, personName) {
  const markets = new Map();
  const inspectors = new Map();
  for (const item of all) {
    if (!markets.has(item.market_id)) markets.set(item.market_id, marketName(item.market_id));
    if (!inspectors.has(item.inspector_id)) inspectors.set(item.inspector_id, personName(item.inspector_id));
  }
  const sorted = (map) => [...map].map(([id, name]) => ({ id: String(id), name })).sort((a, b) => byName(a.name, b.name));
  return { markets: sorted(markets), inspectors: sorted(inspectors) };
}
