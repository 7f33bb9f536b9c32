// The ONE module of the screens that talks to the data layer (src/data). Screens import this
// file only, so a renamed or reshaped data-layer function is fixed here and nowhere else.
// Every value coming back is normalised to the shapes documented below.
import * as data from '../data/index.js';
import bundledForm from '../../../shared_schema/forms/market_visit-2023.1.json';

export const FORM_VERSION = bundledForm.version;

const USER_KEY = 'cho-xanh.user';

const call = (name, ...args) => {
  const fn = data[name];
  if (typeof fn !== 'function') throw new Error(`data layer: ${name}() is missing`);
  return fn(...args);
};
const has = (name) => typeof data[name] === 'function';

// ---------------------------------------------------------------- session

function rememberUser(user) {
  try {
    if (user) localStorage.setItem(USER_KEY, JSON.stringify(user));
    else localStorage.removeItem(USER_KEY);
  } catch {
    /* storage blocked: the session itself still works */
  }
}

function rememberedUser() {
  try {
    const text = localStorage.getItem(USER_KEY);
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

/**
 * {user, token, expired}: the data layer's session, or — when it has none but this phone was
 * signed in before (token expired or revoked) — the remembered user with `expired: true`, so the
 * inspector keeps working offline and unsent visits stay. null when nobody ever signed in.
 */
export async function session() {
  let current = null;
  try {
    current = await call('currentSession');
  } catch {
    current = null;
  }
  if (current && current.user) {
    rememberUser(current.user);
    return { user: current.user, token: current.token ?? null, expired: false };
  }
  const user = rememberedUser();
  return user ? { user, token: null, expired: true } : null;
}

/** Why a login failed, for the screen: 'invalid' | 'rate_limited' | 'offline' | 'other'. */
export function loginFailure(err) {
  const code = err?.code ?? err?.error?.code ?? err?.body?.error?.code;
  const status = err?.status ?? err?.response?.status;
  if (code === 'invalid_credentials' || status === 401) return 'invalid';
  if (code === 'rate_limited' || status === 429) return 'rate_limited';
  if (
    code === 'offline' ||
    code === 'network' ||
    code === 'network_error' ||
    err?.name === 'NetworkError' ||
    err?.name === 'OfflineError' ||
    err instanceof TypeError ||
    (typeof navigator !== 'undefined' && navigator.onLine === false)
  ) {
    return 'offline';
  }
  return 'other';
}

/** Resolves to the user; rejects with an Error whose `reason` is loginFailure(). */
export async function login(username, password) {
  try {
    const result = await call('login', username, password);
    const user = result?.user ?? result;
    rememberUser(user);
    return user;
  } catch (err) {
    const failure = new Error(err?.message ?? 'login failed');
    failure.reason = loginFailure(err);
    failure.cause = err;
    throw failure;
  }
}

/** Signs out of the server; the data layer keeps unsent visits (it must never drop them). */
export async function logout() {
  rememberUser(null);
  if (has('logout')) await call('logout');
}

// ---------------------------------------------------------------- reference data

/** {markets, orgUnits} from the pull replica ([] until the first pull). */
export async function loadPlaces() {
  const [markets, orgUnits] = await Promise.all([
    has('listMarkets') ? call('listMarkets') : [],
    has('listOrgUnits') ? call('listOrgUnits') : [],
  ]);
  return { markets: markets ?? [], orgUnits: orgUnits ?? [] };
}

/** The form definition: from the replica when it holds this version, else the bundled JSON. */
export async function loadForm(version = FORM_VERSION) {
  if (has('getForm')) {
    try {
      const form = await call('getForm', version);
      if (form && Array.isArray(form.fields)) return form;
    } catch {
      /* fall back to the bundled copy */
    }
  }
  return bundledForm;
}

// ---------------------------------------------------------------- visits

const SERVER_STATUS_TO_STATE = {
  submitted: 'sent',
  returned: 'returned',
  approved: 'approved',
  rejected: 'rejected',
};
const STATES = new Set(['pending', 'sent', 'returned', 'approved', 'rejected', 'conflict', 'refused']);

function normalizePhoto(photo) {
  if (!photo) return null;
  if (typeof photo === 'string') return { sha256: photo, blob: null, type: null, source: photo };
  return {
    sha256: photo.sha256 ?? photo.hash ?? null,
    blob: photo.blob instanceof Blob ? photo.blob : null,
    type: photo.type ?? photo.content_type ?? null,
    source: photo, // handed back unchanged when the visit is edited
  };
}

/**
 * {id, market_id, answers, observed_at, location, photos:[{sha256, blob, type, source}], state,
 *  comment, decision, error:{code, message, fields}|null, server: record|null}
 */
export function normalizeVisit(v) {
  if (!v) return null;
  const server = v.server ?? v.record ?? null;
  const review = v.review ?? server?.review ?? null;
  let state = v.state;
  if (!STATES.has(state)) state = SERVER_STATUS_TO_STATE[v.status] ?? 'pending';
  const error = v.error ?? v.lastError ?? v.server_error ?? null;
  return {
    id: String(v.id),
    market_id: v.market_id ?? server?.market_id ?? null,
    answers: v.answers ?? server?.answers ?? {},
    observed_at: v.observed_at ?? server?.observed_at ?? null,
    location: v.location ?? server?.location ?? null,
    photos: (v.photos ?? v.attachments ?? []).map(normalizePhoto).filter(Boolean),
    state,
    comment: review?.comment ?? null,
    decision: review?.decision ?? null,
    error: error && typeof error === 'object' ? error : error ? { message: String(error) } : null,
    server,
  };
}

export async function listVisits() {
  const visits = (await call('listVisits')) ?? [];
  return visits.map(normalizeVisit).filter(Boolean);
}

export async function getVisit(id) {
  return normalizeVisit(await call('getVisit', id));
}

/** {blob, sha256, type, size}: the photo downscaled to 1280 px JPEG. */
export function preparePhoto(file) {
  return call('preparePhoto', file);
}

/**
 * Durable when it resolves. draft: {market_id, answers, observed_at, location, photos: [prepared]}.
 * Rejects on invalid answers or when storage is full (see isStorageFull).
 */
export async function saveVisit(draft) {
  const id = await call('saveVisit', { ...draft, form_version: draft.form_version ?? FORM_VERSION });
  return String(id?.id ?? id);
}

/** changes: {answers, observed_at, location, photos} (photos: kept `source`s + new prepared). */
export async function editVisit(id, changes) {
  await call('editVisit', id, changes);
  return String(id);
}

export function isStorageFull(err) {
  const name = err?.name ?? '';
  return (
    name === 'StorageFullError' ||
    name === 'QuotaExceededError' ||
    err?.code === 'storage_full' ||
    (typeof data.StorageFullError === 'function' && err instanceof data.StorageFullError)
  );
}

/** {field: [message]} when the data layer refused the answers, else null. */
export function invalidFields(err) {
  const fields = err?.fields ?? err?.errors ?? err?.error?.fields ?? null;
  return fields && typeof fields === 'object' && !Array.isArray(fields) ? fields : null;
}

// ---------------------------------------------------------------- sync and storage

/** {online, syncing, progress:{done,total}|null, pending, lastSyncedAt, lastError, needsLogin} */
export function normalizeStatus(s = {}) {
  const progress = s.progress && Number(s.progress.total) > 0 ? s.progress : null;
  return {
    online: typeof s.online === 'boolean' ? s.online : typeof navigator !== 'undefined' ? navigator.onLine : true,
    syncing: !!s.syncing,
    progress: progress ? { done: Number(progress.done) || 0, total: Number(progress.total) } : null,
    pending: Number(s.pending) || 0,
    lastSyncedAt: s.lastSyncedAt ?? null,
    lastError: s.lastError ? (typeof s.lastError === 'string' ? s.lastError : s.lastError.message ?? String(s.lastError.code ?? '')) : null,
    needsLogin: !!s.needsLogin,
  };
}

/** cb(normalizedStatus) on every change; returns an unsubscribe function. */
export function subscribe(cb) {
  if (!has('subscribe')) return () => {};
  const off = call('subscribe', (status) => cb(normalizeStatus(status)));
  return typeof off === 'function' ? off : () => {};
}

export function syncNow() {
  return has('syncNow') ? call('syncNow', { force: true }) : Promise.resolve();
}

export function startAutoSync() {
  if (has('startAutoSync')) call('startAutoSync');
}

export async function requestPersistence() {
  try {
    if (has('requestPersistence')) return await call('requestPersistence');
  } catch {
    /* not granted: nothing to do */
  }
  return false;
}

/** {usage, quota, low}; low is false when the browser cannot tell. */
export async function storageEstimate() {
  try {
    if (has('storageEstimate')) {
      const e = await call('storageEstimate');
      return { usage: e?.usage ?? null, quota: e?.quota ?? null, low: !!e?.low };
    }
  } catch {
    /* unknown */
  }
  return { usage: null, quota: null, low: false };
}

// ---------------------------------------------------------------- markets due for inspection

const OVERDUE_KEY = 'cho-xanh.overdue';
const OVERDUE_FRESH_MS = 10 * 60 * 1000; // the server recomputes hourly: no need to ask more

/**
 * The last list of markets due for inspection this phone fetched for `userId`, kept in
 * localStorage (a few KB) so the picker marks them offline too; null when none.
 * Shape: marketList.compactOverdue().
 */
export function cachedOverdue(userId) {
  try {
    const kept = JSON.parse(localStorage.getItem(OVERDUE_KEY) ?? 'null');
    return kept && kept.userId === (userId ?? null) && Array.isArray(kept.markets) ? kept : null;
  } catch {
    return null;
  }
}

/**
 * Fetches GET /markets/overdue when the kept copy is older than 10 minutes (or `force`) and
 * keeps it. Never rejects: offline, signed out or a server error → the kept copy (or null).
 * @param {(body: object, userId: any, fetchedAt: number) => object} compact marketList.compactOverdue
 */
export async function refreshOverdue(userId, compact, { force = false, now = Date.now() } = {}) {
  const kept = cachedOverdue(userId);
  if (!has('apiRequest') || (!force && kept && now - kept.fetchedAt < OVERDUE_FRESH_MS)) return kept;
  if (typeof navigator !== 'undefined' && navigator.onLine === false) return kept;
  try {
    const { data } = await call('apiRequest', 'GET', '/markets/overdue');
    const fresh = compact(data, userId ?? null, now);
    try {
      localStorage.setItem(OVERDUE_KEY, JSON.stringify(fresh));
    } catch {
      /* storage full or blocked: still shown for this session */
    }
    return fresh;
  } catch {
    return kept;
  }
}
