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
