// The data layer's public API: what the screens import (`import * as data from '../data/index.js'`).
// One SyncEngine per page; saving, editing and signing in tell it, so the status stays current.
import { createApi } from './api.js';
import { S, write } from './db.js';
import * as decisions from './decisions.js';
import { fetchBlob } from './download.js';
import { cachedPhoto, clearEvidence, refreshEvidence } from './evidence.js';
import { ApiError } from './errors.js';
import * as session from './session.js';
import { SyncEngine, forgetToken } from './sync.js';
import * as visits from './visits.js';

export { openDb } from './db.js';
export { ApiError, NetworkError, StorageFullError, ValidationError, VisitNotEditableError } from './errors.js';
export { preparePhoto } from './photos.js';
export { getForm, getMarket, listMarkets, listOrgUnits } from './reference.js';
export { currentSession, deviceInfo, getDeviceId, renameDevice, setTotpState, signedOutReason } from './session.js';
export { requestPersistence, storageEstimate } from './storage.js';
export { getVisit, listVisits, LOCKED_STATES, STATES } from './visits.js';
export { SYNC_TAG, SyncEngine } from './sync.js';
export {
  DecisionError, NEEDS_COMMENT, REOPENERS, TRANSITIONS, cancelDecision, dismissOutcome,
  getDecisionBatch, getPeople, getReviewItem, listReviewItems, rememberPeople, reviewItemOf,
} from './decisions.js';

export const engine = new SyncEngine();
export { cachedPhoto, EVIDENCE_BUDGET } from './evidence.js';

// After each sync a reviewer's phone keeps the photos of its review queue for offline review
// (evidence.js: the budget, newest first). Inspectors hold their own photos already.
let evidenceRun = null;
let wasSyncing = false;
engine.subscribe((status) => {
  const finished = wasSyncing && !status.syncing;
  wasSyncing = status.syncing;
  if (finished && !status.needsLogin) keepReviewEvidence().catch(() => {});
});

/** Fetches and caches the review queue's photos (one run at a time) → the run's summary or null. */
export async function keepReviewEvidence() {
  if (evidenceRun) return evidenceRun;
  evidenceRun = (async () => {
    const current = await session.currentSession();
    if (!current?.token || current.user?.role === 'inspector') return null;
    const items = await decisions.listReviewItems();
    return refreshEvidence(items, async (sha) => (await apiBlob(`/attachments/${encodeURIComponent(sha)}`)).blob);
  })();
  try {
    return await evidenceRun;
  } finally {
    evidenceRun = null;
  }
}

/** Records a visit durably (resolves after the commit) → its id. See visits.saveVisit. */
export async function saveVisit(draft) {
  const id = await visits.saveVisit(draft);
  await engine.queued();
  return id;
}

/** Changes a pending/sent/returned/refused/conflict visit → its id. See visits.editVisit. */
export async function editVisit(id, changes) {
  await visits.editVisit(id, changes);
  await engine.queued();
  return id;
}

/** Queues a review decision durably and sends it when allowed. See decisions.queueDecision. */
export async function queueDecision(visitId, decision, comment) {
  const mutation = await decisions.queueDecision(visitId, decision, comment);
  await engine.queued();
  return mutation;
}

/** Queues one decision on many visits (a bulk approval) → {batchId, queued, skipped}. */
export async function queueDecisions(visitIds, decision, comment) {
  const result = await decisions.queueDecisions(visitIds, decision, comment);
  await engine.queued();
  return result;
}

/** → {user, token, expiresAt, deviceId}; rejects with ApiError / NetworkError. */
export async function login(username, password, otp = undefined) {
  const result = await session.login(username, password, { otp });
  engine.loggedIn();
  return result;
}

/** Forgets the token (revoking it when online). Outbox, visits and photos stay. */
export async function logout() {
  await session.logout();
  await clearEvidence().catch(() => {});
  await engine.refresh().catch(() => {});
}

export const syncNow = (options) => engine.syncNow(options);
export const subscribe = (cb) => engine.subscribe(cb);
export const startAutoSync = (options) => engine.startAutoSync(options);
export const getStatus = () => engine.getStatus();

let onlineApi = null;

/**
 * One online call to the API with this phone's token, for the officer, city and admin screens
 * (they read live data; only decisions go through the outbox). Resolves {status, data, headers};
 * rejects with ApiError / NetworkError. A 401 forgets the token as the sync engine does, so the
 * status says "sign in again" and nothing queued is lost.
 * @param {string} method
 * @param {string} path below /api/v1, e.g. '/review/queue'
 * @param {object} [options] as api.request: {json, body, query, headers, timeoutMs} (files: apiBlob)
 */
export async function apiRequest(method, path, options = {}) {
  return withToken((token) => {
    onlineApi ??= createApi();
    return onlineApi.request(method, path, { ...options, token });
  });
}

/**
 * GET a file with this phone's token (a photo, a CSV) → {blob, type, filename}; errors and the
 * 401 rule as apiRequest. @param {string} path below /api/v1 @param {object} [options] {query}
 */
export async function apiBlob(path, options = {}) {
  return withToken((token) => fetchBlob(path, { ...options, token }));
}

async function withToken(call) {
  const current = await session.currentSession();
  if (!current?.token) {
    throw new ApiError({ status: 401, code: 'not_signed_in', message: 'Not signed in', fields: null });
  }
  try {
    return await call(current.token);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      await forgetToken(current.token, err.code);
      await engine.refresh().catch(() => {});
    }
    throw err;
  }
}
