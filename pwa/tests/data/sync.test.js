// The SyncEngine against the fake server: settle rules, retries with the same ids, backoff,
// 401, batches. Part 2: syncPull.test.js.
import { beforeEach, describe, expect, it } from 'vitest';

import { OK_ANSWERS, createServer, draft, resetDb } from './helpers.js';
import { BACKOFF_BASE_MS } from '../../src/data/backoff.js';
import { getMeta } from '../../src/data/db.js';
import { listOutbox } from '../../src/data/outbox.js';
import { currentSession, login } from '../../src/data/session.js';
import { SyncEngine } from '../../src/data/sync.js';
import { editVisit, getVisit, listVisits, saveVisit } from '../../src/data/visits.js';

let server;
let clock;
const engine = (options = {}) => new SyncEngine({ api: server.api, now: () => clock, random: () => 0.5, locks: null, ...options });

beforeEach(async () => {
  await resetDb();
  server = createServer();
  clock = Date.parse('2023-03-01T02:00:00Z');
  await login('inspector', 'pw', { api: server.api });
});

describe('push results', () => {
  it('applied: mutation removed, visit sent with the server rev and record', async () => {
    const id = await saveVisit(draft());
    const status = await engine().syncNow();
    expect(status).toMatchObject({ syncing: false, pending: 0, lastError: null, needsLogin: false });
    expect(status.lastSyncedAt).toBe(new Date(clock).toISOString());
    expect(await listOutbox()).toEqual([]);
    const visit = await getVisit(id);
    expect(visit).toMatchObject({ state: 'sent', rev: 1, record: { status: 'submitted', rev: 1 } });
    expect(server.visits.get(id).answers).toEqual(OK_ANSWERS);
  });

  it('a lost answer: the same mutation ids are sent again, the server says duplicate, applied once', async () => {
    const id = await saveVisit(draft());
    const [queued] = await listOutbox();
    server.faults.push({ path: '/sync/push', kind: 'lost' });
    const first = await engine().syncNow();
    expect(first.lastError.code).toBe('network_error');
    expect(await listOutbox()).toHaveLength(1);
    const second = await engine().syncNow({ force: true });
    expect(second.lastError).toBeNull();
    const pushes = server.pushes();
    expect(pushes).toHaveLength(2);
    expect(pushes[1].body.mutations).toEqual(pushes[0].body.mutations);
    expect(pushes[1].body.mutations[0].id).toBe(queued.id);
    expect(server.applied.size).toBe(1);
    expect((await getVisit(id)).state).toBe('sent');
    expect(await listOutbox()).toEqual([]);
  });

  it('conflict: kept in the visit with the server record, never dropped', async () => {
    const id = await saveVisit(draft());
    await engine().syncNow();
    server.review(id, 'approve');
    await editVisit(id, { answers: { ...OK_ANSWERS, stalls_total: 41 } }).catch(() => {});
    // The phone did not know yet: its edit was queued on rev 1 and now meets a locked visit.
    const status = await engine().syncNow();
    const visit = await getVisit(id);
    expect(status.pending).toBe(0);
    expect(visit.state).toBe('conflict');
    expect(visit.error.code).toBe('locked');
    expect(visit.record).toMatchObject({ status: 'approved', rev: 2 });
    expect(visit.held).toHaveLength(1);
    expect(visit.held[0].mutation.data.answers.stalls_total).toBe(41);
    expect(visit.answers.stalls_total).toBe(41); // what the inspector typed stays on screen
    expect(await listOutbox()).toEqual([]);
  });

  it('rejected: the visit is refused with the error fields; a fix is sent as a new create', async () => {
    const id = await saveVisit(draft({ market_id: 999 }));
    await engine().syncNow();
    let visit = await getVisit(id);
    expect(visit.state).toBe('refused');
    expect(visit.error).toMatchObject({ code: 'validation_failed', fields: { market_id: ['Unknown market.'] } });
    expect(visit.held[0].status).toBe('rejected');
    await editVisit(id, { market_id: 2 });
    const [fix] = await listOutbox();
    expect(fix.data).toMatchObject({ base_rev: null, market_id: 2 });
    expect(fix.id).not.toBe(visit.held[0].mutation.id);
    await engine().syncNow();
    visit = await getVisit(id);
    expect(visit).toMatchObject({ state: 'sent', rev: 1, error: null });
  });

  it('pushes in order in batches of at most 100', async () => {
    const ids = [];
    for (let i = 0; i < 230; i += 1) ids.push(await saveVisit(draft({ answers: { ...OK_ANSWERS, stalls_total: 1 + i } })));
    const progress = [];
    const sync = engine();
    sync.subscribe((s) => progress.push(s.progress));
    await sync.syncNow();
    const sizes = server.pushes().map((p) => p.body.mutations.length);
    expect(sizes).toEqual([100, 100, 30]);
    expect(server.pushes().flatMap((p) => p.body.mutations.map((m) => m.data.id))).toEqual(ids);
    expect(progress.some((p) => p.total === 230 && p.done === 100)).toBe(true);
    expect((await listVisits()).every((v) => v.state === 'sent')).toBe(true);
  });

  it('413: the same mutations are sent again in halves', async () => {
    for (let i = 0; i < 6; i += 1) await saveVisit(draft());
    server.maxMutations = 3;
    await engine().syncNow();
    expect(server.pushes().map((p) => p.body.mutations.length)).toEqual([6, 3, 3]);
    expect(await listOutbox()).toEqual([]);
  });
});

describe('failures and retry', () => {
  it('network failure: outbox kept, backoff with full jitter stored in meta, respected unless forced', async () => {
    await saveVisit(draft());
    server.faults.push({ kind: 'network' }, { kind: 'network' });
    const random = [0.999999, 0.5];
    const sync = engine({ random: () => random.shift() });
    const first = await sync.syncNow();
    let backoff = await getMeta('backoff');
    expect(backoff.failures).toBe(1);
    expect(backoff.nextAttemptAt - clock).toBeGreaterThanOrEqual(0);
    expect(backoff.nextAttemptAt - clock).toBeLessThan(BACKOFF_BASE_MS);
    expect(first.nextAttemptAt).toBe(backoff.nextAttemptAt);
    expect((await listOutbox())[0].nextAttemptAt).toBe(new Date(backoff.nextAttemptAt).toISOString());

    const requests = server.requests.length;
    await sync.syncNow(); // too early: nothing is sent
    expect(server.requests.length).toBe(requests);

    clock = backoff.nextAttemptAt; // due: tried again, fails again
    await sync.syncNow();
    backoff = await getMeta('backoff');
    expect(backoff.failures).toBe(2);
    expect(backoff.nextAttemptAt - clock).toBe(Math.floor(0.5 * 2 * BACKOFF_BASE_MS));

    const forced = await sync.syncNow({ force: true }); // the user pressed "Đồng bộ ngay"
    expect(forced.lastError).toBeNull();
    expect(await getMeta('backoff')).toBeUndefined();
    expect(await listOutbox()).toEqual([]);
  });

  it('the backoff survives a reload (a new engine reads it from meta)', async () => {
    await saveVisit(draft());
    server.faults.push({ kind: 503 });
    await engine().syncNow();
    const fresh = engine();
    const before = server.requests.length;
    const status = await fresh.syncNow();
    expect(server.requests.length).toBe(before);
    expect(status.lastError).toMatchObject({ status: 503 });
    expect(status.pending).toBe(1);
  });

  it('429 and 5xx back off like a network failure', async () => {
    await saveVisit(draft());
    server.faults.push({ path: '/sync/push', kind: 429 });
    const status = await engine().syncNow();
    expect(status.lastError.status).toBe(429);
    expect((await getMeta('backoff')).failures).toBe(1);
    expect(await listOutbox()).toHaveLength(1);
  });

  it('401: token forgotten, needsLogin, outbox kept; after login it is sent', async () => {
    const id = await saveVisit(draft());
    server.tokens.clear(); // revoked on the server
    const status = await engine().syncNow();
    expect(status.needsLogin).toBe(true);
    expect(await getMeta('token')).toBeUndefined();
    expect(await currentSession()).toBeNull();
    expect(await listOutbox()).toHaveLength(1);
    expect((await getVisit(id)).state).toBe('pending');
    expect(await getMeta('backoff')).toBeUndefined(); // no point retrying until a login

    const again = await engine().syncNow({ force: true }); // without a token nothing is sent
    expect(again.needsLogin).toBe(true);
    await login('inspector', 'pw', { api: server.api });
    expect((await engine().syncNow()).needsLogin).toBe(false);
    expect((await getVisit(id)).state).toBe('sent');
  });

  it('another user signing in on the phone does not push the first user\'s visits', async () => {
    await saveVisit(draft());
    await login('other', 'pw', { api: server.api });
    await engine().syncNow();
    expect(server.pushes()).toHaveLength(0);
    expect(await listOutbox()).toHaveLength(1);
    await login('inspector', 'pw', { api: server.api });
    await engine().syncNow();
    expect(server.pushes()).toHaveLength(1);
    expect(await listOutbox()).toEqual([]);
  });
});
