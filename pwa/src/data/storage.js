// Storage health. Without persistent storage the browser may evict the whole origin — the
// outbox included — when the phone runs low on space; persist() asks it not to. Chrome grants
// it without a prompt to installed or much-used apps.

const MB = 1024 * 1024;
export const LOW_FREE_BYTES = 50 * MB;
export const LOW_USED_RATIO = 0.9;

const storageManager = () => globalThis.navigator?.storage;

/** Asks for persistent storage; resolves true when the origin is (now) persistent. */
export async function requestPersistence() {
  const storage = storageManager();
  if (!storage?.persist) return false;
  try {
    if (await storage.persisted?.()) return true;
    return await storage.persist();
  } catch {
    return false;
  }
}

/** Whether an estimate {usage, quota} means trouble: < 50 MB free or > 90 % used. */
export function isLow(usage, quota) {
  if (!Number.isFinite(usage) || !Number.isFinite(quota) || quota <= 0) return false;
  return quota - usage < LOW_FREE_BYTES || usage / quota > LOW_USED_RATIO;
}

/** {usage, quota, low}; usage and quota are null when the browser cannot tell (then low is false). */
export async function storageEstimate() {
  const storage = storageManager();
  if (!storage?.estimate) return { usage: null, quota: null, low: false };
  try {
    const { usage = null, quota = null } = await storage.estimate();
    return { usage, quota, low: isLow(usage, quota) };
  } catch {
    return { usage: null, quota: null, low: false };
  }
}
