// The SyncEngine: when to sync, one sync at a time, what the screens are told.
// What a sync does is in syncSteps.js; how answers change the stores is in replica.js.
//
// Failures never lose anything: the outbox is only ever emptied by server answers.
//   NetworkError, 5xx, 429, anything unexpected → retry later, on a backoff schedule kept in
//     meta (backoff.js), so a reload does not hammer the server;
//   401 → the token is forgotten and the status says needsLogin; the outbox waits for a login.
import { createApi } from './api.js';
import { backoffDelay } from './backoff.js';
import { S, getMeta, openDb, write } from './db.js';
import { ApiError, NetworkError } from './errors.js';
import { BATCH_SIZE, noteFailure, pendingVisitCount } from './outbox.js';
import { pullAll, pushOutbox, uploadPhotos } from './syncSteps.js';

/** Background Sync tag; the service worker answers its `sync` event with {type:'sync-requested'}. */
import { SYNC_TAG } from '../shared/constants.js';

export { SYNC_TAG };
const LOCK_NAME = 'cho-xanh-sync';
const AUTO_INTERVAL_MS = 60_000;

/** A 401 answered `token`: forget it (if nobody signed in again meanwhile) and note why. */
export async function forgetToken(token, code) {
  await write([S.meta], async (tx) => {
    const meta = tx.objectStore(S.meta);
    if ((await meta.get('token')) !== token) return;
    await meta.delete('token');
    await meta.put(code ?? 'unauthorized', 'signedOut');
  });
}

const describe = (err) => ({
  code: err?.code ?? err?.name ?? 'error',
  message: err?.message ?? String(err),
  status: typeof err?.status === 'number' ? err.status : null,
});

export class SyncEngine {
  /**
   * @param {object} [o]
   * @param {typeof fetch} [o.fetch] for tests; the default is the browser's fetch
   * @param {{request: Function}} [o.api] an api from createApi() (overrides o.fetch)
   * @param {{request: Function}|null} [o.locks] Web Locks; default navigator.locks, null = none
   * @param {() => number} [o.now] @param {() => number} [o.random]
   * @param {number} [o.batchSize] ≤ 100 by default, at most 500 (DESIGN §5.1)
   * @param {number} [o.pullLimit]
   * @param {{window?, document?, navigator?}} [o.env] event sources (tests pass fakes)
   */
  constructor(o = {}) {
    this.api = o.api ?? createApi({ fetch: o.fetch });
    this.now = o.now ?? (() => Date.now());
    this.random = o.random ?? Math.random;
    this.batchSize = Math.min(o.batchSize ?? BATCH_SIZE, 500);
    this.pullLimit = o.pullLimit ?? 500;
    const g = globalThis;
    this.env = { window: g.window, document: g.document, navigator: g.navigator, ...o.env };
    this.locks = 'locks' in o ? o.locks : (this.env.navigator?.locks ?? null);
    this.listeners = new Set();
    this.running = null;
    this.stopAuto = null;
    this.retryTimer = null;
    this.status = {
      online: this.env.navigator?.onLine ?? true,
      syncing: false,
      progress: { done: 0, total: 0 },
      pending: 0,
      lastSyncedAt: null,
      lastError: null,
      needsLogin: false,
      nextAttemptAt: null,
    };
  }

  /** A copy of the status: {online, syncing, progress:{done,total}, pending, lastSyncedAt, lastError:{code,message,status}|null, needsLogin, nextAttemptAt}. */
  getStatus() {
    return { ...this.status, progress: { ...this.status.progress } };
  }

  /** cb(status) now and on every change; returns the unsubscribe function. */
  subscribe(cb) {
    this.listeners.add(cb);
    cb(this.getStatus());
    this.refresh().catch(() => {});
    return () => this.listeners.delete(cb);
  }

  emit(patch) {
    Object.assign(this.status, patch);
    const status = this.getStatus();
    for (const cb of this.listeners) {
      try {
        cb(status);
      } catch (err) {
        console.error('cho-xanh: status listener failed', err);
      }
    }
  }

  /** Re-reads what the status shows from the database (other tabs may have changed it). */
  async refresh() {
    const db = await openDb();
    const [token, lastSyncedAt, backoff, pending, signedOut] = await Promise.all([
      db.get(S.meta, 'token'),
      db.get(S.meta, 'lastSyncedAt'),
      db.get(S.meta, 'backoff'),
      pendingVisitCount(),
      db.get(S.meta, 'signedOut'),
    ]);
    const patch = {
      pending, lastSyncedAt: lastSyncedAt ?? null, needsLogin: !token, nextAttemptAt: backoff?.nextAttemptAt ?? null,
      // Why the token went: the server's 401 code (token_revoked: an administrator signed the
      // phone out; token_expired: its time ran out), so the screens can say which.
      signedOutReason: token ? null : signedOut ?? null,
    };
    if (!this.status.syncing && backoff?.lastError) patch.lastError = backoff.lastError;
    this.emit(patch);
    return this.getStatus();
  }

  /**
   * Uploads photos, pushes the outbox, pulls. Resolves with the status when done (it does not
   * reject: failures are in status.lastError). A call while a sync runs joins that sync.
   * Without `force` it does nothing before meta.backoff.nextAttemptAt or while offline;
   * force (the "Đồng bộ ngay" button) tries at once.
   */
  syncNow({ force = false } = {}) {
    if (!this.running) {
      const run = () => this.#run(force);
      // Web Locks: two tabs of the app never push at the same time (the lock is per origin).
      const guarded = this.locks?.request ? this.locks.request(LOCK_NAME, run) : run();
      this.running = Promise.resolve(guarded)
        .catch((err) => {
          // Only a broken database gets here (failures inside a sync are in lastError);
          // auto-sync triggers call this without awaiting, so never reject.
          console.error('cho-xanh: sync could not run', err);
          this.emit({ syncing: false, lastError: describe(err) });
          return this.getStatus();
        })
        .finally(() => {
          this.running = null;
        });
    }
    return this.running;
  }

  async #run(force) {
    const db = await openDb();
    const [token, user, deviceId, backoff] = await Promise.all(
      ['token', 'user', 'deviceId', 'backoff'].map((key) => db.get(S.meta, key)),
    );
    if (!token) {
      await this.refresh();
      return this.getStatus();
    }
    if (!force && (this.env.navigator?.onLine === false || (backoff?.nextAttemptAt ?? 0) > this.now())) {
      // A retry already due later (set by an earlier page, say) is kept, not left to the next
      // minute's tick: the outbox goes as soon as the schedule allows.
      if (backoff?.nextAttemptAt) this.#scheduleRetry(backoff.nextAttemptAt);
      return this.refresh();
    }
    const progress = { done: 0, total: 0 };
    const context = {
      api: this.api,
      token,
      userId: user?.id ?? null,
      deviceId,
      batchSize: this.batchSize,
      pullLimit: this.pullLimit,
      progress: {
        add: (done, total) => {
          progress.done += done;
          progress.total += total;
          this.emit({ progress: { ...progress } });
        },
      },
    };
    this.emit({ syncing: true, needsLogin: false, progress: { ...progress } });
    try {
      await uploadPhotos(context);
      await pushOutbox(context);
      await pullAll(context);
      const lastSyncedAt = new Date(this.now()).toISOString();
      await write([S.meta], async (tx) => {
        await tx.objectStore(S.meta).put(lastSyncedAt, 'lastSyncedAt');
        await tx.objectStore(S.meta).delete('backoff');
      });
      clearTimeout(this.retryTimer);
      this.emit({ lastSyncedAt, lastError: null, nextAttemptAt: null });
    } catch (err) {
      await this.#failed(err, token).catch((inner) => console.error('cho-xanh: could not record the failure', inner));
    } finally {
      this.emit({ syncing: false, progress: { done: 0, total: 0 } });
    }
    return this.refresh().catch(() => this.getStatus());
  }

  /** The 401's code; a HEAD answer has no body, so GET /me asks the server why (one request). */
  async #whyRefused(err, token) {
    if (err.code !== `http_${err.status}` || !token) return err.code;
    try {
      await this.api.request('GET', '/me', { token, timeoutMs: 10_000 });
    } catch (again) {
      if (again instanceof ApiError && again.status === 401) return again.code;
    }
    return err.code;
  }

  async #failed(err, usedToken) {
    const error = describe(err);
    if (err instanceof ApiError && err.status === 401) {
      // Forget the token only if nobody signed in again meanwhile. Outbox, visits, photos stay.
      const code = await this.#whyRefused(err, usedToken);
      await forgetToken(usedToken, code);
      this.emit({ needsLogin: true, lastError: error, signedOutReason: code });
      return;
    }
    if (!(err instanceof ApiError || err instanceof NetworkError)) console.error('cho-xanh: sync failed', err);
    const failures = ((await getMeta('backoff'))?.failures ?? 0) + 1;
    const nextAttemptAt = this.now() + backoffDelay(failures, this.random);
    await write([S.meta], (tx) => tx.objectStore(S.meta).put({ failures, nextAttemptAt, lastError: error }, 'backoff'));
    await noteFailure(new Date(nextAttemptAt).toISOString(), error);
    this.emit({ lastError: error, nextAttemptAt });
    this.#scheduleRetry(nextAttemptAt);
    this.registerBackgroundSync();
  }

  #scheduleRetry(at) {
    clearTimeout(this.retryTimer);
    if (!this.stopAuto) return; // only pages running auto-sync retry on their own
    this.retryTimer = setTimeout(() => this.syncNow(), Math.max(0, at - this.now()) + 50);
  }

  /** Asks the browser to wake the service worker when the network is back (Chrome/Android). */
  registerBackgroundSync() {
    const sw = this.env.navigator?.serviceWorker;
    if (!sw?.ready) return;
    Promise.resolve(sw.ready)
      .then((registration) => registration?.sync?.register(SYNC_TAG))
      .catch(() => {
        /* not supported or not allowed: the page's own triggers still work */
      });
  }

  /**
   * Syncs now and then whenever it may help: on start, when the network comes back, when the
   * app comes to the foreground, every minute while visible, when a retry is due, and when
   * the service worker relays a Background Sync. Returns a function that stops all of it.
   * Coming back online (or the browser's Background Sync) retries at once, ignoring the backoff
   * wait: the failures it was counting were most likely this very outage.
   */
  startAutoSync({ intervalMs = AUTO_INTERVAL_MS } = {}) {
    if (this.stopAuto) return this.stopAuto;
    const { window: win, document: doc, navigator: nav } = this.env;
    const undo = [];
    const on = (target, type, handler) => {
      if (!target?.addEventListener) return;
      target.addEventListener(type, handler);
      undo.push(() => target.removeEventListener(type, handler));
    };
    on(win, 'online', () => {
      this.emit({ online: true });
      this.syncNow({ force: true });
    });
    on(win, 'offline', () => this.emit({ online: false }));
    on(doc, 'visibilitychange', () => {
      if (doc.visibilityState === 'visible') this.syncNow();
    });
    on(nav?.serviceWorker, 'message', (event) => {
      if (event?.data?.type === 'sync-requested') this.syncNow({ force: true });
    });
    const timer = setInterval(() => {
      if (doc?.visibilityState !== 'hidden') this.syncNow();
    }, intervalMs);
    undo.push(() => clearInterval(timer));
    this.stopAuto = () => {
      undo.forEach((fn) => fn());
      clearTimeout(this.retryTimer);
      this.stopAuto = null;
    };
    this.registerBackgroundSync();
    this.syncNow();
    return this.stopAuto;
  }

  /**
   * Something was queued (saveVisit, editVisit, a decision): update the count and send it when
   * allowed. Resolves once the count is updated, so the screen that queued it moves on with the
   * right "waiting" count; the sending goes on after.
   */
  async queued() {
    await this.refresh().catch(() => {});
    this.registerBackgroundSync();
    if (!this.stopAuto) return;
    // A sync already past its push step would not send what was just queued: go again after it.
    if (this.running) this.running.then(() => this.syncNow());
    else this.syncNow();
  }

  /** A login succeeded: the outbox kept during needsLogin can go now. */
  async loggedIn() {
    this.emit({ needsLogin: false, lastError: null });
    await this.refresh().catch(() => {});
    if (this.stopAuto) this.syncNow({ force: true });
  }
}
