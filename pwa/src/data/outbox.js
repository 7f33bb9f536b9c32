// The outbox: mutations (DESIGN §5.1) waiting for the server, oldest first.
//
// A mutation's id is made once, when it is queued, and is sent unchanged on every retry: the
// server's exactly-once guarantee rests on it (a repeat is answered `duplicate`). For the same
// reason a mutation that has been sent even once (attempts > 0) is never changed again: the
// server may have applied it, and the same id with other content would be refused as
// `mutation_id_reused`. A mutation leaves the outbox only when the server settled it: applied or
// duplicate (done), conflict or rejected (moved into its visit, see replica.js).
//
// Functions taking `tx` work inside the caller's transaction, so a visit and its mutation are
// written together or not at all.
import { S, read, write } from './db.js';

export const BATCH_SIZE = 100;

/**
 * Queues a mutation; `tx` must cover meta and outbox.
 * @returns the stored mutation {id, seq, type, data, visitId, userId, createdAt, attempts, nextAttemptAt, batchId?}
 */
export async function enqueue(tx, { type, data, visitId = null, userId = null, batchId = null }) {
  const meta = tx.objectStore(S.meta);
  const seq = ((await meta.get('outboxSeq')) ?? 0) + 1;
  await meta.put(seq, 'outboxSeq');
  const mutation = {
    id: crypto.randomUUID(),
    seq,
    type,
    data,
    visitId,
    userId,
    createdAt: new Date().toISOString(),
    attempts: 0,
    nextAttemptAt: null,
    lastError: null,
  };
  // Local only (never sent): groups the decisions of one bulk approval for its summary.
  if (batchId) mutation.batchId = batchId;
  await tx.objectStore(S.outbox).add(mutation);
  return mutation;
}

/** The visit's mutations still in the outbox, in push order; `tx` must cover outbox. */
export async function mutationsOf(tx, visitId) {
  const list = await tx.objectStore(S.outbox).index('visitId').getAll(visitId);
  return list.sort((a, b) => a.seq - b.seq);
}

/** Every mutation in push order. */
export async function listOutbox() {
  return read([S.outbox], (tx) => tx.objectStore(S.outbox).index('seq').getAll());
}

/** How many visits have something in the outbox (what "N chưa gửi" counts). */
export async function pendingVisitCount() {
  const all = await listOutbox();
  return new Set(all.map((m) => m.visitId ?? m.id)).size;
}

/** May this user push this mutation? Mutations recorded without a session belong to whoever signs in. */
const ownedBy = (mutation, userId) => mutation.userId == null || userId == null || mutation.userId === userId;

/**
 * Takes the first `limit` mutations of `userId` in push order and counts the attempt, in one
 * transaction: from here on they may have reached the server, so editVisit() no longer folds
 * changes into them (it queues a new mutation instead).
 */
export async function claimBatch(limit = BATCH_SIZE, userId = null) {
  return write([S.outbox], async (tx) => {
    const batch = [];
    let cursor = await tx.objectStore(S.outbox).index('seq').openCursor();
    while (cursor && batch.length < limit) {
      const mutation = cursor.value;
      if (ownedBy(mutation, userId)) {
        mutation.attempts += 1;
        mutation.lastAttemptAt = new Date().toISOString();
        await cursor.update(mutation);
        batch.push(mutation);
      }
      cursor = await cursor.continue();
    }
    return batch;
  });
}

/** Photo hashes the next pushes will reference, in push order, without duplicates. */
export async function referencedPhotos(userId = null) {
  const shas = [];
  for (const mutation of await listOutbox()) {
    if (!ownedBy(mutation, userId)) continue;
    for (const sha of mutation.data?.attachments ?? []) if (!shas.includes(sha)) shas.push(sha);
  }
  return shas;
}

/** Notes a failed sync on every queued mutation (shown to the user; the schedule itself is meta.backoff). */
export async function noteFailure(nextAttemptAt, error) {
  await write(
    [S.outbox],
    async (tx) => {
      let cursor = await tx.objectStore(S.outbox).openCursor();
      while (cursor) {
        await cursor.update({ ...cursor.value, nextAttemptAt, lastError: error });
        cursor = await cursor.continue();
      }
    },
    { durability: 'relaxed' },
  );
}
