// Sign-in, sign-out, API error mapping, storage health, backoff bounds, photo helpers.
import { beforeEach, describe, expect, it } from 'vitest';

import { createServer, draft, resetDb } from './helpers.js';
import { createApi, isRetryable } from '../../src/data/api.js';
import { BACKOFF_BASE_MS, BACKOFF_CAP_MS, backoffCeiling, backoffDelay } from '../../src/data/backoff.js';
import { S, getMeta, openDb } from '../../src/data/db.js';
import { ApiError, NetworkError } from '../../src/data/errors.js';
import { listOutbox } from '../../src/data/outbox.js';
import { fitWithin, preparePhoto, sha256Hex } from '../../src/data/photos.js';
import { currentSession, getDeviceId, login, logout } from '../../src/data/session.js';
import { isLow, storageEstimate } from '../../src/data/storage.js';
import { listVisits, saveVisit } from '../../src/data/visits.js';

let server;
beforeEach(async () => {
  await resetDb();
  server = createServer();
});

describe('session', () => {
  it('login sends the device id and stores token and user', async () => {
    const session = await login('inspector', 'pw', { api: server.api });
    const request = server.requests.at(-1);
    expect(request.body).toMatchObject({ username: 'inspector', password: 'pw', device_id: await getDeviceId() });
    expect(session.user.username).toBe('inspector');
    expect(await currentSession()).toMatchObject({ token: session.token, user: { id: 7 }, deviceId: await getDeviceId() });
  });

  it('wrong password: ApiError 401 invalid_credentials, nothing stored', async () => {
    const error = await login('inspector', 'nope', { api: server.api }).catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 401, code: 'invalid_credentials' });
    expect(await currentSession()).toBeNull();
  });

  it('logout revokes best-effort and keeps outbox, visits and photos', async () => {
    await login('inspector', 'pw', { api: server.api });
    await saveVisit(draft());
    server.faults.push({ kind: 'network' }); // offline: the DELETE cannot go
    await logout({ api: server.api });
    expect(await currentSession()).toBeNull();
    expect(await getMeta('token')).toBeUndefined();
    expect(await listOutbox()).toHaveLength(1);
    expect(await listVisits()).toHaveLength(1);
    expect(await getMeta('deviceId')).toBeTruthy();
  });

  it('a different user signing in restarts the pull', async () => {
    await login('inspector', 'pw', { api: server.api });
    const db = await openDb();
    await db.put(S.meta, 'inc:5', 'cursor');
    await login('inspector', 'pw', { api: server.api });
    expect(await getMeta('cursor')).toBe('inc:5');
    await login('other', 'pw', { api: server.api });
    expect(await getMeta('cursor')).toBeUndefined();
  });
});

describe('api', () => {
  const respond = (response) => createApi({ fetch: async () => response });

  it('maps an error body to {status, code, message, fields}', async () => {
    const body = { error: { code: 'validation_failed', message: 'Bad.', fields: { limit: ['1..1000'] } } };
    const error = await respond(new Response(JSON.stringify(body), { status: 400 })).request('GET', '/x').catch((e) => e);
    expect(error).toMatchObject({ name: 'ApiError', status: 400, code: 'validation_failed', message: 'Bad.', fields: { limit: ['1..1000'] } });
    expect(isRetryable(error)).toBe(false);
  });

  it('a non-JSON 502 is still an ApiError, and retryable', async () => {
    const error = await respond(new Response('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway' })).request('GET', '/x').catch((e) => e);
    expect(error).toMatchObject({ status: 502, code: 'http_502', fields: null });
    expect(isRetryable(error)).toBe(true);
  });

  it('no answer is a NetworkError; a hung request times out as one', async () => {
    const down = createApi({ fetch: async () => { throw new TypeError('Failed to fetch'); } });
    const error = await down.request('GET', '/x').catch((e) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(isRetryable(error)).toBe(true);
    const hung = createApi({
      timeoutMs: 20,
      fetch: (url, init) => new Promise((_, reject) => init.signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')))),
    });
    await expect(hung.request('GET', '/x')).rejects.toBeInstanceOf(NetworkError);
  });

  it('sends the bearer token and JSON, parses JSON, handles 204', async () => {
    const seen = [];
    const api = createApi({
      fetch: async (url, init) => {
        seen.push({ url, init });
        return init.method === 'DELETE' ? new Response(null, { status: 204 }) : new Response('{"ok":1}', { status: 200 });
      },
    });
    expect((await api.request('POST', '/sync/push', { token: 't', json: { a: 1 } })).data).toEqual({ ok: 1 });
    expect(seen[0].url).toBe('/api/v1/sync/push');
    expect(seen[0].init.headers).toMatchObject({ Authorization: 'Bearer t', 'Content-Type': 'application/json' });
    expect(seen[0].init.body).toBe('{"a":1}');
    expect((await api.request('DELETE', '/auth/token', { token: 't' })).data).toBeNull();
    await api.request('GET', '/sync/pull', { query: { cursor: null, limit: 500 } });
    expect(seen[2].url).toBe('/api/v1/sync/pull?limit=500');
  });
});

describe('backoff', () => {
  it('full jitter within [0, min(cap, 2 s·2^(n-1)))', () => {
    expect(backoffCeiling(1)).toBe(BACKOFF_BASE_MS);
    expect(backoffCeiling(2)).toBe(2 * BACKOFF_BASE_MS);
    expect(backoffCeiling(100)).toBe(BACKOFF_CAP_MS);
    for (let n = 1; n < 20; n += 1) {
      expect(backoffDelay(n, () => 0)).toBe(0);
      const top = backoffDelay(n, () => 0.9999999);
      expect(top).toBeLessThan(backoffCeiling(n));
      expect(top).toBeGreaterThanOrEqual(backoffCeiling(n) - 1);
    }
    for (let i = 0; i < 200; i += 1) {
      const d = backoffDelay(4);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(8 * BACKOFF_BASE_MS);
    }
  });
});

describe('storage', () => {
  it('low when < 50 MB free or > 90 % used', () => {
    const MB = 1024 * 1024;
    expect(isLow(10 * MB, 1000 * MB)).toBe(false);
    expect(isLow(960 * MB, 1000 * MB)).toBe(true);
    expect(isLow(100 * MB, 140 * MB)).toBe(true);
    expect(isLow(null, null)).toBe(false);
  });

  it('estimate without the API says unknown', async () => {
    expect(await storageEstimate()).toEqual({ usage: null, quota: null, low: false });
  });
});

describe('photos', () => {
  it('hashes with SHA-256 hex', async () => {
    expect(await sha256Hex(new Blob(['abc']))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('fits within 1280 px, never upscales', () => {
    expect(fitWithin(4000, 3000)).toEqual({ width: 1280, height: 960 });
    expect(fitWithin(3000, 4000)).toEqual({ width: 960, height: 1280 });
    expect(fitWithin(800, 600)).toEqual({ width: 800, height: 600 });
  });

  it('preparePhoto draws on an OffscreenCanvas and returns JPEG with its hash', async () => {
    const drawn = [];
    globalThis.createImageBitmap = async () => ({ width: 4032, height: 3024, close() {} });
    globalThis.OffscreenCanvas = class {
      constructor(w, h) {
        Object.assign(this, { width: w, height: h });
      }
      getContext() {
        return { fillRect() {}, drawImage: (_img, x, y, w, h) => drawn.push([w, h]) };
      }
      async convertToBlob({ type, quality }) {
        drawn.push([type, quality]);
        return new Blob(['jpeg-bytes'], { type });
      }
    };
    try {
      const photo = await preparePhoto(new Blob(['raw']));
      expect(drawn).toEqual([[1280, 960], ['image/jpeg', 0.8]]);
      expect(photo).toMatchObject({ type: 'image/jpeg', size: 10, sha256: await sha256Hex(new Blob(['jpeg-bytes'])) });
      expect(await photo.blob.text()).toBe('jpeg-bytes');
    } finally {
      delete globalThis.createImageBitmap;
      delete globalThis.OffscreenCanvas;
    }
  });
});
