// The data layer's public API: what the screens import (`import * as data from '../data/index.js'`).
// One SyncEngine per page; saving, editing and signing in tell it, so the status stays current.
import * as session from './session.js';
import { SyncEngine } from './sync.js';
import * as visits from './visits.js';

export { openDb } from './db.js';
export { ApiError, NetworkError, StorageFullError, ValidationError, VisitNotEditableError } from './errors.js';
export { preparePhoto } from './photos.js';
export { getForm, getMarket, listMarkets, listOrgUnits } from './reference.js';
export { currentSession, getDeviceId } from './session.js';
export { requestPersistence, storageEstimate } from './storage.js';
export { getVisit, listVisits, LOCKED_STATES, STATES } from './visits.js';
export { SYNC_TAG, SyncEngine } from './sync.js';

export const engine = new SyncEngine();

/** Records a visit durably (resolves after the commit) → its id. See visits.saveVisit. */
export async function saveVisit(draft) {
  const id = await visits.saveVisit(draft);
  engine.queued();
  return id;
}

/** Changes a pending/sent/returned/refused/conflict visit → its id. See visits.editVisit. */
export async function editVisit(id, changes) {
  await visits.editVisit(id, changes);
  engine.queued();
  return id;
}

/** → {user, token, expiresAt, deviceId}; rejects with ApiError / NetworkError. */
export async function login(username, password) {
  const result = await session.login(username, password);
  engine.loggedIn();
  return result;
}

/** Forgets the token (revoking it when online). Outbox, visits and photos stay. */
export async function logout() {
  await session.logout();
  await engine.refresh().catch(() => {});
}

export const syncNow = (options) => engine.syncNow(options);
export const subscribe = (cb) => engine.subscribe(cb);
export const startAutoSync = (options) => engine.startAutoSync(options);
export const getStatus = () => engine.getStatus();
