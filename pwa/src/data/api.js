// fetch wrapper for the HTTP API v1 (DESIGN §5). Two kinds of failure, because the sync engine
// treats them differently:
//   NetworkError — no HTTP answer at all (offline, DNS, dropped connection, our timeout);
//   ApiError     — an HTTP answer that is not 2xx, as {status, code, message, fields}.
// A slow 3G link can leave a request hanging for minutes, so every request has a timeout.
import { API_BASE } from '../shared/constants.js';
import { ApiError, NetworkError } from './errors.js';

const DEFAULT_TIMEOUT_MS = 30_000;

async function errorFrom(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    /* not JSON: a proxy's HTML page, an empty 502… */
  }
  const error = body && typeof body.error === 'object' && body.error ? body.error : {};
  return new ApiError({
    status: response.status,
    code: typeof error.code === 'string' ? error.code : `http_${response.status}`,
    message: typeof error.message === 'string' ? error.message : response.statusText || `HTTP ${response.status}`,
    fields: error.fields && typeof error.fields === 'object' ? error.fields : null,
    attemptsLeft: Number.isInteger(error.attempts_left) ? error.attempts_left : null,
  });
}

/**
 * @param {object} [options]
 * @param {typeof fetch} [options.fetch] the fetch to use (tests pass a fake server)
 * @param {string} [options.base] API base path or URL
 * @param {number} [options.timeoutMs]
 */
export function createApi({ fetch: fetchImpl, base = API_BASE, timeoutMs = DEFAULT_TIMEOUT_MS } = {}) {
  const doFetch = fetchImpl ?? ((...args) => globalThis.fetch(...args));

  /**
   * Sends one request. Resolves {status, data, headers} for a 2xx answer (data: parsed JSON or
   * null); rejects with ApiError for any other answer, NetworkError when none came.
   * @param {string} method
   * @param {string} path below /api/v1, e.g. '/sync/push'
   * @param {{token?: string, json?: unknown, body?: BodyInit, headers?: object,
   *          query?: object, timeoutMs?: number}} [options]
   */
  async function request(method, path, options = {}) {
    const headers = { Accept: 'application/json', ...(options.headers ?? {}) };
    if (options.token) headers.Authorization = `Bearer ${options.token}`;
    let body = options.body;
    if (options.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(options.json);
    }
    let url = base + path;
    const query = Object.entries(options.query ?? {}).filter(([, v]) => v !== undefined && v !== null);
    if (query.length) url += `?${new URLSearchParams(query.map(([k, v]) => [k, String(v)]))}`;

    // The timer runs until the body is read: a pull page can stall half-way on 3G.
    const controller = typeof AbortController === 'function' ? new AbortController() : null;
    const timer = setTimeout(() => controller?.abort(), options.timeoutMs ?? timeoutMs);
    try {
      let response;
      try {
        response = await doFetch(url, { method, headers, body, signal: controller?.signal, credentials: 'same-origin' });
      } catch (err) {
        // fetch rejects (TypeError) only when no answer came; AbortError is our timeout.
        throw new NetworkError(err?.name === 'AbortError' ? 'Máy chủ không trả lời kịp' : undefined, { cause: err });
      }
      if (!response.ok) throw await errorFrom(response);
      let text = '';
      if (method !== 'HEAD' && response.status !== 204) {
        try {
          text = await response.text();
        } catch (err) {
          throw new NetworkError('Mất kết nối khi đang nhận dữ liệu', { cause: err });
        }
      }
      let data = null;
      if (text) {
        try {
          data = JSON.parse(text);
        } catch {
          throw new ApiError({ status: response.status, code: 'bad_response', message: 'The server did not answer with JSON.' });
        }
      }
      return { status: response.status, data, headers: response.headers };
    } finally {
      clearTimeout(timer);
    }
  }

  return { request };
}

/** True for failures worth retrying later: no answer, a server error, or "slow down". */
export function isRetryable(err) {
  if (err instanceof NetworkError) return true;
  if (!(err instanceof ApiError)) return false;
  // bad_response: a 2xx that is not JSON, e.g. a Wi-Fi login page answering for the server.
  return err.status >= 500 || err.status === 429 || err.status === 408 || err.code === 'bad_response';
}
