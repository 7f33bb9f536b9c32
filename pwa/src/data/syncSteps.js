// The three steps of one sync, in the order the server needs them (DESIGN §5):
//   1. photos the outbox refers to and the server lacks (HEAD, then PUT the bytes);
//   2. the outbox, oldest first, in batches; each answer is settled before the next batch;
//   3. pull until has_more is false.
// Each step throws on the first failure (NetworkError, ApiError); the engine (sync.js) decides
// what to do with it. Whatever was settled before the failure stays settled, the rest is sent
// again next time WITH THE SAME MUTATION IDS (see outbox.js), so a retry can never apply twice.
import { S, getMeta, openDb, write } from './db.js';
import { ApiError } from './errors.js';
import { claimBatch, listOutbox, referencedPhotos } from './outbox.js';
import { applyPullPage, beginFullPull, settle } from './replica.js';

const UPLOAD_TIMEOUT_MS = 120_000; // ~200 KB on a poor 3G link
const PUSH_TIMEOUT_MS = 60_000;
const MAX_PULL_RESTARTS = 2;
/** The server keeps refusing these bytes: retrying cannot help (DESIGN §5: 413, 415, 422). */
const PHOTO_REFUSALS = [413, 415, 422];

async function markPhoto(sha256, patch) {
  await write([S.photos], async (tx) => {
    const row = await tx.objectStore(S.photos).get(sha256);
    if (row) await tx.objectStore(S.photos).put({ ...row, ...patch });
  });
}

async function serverHas(api, token, sha256) {
  try {
    await api.request('HEAD', `/attachments/${sha256}`, { token });
    return true;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return false;
    throw err;
  }
}

/**
 * Step 1. A photo the server refuses for good is marked `failed` (kept on the phone, never
 * deleted) and skipped, so one bad file cannot hold back every later visit; the server then
 * lists it in the visit's missing_attachments.
 */
export async function uploadPhotos({ api, token, userId, progress }) {
  const db = await openDb();
  const todo = [];
  for (const sha of await referencedPhotos(userId)) {
    const row = await db.get(S.photos, sha);
    if (row && !row.uploaded && !row.failed) todo.push(row); // no row: the server's photo already
  }
  progress.add(0, todo.length);
  for (const photo of todo) {
    if (!(await serverHas(api, token, photo.sha256))) {
      try {
        await api.request('PUT', `/attachments/${photo.sha256}`, {
          token,
          body: photo.blob,
          headers: { 'Content-Type': photo.type || 'image/jpeg' },
          timeoutMs: UPLOAD_TIMEOUT_MS,
        });
      } catch (err) {
        if (!(err instanceof ApiError && PHOTO_REFUSALS.includes(err.status))) throw err;
        await markPhoto(photo.sha256, { failed: { status: err.status, code: err.code, message: err.message } });
        progress.add(1, 0);
        continue;
      }
    }
    await markPhoto(photo.sha256, { uploaded: true });
    progress.add(1, 0);
  }
}

/** Step 2. Returns the summed result counts. */
export async function pushOutbox({ api, token, userId, deviceId, batchSize, progress }) {
  const totals = { applied: 0, duplicate: 0, conflict: 0, rejected: 0 };
  const queued = (await listOutbox()).filter((m) => m.userId == null || userId == null || m.userId === userId);
  progress.add(0, queued.length);
  let size = batchSize;
  for (;;) {
    const batch = await claimBatch(size, userId);
    if (batch.length === 0) return totals;
    let answer;
    try {
      answer = await api.request('POST', '/sync/push', {
        token,
        json: { device_id: deviceId, mutations: batch.map(({ id, type, data }) => ({ id, type, data })) },
        timeoutMs: PUSH_TIMEOUT_MS,
      });
    } catch (err) {
      // Too big for the server: send the same mutations (same ids, same order) in halves.
      if (err instanceof ApiError && err.status === 413 && batch.length > 1) {
        size = Math.ceil(batch.length / 2);
        continue;
      }
      throw err;
    }
    const counts = await settle(batch, answer.data?.results);
    const settled = Object.values(counts).reduce((a, b) => a + b, 0);
    Object.keys(totals).forEach((k) => (totals[k] += counts[k]));
    progress.add(settled, 0);
    // An answer that settles nothing would make this loop send the same batch forever.
    if (settled === 0) throw new ApiError({ status: answer.status, code: 'bad_response', message: 'The server settled none of the mutations.' });
  }
}

/** Step 3. A cursor the server can no longer serve (410) starts the listing over. */
export async function pullAll({ api, token, pullLimit }) {
  let cursor = await getMeta('cursor');
  if (!cursor) await beginFullPull();
  let restarts = 0;
  let pages = 0;
  for (;;) {
    let page;
    try {
      page = (await api.request('GET', '/sync/pull', { token, query: { cursor, limit: pullLimit }, timeoutMs: PUSH_TIMEOUT_MS })).data;
    } catch (err) {
      if (err instanceof ApiError && err.status === 410 && restarts < MAX_PULL_RESTARTS) {
        restarts += 1;
        await beginFullPull(); // outbox and local visits are untouched; see replica.js
        cursor = null;
        continue;
      }
      throw err;
    }
    if (!page || !Array.isArray(page.changes) || typeof page.cursor !== 'string') {
      throw new ApiError({ status: 200, code: 'bad_response', message: 'The pull answer has no changes/cursor.' });
    }
    await applyPullPage(page);
    cursor = page.cursor;
    pages += 1;
    if (!page.has_more) return { pages, restarts };
  }
}
