// The SyncEngine against the fake server, part 2: pull (410, pending edits win), single flight,
// Web Locks, photo uploads, auto-sync triggers.
import { beforeEach, describe, expect, it } from 'vitest';

import { OK_ANSWERS, createServer, draft, fakePhoto, resetDb } from './helpers.js';
import { S, getMeta, openDb } from '../../src/data/db.js';
import { listOutbox } from '../../src/data/outbox.js';
import { login } from '../../src/data/session.js';
import { SyncEngine } from '../../src/data/sync.js';
import { pullAll } from '../../src/data/syncSteps.js';
import { editVisit, getVisit, saveVisit } from '../../src/data/visits.js';

let server;
let clock;
const engine = (options = {}) => new SyncEngine({ api: server.api, now: () => clock, random: () => 0.5, locks: null, ...options });

beforeEach(async () => {
  await resetDb();
  server = createServer();
  clock = Date.parse('2023-03-01T02:00:00Z');
  await login('inspector', 'pw', { api: server.api });
});

describe('pull', () => {
  it('fills the replica and follows review decisions', async () => {
    const id = await saveVisit(draft());
    const sync = engine();
    await sync.syncNow();
    const db = await openDb();
    expect((await db.getAll(S.markets)).map((r) => r.data.name)).toEqual(['Chợ 1', 'Chợ 2', 'Chợ 3']);
    expect(await db.get(S.forms, 'market_visit@2023.1')).toBeTruthy();
    server.review(id, 'return', 'Thiếu ảnh');
    await sync.syncNow();
    const visit = await getVisit(id);
    expect(visit).toMatchObject({ state: 'returned', rev: 2, review: { decision: 'return', comment: 'Thiếu ảnh' } });
    // …and the inspector's fix is based on that rev.
    await editVisit(id, { answers: { ...OK_ANSWERS, notes: 'Đã chụp thêm' } });
    expect((await listOutbox())[0].data.base_rev).toBe(2);
    await sync.syncNow();
    expect(await getVisit(id)).toMatchObject({ state: 'sent', rev: 3 });
    expect(server.visits.get(id)).toMatchObject({ status: 'submitted', rev: 3 });
  });

  it('a pulled record does not overwrite a pending local edit', async () => {
    const id = await saveVisit(draft());
    const sync = engine();
    await sync.syncNow();
    server.review(id, 'return');
    await sync.syncNow();
    await editVisit(id, { answers: { ...OK_ANSWERS, stalls_total: 77 } });
    server.faults.push({ path: '/sync/push', kind: 'network' });
    // Only pull runs (push fails first in a real sync), so drive a pull-only engine step:
    server.review(id, 'return', 'lần hai');
    await sync.syncNow(); // push fails → nothing pulled either
    await pullAll({ api: server.api, token: await getMeta('token'), pullLimit: 500 });
    const visit = await getVisit(id);
    expect(visit.state).toBe('pending');
    expect(visit.answers.stalls_total).toBe(77);
    expect(visit.rev).toBe(2); // the queued edit is based on it; the server record is kept aside
    expect(visit.record.rev).toBe(3);
    expect(await listOutbox()).toHaveLength(1);
  });

  it('410: pulls from scratch, keeps the outbox and local pending visits, drops what is gone', async () => {
    const sync = engine();
    const sentId = await saveVisit(draft());
    await sync.syncNow();
    const pendingId = await saveVisit(draft({ answers: { ...OK_ANSWERS, stalls_total: 55 } }));
    server.deleteMarket(3);
    server.setMarket({ ...server.markets.get(1), name: 'Chợ Đồng Xuân' });
    server.expireCursors();
    server.faults.push({ path: '/sync/push', kind: 'network' }); // the pending visit stays queued
    await sync.syncNow();
    const result = await pullAll({ api: server.api, token: await getMeta('token'), pullLimit: 500 });
    expect(result.restarts).toBe(1);
    const db = await openDb();
    expect((await db.getAll(S.markets)).map((r) => r.data.name)).toEqual(['Chợ Đồng Xuân', 'Chợ 2']);
    expect((await getVisit(pendingId)).state).toBe('pending');
    expect((await getVisit(sentId)).state).toBe('sent');
    expect(await listOutbox()).toHaveLength(1);
    await sync.syncNow({ force: true });
    expect((await getVisit(pendingId)).state).toBe('sent');
  });
});

describe('guards', () => {
  it('single flight: a second call joins the running sync', async () => {
    await saveVisit(draft());
    const sync = engine();
    const [a, b] = [sync.syncNow(), sync.syncNow({ force: true })];
    expect(a).toBe(b);
    await a;
    expect(server.pushes()).toHaveLength(1);
  });

  it('holds the Web Lock while syncing', async () => {
    const names = [];
    const locks = { request: async (name, fn) => (names.push(name), fn()) };
    await saveVisit(draft());
    await engine({ locks }).syncNow();
    expect(names).toEqual(['cho-xanh-sync']);
  });

  it('skips an unforced sync while the browser is offline, without counting a failure', async () => {
    await saveVisit(draft());
    const status = await engine({ env: { navigator: { onLine: false } } }).syncNow();
    expect(server.requests.filter((r) => r.path !== '/auth/token')).toHaveLength(0);
    expect(status.pending).toBe(1);
    expect(await getMeta('backoff')).toBeUndefined();
  });
});

describe('photos', () => {
  it('uploads missing photos (HEAD then PUT with the type) before the push, once', async () => {
    const [a, b] = await Promise.all([fakePhoto('a'), fakePhoto('b')]);
    server.attachments.set(b.sha256, { type: 'image/jpeg' }); // already there
    const id = await saveVisit(draft({ photos: [a, b] }));
    await engine().syncNow();
    const calls = server.requests.filter((r) => r.path.startsWith('/attachments/')).map((r) => `${r.method} ${r.path.slice(13, 17)}`);
    expect(calls).toEqual([`HEAD ${a.sha256.slice(0, 4)}`, `PUT ${a.sha256.slice(0, 4)}`, `HEAD ${b.sha256.slice(0, 4)}`]);
    expect(server.attachments.get(a.sha256).type).toBe('image/jpeg');
    expect(server.visits.get(id).missing_attachments).toEqual([]);
    const db = await openDb();
    expect((await db.get(S.photos, a.sha256)).uploaded).toBe(true);
    expect((await db.get(S.photos, b.sha256)).uploaded).toBe(true);
    await editVisit(id, { answers: { ...OK_ANSWERS, notes: 'x' } });
    const before = server.requests.length;
    await engine().syncNow({ force: true });
    expect(server.requests.slice(before).some((r) => r.path.startsWith('/attachments/'))).toBe(false);
  });

  it('a photo upload cut off: nothing is pushed yet, everything retried', async () => {
    const photo = await fakePhoto();
    await saveVisit(draft({ photos: [photo] }));
    server.faults.push({ path: `/attachments/${photo.sha256}`, kind: 'network' });
    await engine().syncNow();
    expect(server.pushes()).toHaveLength(0);
    await engine().syncNow({ force: true });
    expect(server.attachments.has(photo.sha256)).toBe(true);
    expect(await listOutbox()).toEqual([]);
  });

  it('a photo the server refuses for good is kept, marked, and does not block the visit', async () => {
    const photo = await fakePhoto();
    const id = await saveVisit(draft({ photos: [photo] }));
    // HEAD: not there; PUT: 415 unsupported_media_type.
    server.faults.push({ path: `/attachments/${photo.sha256}`, kind: 404 }, { path: `/attachments/${photo.sha256}`, kind: 415 });
    await engine().syncNow();
    const row = await (await openDb()).get(S.photos, photo.sha256);
    expect(row).toMatchObject({ uploaded: false, failed: { status: 415 } });
    expect(await row.blob.text()).toBe(await photo.blob.text());
    expect((await getVisit(id)).state).toBe('sent');
  });
});

describe('auto sync', () => {
  it('syncs on start, on online, on visible, on the SW message; registers Background Sync', async () => {
    const win = new EventTarget();
    const doc = Object.assign(new EventTarget(), { visibilityState: 'visible' });
    const sw = new EventTarget();
    const tags = [];
    sw.ready = Promise.resolve({ sync: { register: async (tag) => tags.push(tag) } });
    const sync = engine({ env: { window: win, document: doc, navigator: { onLine: true, serviceWorker: sw } } });
    const runs = [];
    const real = sync.syncNow.bind(sync);
    sync.syncNow = (o) => (runs.push(o?.force ? 'force' : 'auto'), real(o));
    const stop = sync.startAutoSync({ intervalMs: 1e9 });
    await sync.running;
    win.dispatchEvent(new Event('online'));
    await sync.running;
    doc.dispatchEvent(new Event('visibilitychange'));
    await sync.running;
    sw.dispatchEvent(Object.assign(new Event('message'), { data: { type: 'sync-requested' } }));
    await sync.running;
    stop();
    win.dispatchEvent(new Event('online'));
    expect(runs).toEqual(['auto', 'force', 'auto', 'force']);
    expect(tags).toEqual(['cho-xanh-sync']);
  });

  it('subscribe reports status changes and the pending count', async () => {
    await saveVisit(draft());
    await saveVisit(draft());
    const seen = [];
    const sync = engine();
    sync.subscribe((s) => seen.push(s));
    await sync.refresh();
    expect(seen.at(-1).pending).toBe(2);
    await sync.syncNow();
    expect(seen.some((s) => s.syncing)).toBe(true);
    expect(seen.at(-1)).toMatchObject({ syncing: false, pending: 0, needsLogin: false });
  });
});
