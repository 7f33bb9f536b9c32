// The reviewer's offline evidence: the photos of the visits waiting in the review queue, kept in
// Cache Storage so a ward officer reviewing with no signal still sees them (issue #14).
//
// Budget: at most EVIDENCE_BUDGET.photos photos and EVIDENCE_BUDGET.bytes bytes, the newest
// visits first (by observed_at); photos of visits that left the queue, or beyond the budget, are
// dropped on the next run. Photos are named by their SHA-256, so a cached copy never goes stale.
// Fetched after each sync on whatever connection the phone has (photos are ~200 KB each). The
// cache is this app's (cho-xanh-*) and is emptied when the officer signs out.
import { API_BASE, CACHE_PREFIX, CACHE_VERSION } from '../shared/constants.js';

export const EVIDENCE_CACHE = `${CACHE_PREFIX}-evidence-${CACHE_VERSION}`;
export const EVIDENCE_BUDGET = Object.freeze({ photos: 200, bytes: 50 * 1024 * 1024 });
/** The statuses whose visits wait for a reviewer (the queue). */
export const QUEUE_STATUSES = Object.freeze(['submitted']);

const cacheStorage = () => globalThis.caches ?? null;
const keyOf = (sha256) => `${API_BASE}/attachments/${sha256}`;

/**
 * The photos to keep, newest visit first, within the budget by count (bytes are checked while
 * fetching): [sha256, …] without repeats. Pure, for tests.
 */
export function evidencePlan(items, budget = EVIDENCE_BUDGET) {
  const queued = items
    .filter((item) => QUEUE_STATUSES.includes(item.status))
    .sort((a, b) => String(b.observed_at ?? '').localeCompare(String(a.observed_at ?? '')));
  const missing = new Set();
  const plan = [];
  for (const item of queued) {
    for (const sha of item.missing_attachments ?? []) missing.add(sha);
    for (const sha of item.attachments ?? []) {
      if (plan.length >= budget.photos) return plan;
      if (!missing.has(sha) && !plan.includes(sha)) plan.push(sha);
    }
  }
  return plan;
}

/**
 * Brings the cache in line with the queue: fetches what is missing (fetchPhoto(sha) → Blob,
 * rejecting when it cannot), drops what is no longer wanted. → {kept, fetched, bytes, failed}.
 * Stops fetching at the first network failure (no signal: the next sync tries again).
 */
export async function refreshEvidence(items, fetchPhoto, budget = EVIDENCE_BUDGET) {
  const storage = cacheStorage();
  if (!storage) return { kept: 0, fetched: 0, bytes: 0, failed: 0 };
  const cache = await storage.open(EVIDENCE_CACHE);
  const plan = evidencePlan(items, budget);
  const kept = new Set();
  let bytes = 0;
  let fetched = 0;
  let failed = 0;
  let offline = false;
  for (const sha of plan) {
    const cached = await cache.match(keyOf(sha));
    if (cached) {
      const size = Number(cached.headers.get('Content-Length') ?? 0);
      if (bytes + size > budget.bytes) break;
      bytes += size;
      kept.add(keyOf(sha));
      continue;
    }
    if (offline) continue; // keep what is cached; fetch the rest next time
    let blob;
    try {
      blob = await fetchPhoto(sha);
    } catch (err) {
      failed += 1;
      if (err?.name === 'NetworkError') offline = true;
      continue; // e.g. 404: not uploaded yet; the others may still come
    }
    if (bytes + blob.size > budget.bytes) break;
    const headers = { 'Content-Type': blob.type || 'image/jpeg', 'Content-Length': String(blob.size) };
    await cache.put(keyOf(sha), new Response(blob, { headers }));
    fetched += 1;
    bytes += blob.size;
    kept.add(keyOf(sha));
  }
  for (const request of await cache.keys()) {
    const path = new URL(request.url, 'http://x').pathname;
    if (!kept.has(path)) await cache.delete(request);
  }
  return { kept: kept.size, fetched, bytes, failed };
}

/** The cached photo as a Blob, or null. */
export async function cachedPhoto(sha256) {
  const storage = cacheStorage();
  if (!storage) return null;
  const response = await (await storage.open(EVIDENCE_CACHE)).match(keyOf(sha256));
  return response ? response.blob() : null;
}

/** Empties the evidence cache (signing out: the next officer sees only their own queue). */
export async function clearEvidence() {
  await cacheStorage()?.delete(EVIDENCE_CACHE);
}
