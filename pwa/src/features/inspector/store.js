// The inspector's calls to the data layer: the visits on the phone (list, read, save, edit),
// photos, and the markets due for inspection. The data layer's functions are imported directly
// and its visit rows (data/visits.js listVisits) are the one input shape.
import { apiRequest, editVisit as dataEditVisit, getPeople, getVisit as dataGetVisit, listVisits as dataListVisits, preparePhoto, saveVisit as dataSaveVisit } from '../../data/index.js';
import { FORM_VERSION } from '../../shared/store.js';

export { preparePhoto }; // {blob, sha256, type, size}: the photo downscaled to 1280 px JPEG

/**
 * A data-layer visit row → what the screens show:
 * {id, market_id, answers, observed_at, location, photos:[{sha256, blob, type, source}], state,
 *  comment, decision, error:{code, message, fields}|null, record: server record|null}.
 * `source` is the row's photo, handed back unchanged when the visit is edited.
 */
export function toScreenVisit(row) {
  if (!row) return null;
  return {
    id: String(row.id),
    market_id: row.market_id,
    answers: row.answers ?? {},
    observed_at: row.observed_at ?? null,
    location: row.location ?? null,
    photos: row.photos.map((photo) => ({ sha256: photo.sha256, blob: photo.blob ?? null, type: photo.type ?? null, source: photo })),
    state: row.state,
    comment: row.review?.comment ?? null,
    decision: row.review?.decision ?? null,
    reviewerId: row.review?.reviewer_id ?? null,
    decidedAt: row.review?.decided_at ?? null,
    error: row.error ?? null,
    record: row.record ?? null,
  };
}

/** {id: {id, username, display_name}}: the names pull brought (the reviewers of my visits). */
export const people = () => getPeople();

export async function listVisits() {
  return (await dataListVisits()).map(toScreenVisit);
}

export async function getVisit(id) {
  return toScreenVisit(await dataGetVisit(id));
}

/**
 * Durable when it resolves. draft: {market_id, answers, observed_at, location, photos: [prepared]}.
 * Rejects on invalid answers (ValidationError, see invalidFields) or when storage is full
 * (see ctx.store.isStorageFull). → the visit id.
 */
export async function saveVisit(draft) {
  return String(await dataSaveVisit({ ...draft, form_version: draft.form_version ?? FORM_VERSION }));
}

/** changes: {answers, observed_at, location, photos} (photos: kept `source`s + new prepared). */
export async function editVisit(id, changes) {
  await dataEditVisit(id, changes);
  return String(id);
}

/** {field: [message]} when the data layer refused the answers (ValidationError), else null. */
export function invalidFields(err) {
  const fields = err?.fields ?? null;
  return fields && typeof fields === 'object' && !Array.isArray(fields) ? fields : null;
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
  if (!force && kept && now - kept.fetchedAt < OVERDUE_FRESH_MS) return kept;
  if (typeof navigator !== 'undefined' && navigator.onLine === false) return kept;
  try {
    const { data } = await apiRequest('GET', '/markets/overdue');
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
