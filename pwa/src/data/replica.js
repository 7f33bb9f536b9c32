// How server answers change the local stores: push results (DESIGN §5.1) and pull pages (§5.2).
//
// Rules, all for one reason — nothing the inspector recorded is ever lost:
// - a mutation leaves the outbox only when the server settled it. applied/duplicate: done.
//   conflict/rejected: moved into its visit (`held`), with the server's error and record, and
//   the visit shows `conflict` / `refused` until the inspector edits it again;
// - a pulled record never overwrites a visit that still has a mutation in the outbox (pending
//   local edits win until sent), nor the answers of a visit holding a refused/conflicting change;
// - a full re-pull (first sync, or after 410 cursor_expired) does not empty the replica first:
//   rows are tagged with the pull's epoch and the rows not seen are removed only when the listing
//   is complete, so an interrupted re-pull on a bad line never leaves the market list empty.
import { S, write } from './db.js';
import { DECISION_TYPE, countInBatch, decisionOutcome, mergePeople } from './decisions.js';

const STATUS_TO_STATE = Object.freeze({ submitted: 'sent', returned: 'returned', approved: 'approved', rejected: 'rejected' });
const HELD_STATES = ['conflict', 'refused'];
const REPLICA_STORES = Object.freeze({ market: S.markets, org_unit: S.orgUnits, form: S.forms });

/** The phone's state for a server status. */
export const stateOf = (record) => STATUS_TO_STATE[record?.status] ?? 'sent';

const isQueued = async (tx, visitId) => (await tx.objectStore(S.outbox).index('visitId').getKey(visitId)) !== undefined;

/** A visit row holding exactly the server's record. */
function fromRecord(record, local) {
  const now = new Date().toISOString();
  return {
    held: [],
    userId: null,
    createdAt: now,
    ...local,
    id: record.id,
    market_id: record.market_id,
    form_version: record.form_version,
    observed_at: record.observed_at,
    answers: record.answers,
    location: record.location ?? null,
    photos: record.attachments ?? [],
    rev: record.rev,
    state: stateOf(record),
    record,
    review: record.review ?? null,
    error: null,
    updatedAt: now,
  };
}

/**
 * The visit row after learning `record` from the server, or null when it changes nothing.
 * queued: the visit still has mutations in the outbox; fromPush: `record` answers our own mutation.
 */
export function applyRecord(local, record, { queued = false, fromPush = false } = {}) {
  if (!record || typeof record !== 'object') return null;
  if (!local) return fromRecord(record);
  if (local.rev != null && Number(record.rev) < local.rev) return null; // older news
  if (queued) {
    // Still ours to send: keep answers and state. A push result also tells the rev it made.
    return fromPush ? { ...local, rev: record.rev, record, review: record.review ?? null } : { ...local, record };
  }
  if (HELD_STATES.includes(local.state) && !fromPush) {
    // Keep the refused/conflicting change on screen; learn the rev a fix must be based on.
    return { ...local, rev: record.rev, record, review: record.review ?? null };
  }
  return fromRecord(record, local);
}

/**
 * A settled review decision (decisions.js). Unlike an inspector's edit, nothing is held: the
 * decision is the officer's, not the visit's content. Whatever the answer, the visit is refreshed
 * from the server record it carries (a conflict brings the decision that won) and the outcome
 * is kept on the row for the screens; a bulk batch counts it.
 */
async function settleDecision(tx, mutation, result, local, queued) {
  const record = result.record ?? null;
  let next = local ?? null;
  if (record) next = (local ? applyRecord(local, record, { queued, fromPush: true }) : fromRecord(record)) ?? local;
  if (next) await tx.objectStore(S.visits).put({ ...next, decisionOutcome: decisionOutcome(mutation, result) });
  await countInBatch(tx, mutation, result.status);
}

/**
 * Applies one push answer to the outbox and visits, in one transaction. Results for unknown
 * ids or with an unknown status are ignored: their mutations stay queued and are sent again.
 * @returns {Promise<{applied, duplicate, conflict, rejected}>} counts
 */
export async function settle(batch, results) {
  const pending = new Map(batch.map((m) => [m.id, m]));
  return write([S.meta, S.outbox, S.visits], async (tx) => {
    const counts = { applied: 0, duplicate: 0, conflict: 0, rejected: 0 };
    for (const result of Array.isArray(results) ? results : []) {
      const mutation = pending.get(result?.id);
      if (!mutation || !(result.status in counts)) continue;
      pending.delete(mutation.id);
      counts[result.status] += 1;
      await tx.objectStore(S.outbox).delete(mutation.id);
      const visitId = mutation.visitId ?? mutation.data?.visit_id ?? result.record?.id;
      if (!visitId) continue;
      const visits = tx.objectStore(S.visits);
      const local = await visits.get(visitId);
      const queued = await isQueued(tx, visitId);
      if (mutation.type === DECISION_TYPE) {
        await settleDecision(tx, mutation, result, local, queued);
        continue;
      }
      let next;
      if (result.status === 'applied' || result.status === 'duplicate') {
        next = applyRecord(local, result.record, { queued, fromPush: true });
      } else {
        const record = result.record ?? null;
        const held = { mutation, status: result.status, error: result.error ?? null, record, at: new Date().toISOString() };
        next = {
          ...(local ?? (record ? fromRecord(record) : { id: visitId, held: [] })),
          state: result.status === 'conflict' ? 'conflict' : 'refused',
          error: result.error ?? { code: result.status, message: result.status },
          held: [...(local?.held ?? []), held],
          updatedAt: new Date().toISOString(),
        };
        if (record) Object.assign(next, { rev: record.rev, record, review: record.review ?? null });
      }
      if (next) await visits.put(next);
    }
    return counts;
  });
}

/** Starts a pull from scratch: forget the cursor, open a new epoch (rows not re-listed will go). */
export async function beginFullPull() {
  return write([S.meta], async (tx) => {
    const meta = tx.objectStore(S.meta);
    const epoch = ((await meta.get('fullPull'))?.epoch ?? 0) + 1;
    await meta.put({ epoch, active: true }, 'fullPull');
    await meta.delete('cursor');
    return epoch;
  });
}

async function applyVisitChange(tx, change, epoch) {
  const visits = tx.objectStore(S.visits);
  const local = await visits.get(change.id);
  const queued = await isQueued(tx, change.id);
  if (change.op === 'delete') {
    // Out of our visible set. Unsent or refused work stays: it is the inspector's.
    if (local && !queued && !HELD_STATES.includes(local.state)) await visits.delete(change.id);
    return;
  }
  const next = applyRecord(local, change.data, { queued }) ?? local;
  if (next) await visits.put({ ...next, epoch });
}

async function applyChange(tx, change, epoch) {
  if (!change || change.id === undefined || change.id === null) return;
  if (change.entity === 'visit') return applyVisitChange(tx, change, epoch);
  const name = REPLICA_STORES[change.entity];
  if (!name) return; // an entity a newer server knows and this app does not
  const store = tx.objectStore(name);
  if (change.op === 'delete') await store.delete(change.id);
  else await store.put({ id: change.id, rev: change.rev ?? null, data: change.data, epoch });
}

/** Keep a visit in a sweep if the server never had it or it holds unsent/refused work. */
const keepLocal = async (tx, visit) => visit.rev == null || HELD_STATES.includes(visit.state) || (await isQueued(tx, visit.id));

async function sweep(tx, epoch) {
  for (const name of [...Object.values(REPLICA_STORES), S.visits]) {
    let cursor = await tx.objectStore(name).openCursor();
    while (cursor) {
      const row = cursor.value;
      if (row.epoch !== epoch && !(name === S.visits && (await keepLocal(tx, row)))) await cursor.delete();
      cursor = await cursor.continue();
    }
  }
}

/**
 * Applies one pull page and stores its cursor in the same transaction, so a crash leaves either
 * the page and its cursor or neither. The page that ends a full listing also sweeps.
 */
export async function applyPullPage({ changes, cursor, has_more: hasMore, people }) {
  const stores = [S.meta, S.outbox, S.visits, ...Object.values(REPLICA_STORES)];
  return write(
    stores,
    async (tx) => {
      const meta = tx.objectStore(S.meta);
      const full = await meta.get('fullPull');
      const epoch = full?.active ? full.epoch : null;
      for (const change of Array.isArray(changes) ? changes : []) await applyChange(tx, change, epoch);
      if (Array.isArray(people) && people.length) await meta.put(mergePeople((await meta.get('people')) ?? {}, people), 'people');
      await meta.put(cursor, 'cursor');
      if (!hasMore && full?.active) {
        await sweep(tx, full.epoch);
        await meta.put({ ...full, active: false }, 'fullPull');
      }
    },
    { durability: 'relaxed' }, // server data: if lost in a crash, the cursor goes with it
  );
}
