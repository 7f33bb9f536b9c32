// What every screen gets as ctx.store: the session, sync and storage status, and the reference
// data (markets, org units, the form) from the pull replica. The data layer's functions are
// called directly; their shapes are documented in src/data (README.md and each module).
// Each feature's own calls live in its store.js (features/<name>/store.js).
import bundledForm from '../../../shared_schema/forms/market_visit-2023.1.json';
import {
  currentSession,
  getForm,
  listMarkets,
  listOrgUnits,
  login as dataLogin,
  logout as dataLogout,
  renameDevice as dataRenameDevice,
  deviceInfo as dataDeviceInfo,
  requestPersistence as dataRequestPersistence,
  setTotpState as dataSetTotpState,
  signedOutReason,
  startAutoSync as dataStartAutoSync,
  storageEstimate as dataStorageEstimate,
  StorageFullError,
  subscribe as dataSubscribe,
  syncNow as dataSyncNow,
} from '../data/index.js';

export const FORM_VERSION = bundledForm.version;

const USER_KEY = 'cho-xanh.user';

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
 * {user, token, expired, reason}: the data layer's session, or — when it has none but this phone was
 * signed in before (token expired or revoked) — the remembered user with `expired: true` and
 * `reason` the server's 401 code (token_revoked, token_expired…), so the inspector keeps working
 * offline, unsent visits stay, and the screens say why. null when nobody ever signed in.
 */
export async function session() {
  let current = null;
  try {
    current = await currentSession(); // {user, token, expiresAt, deviceId} | null
  } catch {
    current = null;
  }
  if (current) {
    rememberUser(current.user);
    return { user: current.user, token: current.token, expired: false, reason: null };
  }
  const user = rememberedUser();
  if (!user) return null;
  let reason = null;
  try {
    reason = await signedOutReason();
  } catch {
    /* an unreadable database: "expired" is the safe word */
  }
  return { user, token: null, expired: true, reason };
}

// The second factor's refusals: the screen asks for (another) code.
const OTP_FAILURES = { otp_required: 'otp_required', invalid_otp: 'invalid_otp', otp_already_used: 'otp_already_used' };

/**
 * Why a login failed, for the screen: 'invalid' | 'lastTry' (one wrong password left before the
 * 15-minute lock) | 'locked' (that was the last) | 'otp_required' | 'invalid_otp' |
 * 'otp_already_used' | 'rate_limited' | 'server' (a 5xx) | 'offline' | 'other'.
 * The data layer rejects with ApiError {status, code} or NetworkError; a fetch that never
 * started rejects with a TypeError.
 */
export function loginFailure(err) {
  const code = err?.code;
  const status = err?.status;
  if (OTP_FAILURES[code]) return OTP_FAILURES[code];
  if ((code === 'invalid_credentials' || status === 401) && err?.attemptsLeft === 1) return 'lastTry';
  if ((code === 'invalid_credentials' || status === 401) && err?.attemptsLeft === 0) return 'locked';
  if (code === 'invalid_credentials' || status === 401) return 'invalid';
  if (code === 'rate_limited' || status === 429) return 'rate_limited';
  if (status >= 500) return 'server'; // the server answered, with a fault of its own
  if (
    err?.name === 'NetworkError' ||
    err instanceof TypeError ||
    (typeof navigator !== 'undefined' && navigator.onLine === false)
  ) {
    return 'offline';
  }
  return 'other';
}

/** Resolves to the user; rejects with an Error whose `reason` is loginFailure().
 * `otp`: the second factor's code, for a user who has one (the server asks: otp_required). */
export async function login(username, password, otp = undefined) {
  try {
    const { user } = await dataLogin(username, password, otp); // {user, token, expiresAt, deviceId}
    rememberUser(user);
    return user;
  } catch (err) {
    const failure = new Error(err?.message ?? 'login failed');
    failure.reason = loginFailure(err);
    failure.attemptsLeft = err?.attemptsLeft ?? null;
    failure.cause = err;
    throw failure;
  }
}

/** Notes the signed-in user's new second-factor state → the updated user. */
export async function setTotpState(totp) {
  const user = await dataSetTotpState(totp);
  if (user) rememberUser(user);
  return user;
}

/** Signs out of the server; the data layer keeps unsent visits (it must never drop them). */
export async function logout() {
  rememberUser(null);
  await dataLogout();
}

// ---------------------------------------------------------------- reference data

/** {markets, orgUnits} from the pull replica ([] until the first pull). */
export async function loadPlaces() {
  const [markets, orgUnits] = await Promise.all([listMarkets(), listOrgUnits()]);
  return { markets, orgUnits };
}

/** The form definition: from the replica when it holds this version, else the bundled JSON. */
export async function loadForm(version = FORM_VERSION) {
  try {
    const form = await getForm(version);
    if (form) return form;
  } catch {
    /* fall back to the bundled copy */
  }
  return bundledForm;
}

/** True when a save failed because the phone is full (nothing was stored). */
export function isStorageFull(err) {
  const name = err?.name ?? '';
  return err instanceof StorageFullError || name === 'StorageFullError' || name === 'QuotaExceededError';
}

// ---------------------------------------------------------------- sync and storage

/**
 * The engine's status (data/sync.js getStatus) as the bar shows it:
 * {online, syncing, progress:{done,total}|null, pending, lastSyncedAt, lastError, lastErrorCode,
 *  needsLogin, signedOutReason} with lastError the message of the engine's {code, message,
 * status}, lastErrorCode its code (network_error: no answer) and signedOutReason the 401 code
 * that ended the session (token_revoked: an administrator signed the phone out).
 */
export function normalizeStatus(s = {}) {
  const progress = s.progress && Number(s.progress.total) > 0 ? s.progress : null;
  return {
    online: typeof s.online === 'boolean' ? s.online : typeof navigator !== 'undefined' ? navigator.onLine : true,
    syncing: !!s.syncing,
    progress: progress ? { done: Number(progress.done) || 0, total: Number(progress.total) } : null,
    pending: Number(s.pending) || 0,
    lastSyncedAt: s.lastSyncedAt ?? null,
    lastError: s.lastError ? s.lastError.message ?? String(s.lastError.code ?? '') : null,
    lastErrorCode: s.lastError?.code ?? null,
    needsLogin: !!s.needsLogin,
    signedOutReason: s.signedOutReason ?? null,
  };
}

/** cb(normalizedStatus) on every change; returns an unsubscribe function. */
export function subscribe(cb) {
  return dataSubscribe((status) => cb(normalizeStatus(status)));
}

export const syncNow = () => dataSyncNow({ force: true });

export function startAutoSync() {
  dataStartAutoSync();
}

export async function requestPersistence() {
  try {
    return await dataRequestPersistence();
  } catch {
    return false; // not granted: nothing to do
  }
}

/** {usage, quota, low}; low is false when the browser cannot tell. */
export async function storageEstimate() {
  try {
    return await dataStorageEstimate();
  } catch {
    return { usage: null, quota: null, low: false };
  }
}

// ---------------------------------------------------------------- this device

/** {deviceId, deviceName}: the server's name for this phone ("Android · Chrome"), or nulls. */
export async function deviceInfo() {
  try {
    return await dataDeviceInfo();
  } catch {
    return { deviceId: null, deviceName: null };
  }
}

/** Renames this phone on the server → the new name; rejects with the API's error. */
export const renameDevice = (name) => dataRenameDevice(name);
