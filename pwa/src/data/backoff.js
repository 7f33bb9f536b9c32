// Retry schedule after a failed sync: exponential backoff with FULL jitter (AWS Architecture
// Blog, "Exponential Backoff and Jitter"): the wait is uniform in [0, min(cap, base·2^(n-1)))
// after the n-th failure in a row. The randomness spreads the retries of the many phones that
// lose the server at the same moment (a market hall, a server restart), so they do not all
// come back in the same second. The schedule is kept in meta.backoff, so a reload keeps it.

export const BACKOFF_BASE_MS = 2_000;
export const BACKOFF_CAP_MS = 5 * 60_000;

/** The ceiling of the wait after `failures` failures in a row (failures ≥ 1). */
export function backoffCeiling(failures, base = BACKOFF_BASE_MS, cap = BACKOFF_CAP_MS) {
  const exponent = Math.min(Math.max(0, failures - 1), 30); // 2^30·base is far past any cap
  return Math.min(cap, base * 2 ** exponent);
}

/** A wait in milliseconds, uniform in [0, backoffCeiling(failures)). random() ∈ [0, 1). */
export function backoffDelay(failures, random = Math.random, base = BACKOFF_BASE_MS, cap = BACKOFF_CAP_MS) {
  return Math.floor(random() * backoffCeiling(failures, base, cap));
}
