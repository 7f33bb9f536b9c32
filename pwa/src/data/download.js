// Files the API sends as bytes rather than JSON: photos (GET /attachments/<sha256>) and the
// review audit (GET /review/decisions.csv). An <img src> or a plain link cannot send the bearer
// token, so the page fetches them with it and hands the screens a Blob.
import { API_BASE } from '../shared/constants.js';
import { ApiError, NetworkError } from './errors.js';

const DEFAULT_TIMEOUT_MS = 60_000; // a 200 KB photo or a long CSV on 3G

/** "attachment; filename=\"x.csv\"" → "x.csv" (null when absent). */
export function filenameOf(disposition) {
  const m = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition ?? '');
  if (!m) return null;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return m[1];
  }
}

/**
 * GET `path` (below /api/v1) with the token → {blob, type, filename}. Rejects with ApiError for
 * an error answer ({status, code, message}), NetworkError when none came (offline, timeout).
 */
export async function fetchBlob(path, { token, query = {}, timeoutMs = DEFAULT_TIMEOUT_MS, fetch: fetchImpl } = {}) {
  const doFetch = fetchImpl ?? ((...args) => globalThis.fetch(...args));
  const params = Object.entries(query).filter(([, v]) => v !== undefined && v !== null && v !== '');
  const url = API_BASE + path + (params.length ? `?${new URLSearchParams(params.map(([k, v]) => [k, String(v)]))}` : '');
  const controller = typeof AbortController === 'function' ? new AbortController() : null;
  const timer = setTimeout(() => controller?.abort(), timeoutMs);
  try {
    let response;
    try {
      response = await doFetch(url, { headers: token ? { Authorization: `Bearer ${token}` } : {}, signal: controller?.signal, credentials: 'same-origin' });
    } catch (err) {
      throw new NetworkError(err?.name === 'AbortError' ? 'Máy chủ không trả lời kịp' : undefined, { cause: err });
    }
    if (!response.ok) {
      let error = {};
      try {
        error = (await response.json())?.error ?? {};
      } catch {
        /* not JSON */
      }
      throw new ApiError({ status: response.status, code: error.code ?? `http_${response.status}`, message: error.message ?? `HTTP ${response.status}` });
    }
    let blob;
    try {
      blob = await response.blob();
    } catch (err) {
      throw new NetworkError('Mất kết nối khi đang nhận dữ liệu', { cause: err });
    }
    return { blob, type: response.headers.get('Content-Type') ?? blob.type, filename: filenameOf(response.headers.get('Content-Disposition')) };
  } finally {
    clearTimeout(timer);
  }
}
