// The city screens' adapter to the server: the indicator API (online calls with the user's
// token, through data/index.js) and the downloads. Desk users work online; when the network
// goes, the last answer to the same question is kept (this tab only) and shown as such.
import * as data from '../../data/index.js';

const CACHE_KEY = 'cho-xanh.city.v1';
const CACHE_LIMIT = 16;
const memory = new Map();

function storage() {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage;
  } catch {
    return null;
  }
}

function readCache() {
  if (memory.size) return memory;
  try {
    const saved = JSON.parse(storage()?.getItem(CACHE_KEY) ?? '[]');
    for (const [key, value] of Array.isArray(saved) ? saved : []) memory.set(key, value);
  } catch {
    /* a damaged cache is only a missed shortcut */
  }
  return memory;
}

function remember(key, value) {
  const cache = readCache();
  cache.delete(key);
  cache.set(key, value);
  while (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value);
  try {
    storage()?.setItem(CACHE_KEY, JSON.stringify([...cache]));
  } catch {
    /* full: the in-memory copy still serves this page */
  }
}

/** Forgets every kept answer (on sign-out or another user). */
export function clearCache() {
  memory.clear();
  try {
    storage()?.removeItem(CACHE_KEY);
  } catch {
    /* nothing kept */
  }
}

export const isOffline = (err) => err?.name === 'NetworkError' || err?.code === 'network_error';

/**
 * What went wrong, for the screen: 'offline' | 'signin' | 'forbidden' | 'invalid_period' |
 * 'invalid_org_unit' | 'not_found' | 'other'.
 */
export function failure(err) {
  if (isOffline(err)) return 'offline';
  if (err?.status === 401) return 'signin';
  if (err?.code === 'invalid_period' || err?.code === 'invalid_org_unit') return err.code;
  if (err?.status === 403) return 'forbidden';
  if (err?.status === 404) return 'not_found';
  return 'other';
}

/**
 * GET `path` with `query`: {data, fetchedAt, stale}. On a network failure the last answer to
 * the same call (same user) comes back with stale: true; with none kept the error is thrown.
 */
export async function getJson(path, query = {}, { now = () => new Date() } = {}) {
  const clean = Object.fromEntries(Object.entries(query).filter(([, v]) => v !== '' && v !== null && v !== undefined));
  const who = (await data.currentSession().catch(() => null))?.user?.id ?? 'anon';
  const key = `${who} ${path}?${new URLSearchParams(clean)}`;
  try {
    const response = await data.apiRequest('GET', path, { query: clean });
    const entry = { data: response.data, fetchedAt: now().toISOString() };
    remember(key, entry);
    return { ...entry, stale: false };
  } catch (err) {
    const kept = isOffline(err) ? readCache().get(key) : null;
    if (kept) return { ...kept, stale: true, error: err };
    throw err;
  }
}

const unitQuery = (orgUnit) => (orgUnit ? { org_unit: orgUnit } : {});

/** GET /indicator: figures of one unit and period, with the breakdown by child unit. */
export const loadIndicator = ({ period, orgUnit }) => getJson('/indicator', { period, ...unitQuery(orgUnit) });

/** GET /indicator/markets: every market of the unit with its status and evidence. */
export const loadMarkets = ({ period, orgUnit, status }) =>
  getJson('/indicator/markets', { period, ...unitQuery(orgUnit), status });

/** GET /indicator/trend: twelve months of one year. */
/** The A4 report's letterhead set by the admin: {issuer, number_prefix, recipient}. */
export const loadReportSettings = async () => (await getJson('/reports/settings')).data;
export const loadTrend = ({ year, orgUnit }) => getJson('/indicator/trend', { year, ...unitQuery(orgUnit) });

/**
 * GET /markets/overdue → {available: true, ...body} or {available: false} while the server has
 * no such route yet (404) — the dashboard then says so instead of failing.
 */
export async function loadOverdue() {
  try {
    const result = await getJson('/markets/overdue');
    return { available: true, stale: result.stale, fetchedAt: result.fetchedAt, ...result.data };
  } catch (err) {
    if (err?.status === 404 || err?.status === 405) return { available: false };
    throw err;
  }
}

/** POST /indicator/final {period} → the server's answer; 409 already_final is thrown. */
export async function markFinal(period) {
  const response = await data.apiRequest('POST', '/indicator/final', { json: { period } });
  clearCache(); // every kept answer of this period now has a stale "provisional" badge
  return response.data;
}

/** The org units known on this device (pulled with the markets), for the pickers. */
export async function loadUnits() {
  try {
    return (await data.listOrgUnits()) ?? [];
  } catch {
    return [];
  }
}

/** The markets known on this device with their coordinates (the replica), for the map. */
export async function loadMarketPoints() {
  try {
    return (await data.listMarkets()) ?? [];
  } catch {
    return [];
  }
}

/** `attachment; filename*=UTF-8''chi-tieu-4.4_2023_ha-noi.csv` → the file name, or null. */
export function filenameFrom(disposition) {
  const text = String(disposition ?? '');
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(text);
  if (star) {
    try {
      return decodeURIComponent(star[1].trim().replace(/^"|"$/g, ''));
    } catch {
      /* fall through to the plain name */
    }
  }
  const plain = /filename\s*=\s*("([^"]*)"|[^;]+)/.exec(text);
  if (!plain) return null;
  return (plain[2] ?? plain[1]).trim() || null;
}

/** The name the contract gives the file, for when a proxy strips Content-Disposition. */
export const fallbackFilename = (period, unitCode, format) => `chi-tieu-4.4_${period}_${unitCode || 'ha-noi'}.${format}`;

/**
 * GET /reports/compliance.<format> as a file: {blob, filename}. The token goes in a header,
 * so this is a fetch (not a plain link); errors come back as ApiError / NetworkError.
 * @param {{period: string, orgUnit?: string, format: 'csv'|'xlsx', unitCode?: string}} options
 * @param {typeof fetch} [fetchImpl]
 */
export async function downloadReport({ period, orgUnit, format, unitCode }, fetchImpl = globalThis.fetch) {
  const current = await data.currentSession();
  if (!current?.token) throw new data.ApiError({ status: 401, code: 'not_signed_in', message: 'Not signed in' });
  const query = new URLSearchParams({ period, ...unitQuery(orgUnit) });
  let response;
  try {
    response = await fetchImpl(`/api/v1/reports/compliance.${format}?${query}`, {
      headers: { Authorization: `Bearer ${current.token}` }, credentials: 'same-origin',
    });
  } catch (err) {
    throw new data.NetworkError(undefined, { cause: err });
  }
  if (!response.ok) {
    let body = null;
    try {
      body = await response.json();
    } catch {
      /* not JSON */
    }
    throw new data.ApiError({
      status: response.status,
      code: body?.error?.code ?? `http_${response.status}`,
      message: body?.error?.message ?? `HTTP ${response.status}`,
    });
  }
  const blob = await response.blob();
  const filename = filenameFrom(response.headers.get('Content-Disposition')) ?? fallbackFilename(period, unitCode, format);
  return { blob, filename };
}

export { saveBlob } from '../../shared/dom.js';
