// Review decisions on the officer's phone (DESIGN §5.1 `review.decide`, §6). A decision is a
// mutation in the same outbox as the inspectors' visits, so it has the same guarantees: queued
// durably (works with no signal, survives a reload), sent with the same id on every retry
// (exactly once), settled only by a server answer. base_rev is the rev of the server record the
// officer was looking at: if someone decided (or the inspector edited) since, the server answers
// `conflict` with its record, and replica.js refreshes the visit and keeps the outcome to show.
//
// The officer's visits are replica rows (pulled, replica.js): `record` is the server record.
// Extra fields this module keeps on such a row: `decisionOutcome` (how the last decision sent
// from this phone was settled). A decision still waiting is read from the outbox itself.
import { reviewRules } from '../shared/reviewRules.js';
import { S, read, write } from './db.js';
import { enqueue } from './outbox.js';

export const DECISION_TYPE = 'review.decide';
/**
 * decision → {from, to, roles, commentRequired}: the statuses it applies to, the status it leads
 * to and who may give it. From shared_schema/review.json (shared/reviewRules.js), as the server.
 */
export const TRANSITIONS = reviewRules.transitions;
export const NEEDS_COMMENT = reviewRules.needsComment;
/** Who may reopen a decided visit. */
export const REOPENERS = reviewRules.transitions.reopen?.roles ?? Object.freeze([]);
export const MAX_COMMENT = reviewRules.maxComment;
const KEEP_BATCHES = 20;

/** A decision this phone will not queue; `code` says why (the screens translate it). */
export class DecisionError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'DecisionError';
    this.code = code;
  }
}

/** The visit's decisions still in the outbox, in push order; `tx` must cover outbox. */
async function queuedDecisions(tx, visitId) {
  const all = await tx.objectStore(S.outbox).index('visitId').getAll(visitId);
  return all.filter((m) => m.type === DECISION_TYPE).sort((a, b) => a.seq - b.seq);
}

/** Checks one decision against the local record and queues it inside `tx`. */
async function queueOne(tx, { visitId, decision, comment }, { user, batchId }) {
  const spec = TRANSITIONS[decision];
  if (!spec) throw new DecisionError('invalid_decision', `Unknown decision ${decision}.`);
  const text = String(comment ?? '').trim();
  if (NEEDS_COMMENT.includes(decision) && !text) throw new DecisionError('comment_required', 'A comment is required.');
  if ([...text].length > MAX_COMMENT) throw new DecisionError('comment_too_long', 'The comment is too long.');
  if (!reviewRules.mayDecide(decision, user?.role)) throw new DecisionError('forbidden', `A ${user?.role ?? 'signed-out'} user cannot ${decision}.`);
  const visits = tx.objectStore(S.visits);
  const visit = await visits.get(visitId);
  if (!visit?.record) throw new DecisionError('not_found', 'This visit is not on the phone.');
  const last = (await queuedDecisions(tx, visitId)).at(-1);
  // Once sent it may have been applied: changing it would be `mutation_id_reused` (outbox.js).
  if (last && last.attempts > 0) throw new DecisionError('sending', 'A decision on this visit is being sent.');
  if (!spec.from.includes(visit.record.status)) throw new DecisionError('invalid_transition', `A ${visit.record.status} visit cannot be given ${decision}.`);
  const data = { visit_id: visitId, base_rev: visit.record.rev, decision, comment: text || null };
  let mutation;
  if (last) {
    // Not sent yet: the officer changed their mind, so the queued one is replaced, not doubled.
    mutation = { ...last, data, ...(batchId ? { batchId } : {}) };
    await tx.objectStore(S.outbox).put(mutation);
  } else {
    mutation = await enqueue(tx, { type: DECISION_TYPE, data, visitId, userId: user?.id ?? null, batchId });
  }
  await visits.put({ ...visit, decisionOutcome: null, updatedAt: new Date().toISOString() });
  return mutation;
}

const signedInUser = (tx) => tx.objectStore(S.meta).get('user');

/**
 * Queues one decision durably (resolves after the commit).
 * @throws {DecisionError} comment_required, invalid_transition, sending, not_found, forbidden…
 * @returns the queued mutation
 */
export async function queueDecision(visitId, decision, comment = null) {
  return write([S.meta, S.outbox, S.visits], async (tx) => queueOne(tx, { visitId, decision, comment }, { user: await signedInUser(tx) }));
}

/**
 * Queues the same decision on many visits in ONE transaction (all or nothing on a full disk);
 * visits that cannot take it (decided meanwhile, a decision already being sent) are skipped.
 * The engine pushes them in batches of at most 500 (sync.js). Returns
 * {batchId, queued: n, skipped: [{visitId, code}]}; the batch's results: getDecisionBatch().
 */
export async function queueDecisions(visitIds, decision, comment = null) {
  const batchId = crypto.randomUUID();
  return write([S.meta, S.outbox, S.visits], async (tx) => {
    const user = await signedInUser(tx);
    let queued = 0;
    const skipped = [];
    for (const visitId of visitIds) {
      try {
        await queueOne(tx, { visitId, decision, comment }, { user, batchId });
        queued += 1;
      } catch (err) {
        if (!(err instanceof DecisionError)) throw err;
        if (err.code === 'comment_required' || err.code === 'invalid_decision' || err.code === 'forbidden') throw err;
        skipped.push({ visitId, code: err.code });
      }
    }
    const meta = tx.objectStore(S.meta);
    const batches = (await meta.get('decisionBatches')) ?? [];
    const batch = { id: batchId, decision, total: queued, skipped: skipped.length, applied: 0, duplicate: 0, conflict: 0, rejected: 0, createdAt: new Date().toISOString() };
    await meta.put([batch, ...batches].slice(0, KEEP_BATCHES), 'decisionBatches');
    return { batchId, queued, skipped };
  });
}

/** Takes back a decision that has not been sent yet → true; false when there is none (or it left). */
export async function cancelDecision(visitId) {
  return write([S.outbox], async (tx) => {
    const last = (await queuedDecisions(tx, visitId)).at(-1);
    if (!last || last.attempts > 0) return false;
    await tx.objectStore(S.outbox).delete(last.id);
    return true;
  });
}

/** Forgets the settled outcome shown on a visit (the officer has read it). */
export async function dismissOutcome(visitId) {
  return write([S.visits], async (tx) => {
    const visit = await tx.objectStore(S.visits).get(visitId);
    if (visit?.decisionOutcome) await tx.objectStore(S.visits).put({ ...visit, decisionOutcome: null });
  });
}

// ------------------------------------------------------------------ settling (replica.js)

/** What the phone keeps of a settled decision: shown on the visit, counted in its batch. */
export function decisionOutcome(mutation, result) {
  return {
    mutationId: mutation.id,
    batchId: mutation.batchId ?? null,
    decision: mutation.data?.decision ?? null,
    comment: mutation.data?.comment ?? null,
    status: result.status,
    error: result.error ?? null,
    // The decision that won, for a conflict ("someone decided first: …").
    theirs: result.status === 'conflict' ? result.record?.review ?? null : null,
    serverStatus: result.record?.status ?? null,
    at: new Date().toISOString(),
  };
}

/** Counts one settled decision in its bulk batch; `tx` must cover meta. */
export async function countInBatch(tx, mutation, status) {
  if (!mutation.batchId) return;
  const meta = tx.objectStore(S.meta);
  const batches = (await meta.get('decisionBatches')) ?? [];
  const batch = batches.find((b) => b.id === mutation.batchId);
  if (!batch || !(status in batch)) return;
  batch[status] += 1;
  await meta.put(batches, 'decisionBatches');
}

// ------------------------------------------------------------------ reading

const waitingOf = (mutation) =>
  mutation
    ? {
        mutationId: mutation.id,
        decision: mutation.data.decision,
        comment: mutation.data.comment,
        baseRev: mutation.data.base_rev,
        sending: mutation.attempts > 0,
        lastError: mutation.lastError ?? null,
        batchId: mutation.batchId ?? null,
      }
    : null;

/** A replica row → what the review screens show. */
function reviewItem(row, waiting) {
  return { ...reviewItemOf(row.record), waiting: waitingOf(waiting), outcome: row.decisionOutcome ?? null };
}

/** A server record (GET /visits/<id>, pull) → a review item with nothing of this phone's. */
export function reviewItemOf(record) {
  return {
    id: record.id,
    rev: record.rev,
    status: record.status,
    market_id: record.market_id,
    inspector_id: record.inspector_id,
    observed_at: record.observed_at,
    received_at: record.received_at ?? null,
    compliant: record.compliant,
    distance_m: record.distance_m ?? null,
    answers: record.answers ?? {},
    location: record.location ?? null,
    attachments: record.attachments ?? [],
    missing_attachments: record.missing_attachments ?? [],
    review: record.review ?? null,
    waiting: null,
    outcome: null,
  };
}

/** The last queued decision of each visit. */
function lastDecisionByVisit(outbox) {
  const byVisit = new Map();
  for (const m of outbox) if (m.type === DECISION_TYPE) byVisit.set(m.visitId, m); // seq order: last wins
  return byVisit;
}

/** Every visit of the replica that the server holds, as review items (unsorted). */
export async function listReviewItems() {
  return read([S.visits, S.outbox], async (tx) => {
    const [rows, outbox] = await Promise.all([tx.objectStore(S.visits).getAll(), tx.objectStore(S.outbox).index('seq').getAll()]);
    const waiting = lastDecisionByVisit(outbox);
    return rows.filter((row) => row.record && typeof row.record === 'object').map((row) => reviewItem(row, waiting.get(row.id)));
  });
}

/** One review item, or null when the phone does not hold the visit. */
export async function getReviewItem(visitId) {
  return read([S.visits, S.outbox], async (tx) => {
    const row = await tx.objectStore(S.visits).get(visitId);
    if (!row?.record) return null;
    return reviewItem(row, (await queuedDecisions(tx, visitId)).at(-1));
  });
}

/** A bulk batch: {id, decision, total, skipped, applied, duplicate, conflict, rejected, waiting}, or null. */
export async function getDecisionBatch(batchId) {
  return read([S.meta, S.outbox], async (tx) => {
    const batch = ((await tx.objectStore(S.meta).get('decisionBatches')) ?? []).find((b) => b.id === batchId);
    if (!batch) return null;
    const outbox = await tx.objectStore(S.outbox).getAll();
    return { ...batch, waiting: outbox.filter((m) => m.batchId === batchId).length };
  });
}

// ------------------------------------------------------------------ names of people

/** `known` ({id: person}) with `people` ([{id, username, display_name}]) learnt. */
export function mergePeople(known, people) {
  for (const p of people) if (p && p.id != null) known[p.id] = { id: p.id, username: p.username ?? null, display_name: p.display_name ?? null };
  return known;
}

/** Remembers {id, username, display_name} of people seen online (pull pages bring the names of
 * their visits' inspectors and reviewers; the queue and a visit's page bring more). */
export async function rememberPeople(people) {
  if (!Array.isArray(people) || !people.length) return;
  await write([S.meta], async (tx) => {
    const meta = tx.objectStore(S.meta);
    await meta.put(mergePeople((await meta.get('people')) ?? {}, people), 'people');
  }, { durability: 'relaxed' });
}

/** {id: {id, username, display_name}} of the people remembered. */
export async function getPeople() {
  return read([S.meta], async (tx) => (await tx.objectStore(S.meta).get('people')) ?? {});
}
