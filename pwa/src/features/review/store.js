// The review screens' one door to the data layer (as store.js is the inspector screens'):
// the queue from the local replica (works with no signal), decisions through the outbox,
// the live extras (history, photos, names, the audit CSV) when online.
import {
  apiBlob, apiRequest, cachedPhoto, cancelDecision, dismissOutcome, getDecisionBatch, getPeople, getReviewItem,
  listReviewItems, queueDecision, queueDecisions, rememberPeople as rememberPeopleInDb, reviewItemOf,
} from '../../data/index.js';
import { reviewRules } from '../../shared/reviewRules.js';
import { saveBlob } from '../../shared/dom.js';

const PEOPLE_PAGE = 500; // one /review/queue page: the most names one request can bring

/** Review items of the replica (see data/decisions.js reviewItem), unsorted. */
export const listItems = () => listReviewItems();
export const getItem = (id) => getReviewItem(id);
/** The server record as a review item (a visit not on the phone yet, e.g. opened from a link). */
export const itemOf = (record) => reviewItemOf(record);

/** {id: {id, username, display_name}} remembered from earlier online lists. */
export const people = () => getPeople();
export const rememberPeople = (list) => rememberPeopleInDb(list);

/** Online only, best effort: learns the inspectors' names of the visits awaiting review. */
export async function refreshPeople() {
  try {
    const { data: body } = await apiRequest('GET', '/review/queue', { query: { limit: PEOPLE_PAGE } });
    await rememberPeopleInDb(body?.inspectors ?? []);
    return true;
  } catch {
    return false; // offline or not allowed: the lists show ids
  }
}

/**
 * Queues a decision (durable when it resolves). Rejects with an Error whose `code` is the
 * DecisionError code (comment_required, invalid_transition, sending, forbidden, not_found) or
 * 'storage_full'.
 */
export const decide = (visitId, decision, comment) => queueDecision(visitId, decision, comment);
export const bulkApprove = (visitIds) => queueDecisions(visitIds, 'approve', null);
export const batch = (batchId) => getDecisionBatch(batchId);
export const cancel = (visitId) => cancelDecision(visitId);
export const dismiss = (visitId) => dismissOutcome(visitId);

// The review rules (shared_schema/review.json): which decisions a role may give a visit in a
// status, which need a comment, how long a comment may be.
export const decisionsFor = (status, role) => reviewRules.decisionsFor(status, role);
export const needsComment = (decision) => reviewRules.needsComment.includes(decision);
export const MAX_COMMENT = reviewRules.maxComment;

/**
 * The visit with its decision history, from the server → {history: [...], market, ...record},
 * or {offline: true} when there is no answer, or {error} for an error answer.
 */
export async function history(visitId) {
  try {
    const { data: body } = await apiRequest('GET', `/visits/${encodeURIComponent(visitId)}`);
    return { record: body, history: Array.isArray(body?.history) ? body.history : [] };
  } catch (err) {
    if (err?.name === 'NetworkError') return { offline: true };
    return { error: err };
  }
}

// Photos: object URLs of fetched blobs, kept for the page's life (an officer going back and
// forth between visits should not download a photo twice on 3G); the oldest are let go.
const PHOTO_CACHE = 40;
const photoUrls = new Map();

/**
 * An object URL for the photo: from the offline evidence cache (the queue's photos, kept after
 * each sync) when there, else the server; rejects (NetworkError offline, ApiError 404 when not
 * stored).
 */
export async function photoUrl(sha256) {
  if (photoUrls.has(sha256)) return photoUrls.get(sha256);
  const blob = (await cachedPhoto(sha256).catch(() => null)) ?? (await apiBlob(`/attachments/${encodeURIComponent(sha256)}`)).blob;
  const url = URL.createObjectURL(blob);
  photoUrls.set(sha256, url);
  if (photoUrls.size > PHOTO_CACHE) {
    const [oldest, old] = photoUrls.entries().next().value;
    photoUrls.delete(oldest);
    URL.revokeObjectURL(old);
  }
  return url;
}

/** Downloads the audit CSV (GET /review/decisions.csv with the token) and saves it as a file. */
export async function downloadDecisionsCsv(query = {}) {
  const { blob, filename } = await apiBlob('/review/decisions.csv', { query });
  const name = filename || 'review-decisions.csv';
  saveBlob(blob, name);
  return name;
}
