// Asks the server who it is. Offline is normal: every failure resolves to null, quietly.
import { API_BASE } from '../shared/constants.js';

const TIMEOUT_MS = 8000;

/** Resolves to the server's health body ({status, database, version}) or null. */
export async function fetchHealth(fetchImpl = globalThis.fetch) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  try {
    const res = await fetchImpl(`${API_BASE}/health`, {
      headers: { Accept: 'application/json' },
      cache: 'no-store',
      credentials: 'same-origin',
      signal: controller.signal,
    });
    if (!res.ok) return null;
    const body = await res.json();
    return body && typeof body === 'object' ? body : null;
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

// Does the server answer? Asked at start, when the network comes back, and on a timer: every
// few seconds while it does not (so the pill turns back as soon as it does), rarely otherwise.
const PROBE_UNREACHABLE_MS = 5_000;
const PROBE_REACHABLE_MS = 15_000;

/**
 * The shell's probe: `onReachable(bool)` after each try, `onHealth(body)` when the server
 * answered with its version. Returns `refresh()`, which probes now and sets the next timer.
 */
export function createHealthProbe({ onReachable, onHealth }, fetchImpl = globalThis.fetch) {
  let timer = 0;
  async function refresh() {
    clearTimeout(timer);
    if (navigator.onLine === false) {
      timer = setTimeout(refresh, PROBE_REACHABLE_MS);
      return;
    }
    const health = await fetchHealth(fetchImpl);
    onReachable(!!health);
    if (health && typeof health.version === 'string' && health.version) onHealth(health);
    clearTimeout(timer);
    timer = setTimeout(refresh, health ? PROBE_REACHABLE_MS : PROBE_UNREACHABLE_MS);
  }
  return refresh;
}
