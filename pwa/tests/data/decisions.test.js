// Review decisions through the outbox and the SyncEngine, against the fake server: queued
// durably, sent exactly once, conflicts refresh the visit and are kept to show, bulk batches.
import { beforeEach, describe, expect, it } from 'vitest';

import { createServer, resetDb } from './helpers.js';
import { closeDb } from '../../src/data/db.js';
import {
  DecisionError, cancelDecision, dismissOutcome, getDecisionBatch, getReviewItem, listReviewItems,
  queueDecision, queueDecisions,
} from '../../src/data/decisions.js';
import { listOutbox } from '../../src/data/outbox.js';
import { login } from '../../src/data/session.js';
import { SyncEngine } from '../../src/data/sync.js';

let server;
const engine = (options = {}) => new SyncEngine({ api: server.api, now: () => Date.parse('2023-03-02T02:00:00Z'), random: () => 0.5, locks: null, ...options });
const V = (n) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

async function officerWith(count, who = 'officer') {
  for (let i = 1; i <= count; i += 1) server.addVisit(V(i), { observed_at: `2023-03-01T08:${String(i % 60).padStart(2, '0')}:00+07:00` });
  await login(who, 'pw', { api: server.api });
  await engine().syncNow();
}

beforeEach(async () => {
  await resetDb();
  server = createServer();
});

describe('one decision', () => {
  it('is queued with the visit rev, shown as waiting, survives a reopened database, and sent once', async () => {
    await officerWith(2);
    const mutation = await queueDecision(V(1), 'approve');
    expect(mutation).toMatchObject({ type: 'review.decide', visitId: V(1), userId: 9, data: { visit_id: V(1), base_rev: 1, decision: 'approve', comment: null } });
    await closeDb(); // what a reload does to the page's connection
    const item = await getReviewItem(V(1));
    expect(item).toMatchObject({ status: 'submitted', rev: 1, waiting: { decision: 'approve', sending: false } });
    expect((await engine().refresh()).pending).toBe(1);

    const status = await engine().syncNow();
    expect(status).toMatchObject({ pending: 0, lastError: null });
    expect(server.visits.get(V(1))).toMatchObject({ status: 'approved', rev: 2, review: { reviewer_id: 9 } });
    const after = await getReviewItem(V(1));
    expect(after).toMatchObject({ status: 'approved', rev: 2, waiting: null, outcome: { status: 'applied', decision: 'approve' } });
    expect((await getReviewItem(V(2))).status).toBe('submitted');
  });

  it('a lost answer is retried with the same mutation id: applied once', async () => {
    await officerWith(1);
    const { id } = await queueDecision(V(1), 'return', '  Thiếu ảnh quầy rau  ');
    server.faults.push({ path: '/sync/push', kind: 'lost' });
    expect((await engine().syncNow()).lastError.code).toBe('network_error');
    expect(server.visits.get(V(1)).status).toBe('returned'); // applied, the phone did not hear
    expect((await getReviewItem(V(1))).waiting).toMatchObject({ sending: true, decision: 'return' });
    expect((await engine().syncNow({ force: true })).lastError).toBeNull();
    const pushes = server.pushes();
    expect(pushes.map((p) => p.body.mutations[0].id)).toEqual([id, id]);
    expect(pushes[1].body.mutations[0].data.comment).toBe('Thiếu ảnh quầy rau');
    expect(server.visits.get(V(1)).rev).toBe(2); // not decided twice
    expect(await getReviewItem(V(1))).toMatchObject({ status: 'returned', outcome: { status: 'duplicate' } });
  });

  it('return and reject need a comment; reopen is for city officers and admins; decided visits take no approve', async () => {
    await officerWith(1);
    for (const [decision, comment, code] of [['return', '', 'comment_required'], ['reject', '   ', 'comment_required'], ['reopen', 'xem lại', 'forbidden'], ['maybe', 'x', 'invalid_decision']]) {
      await expect(queueDecision(V(1), decision, comment)).rejects.toMatchObject({ name: 'DecisionError', code });
    }
    await expect(queueDecision(V(404), 'approve')).rejects.toBeInstanceOf(DecisionError);
    expect(await listOutbox()).toEqual([]);
    server.review(V(1), 'approve');
    await engine().syncNow();
    await expect(queueDecision(V(1), 'approve')).rejects.toMatchObject({ code: 'invalid_transition' });
  });

  it('a city officer reopens an approved visit with a comment', async () => {
    server.addVisit(V(1), { status: 'approved', rev: 2, review: { decision: 'approve', comment: null, reviewer_id: 9, decided_at: '2023-03-02T01:00:00Z' } });
    await login('city', 'pw', { api: server.api });
    await engine().syncNow();
    await queueDecision(V(1), 'reopen', 'Kiểm tra lại số hộ');
    await engine().syncNow();
    expect(server.visits.get(V(1))).toMatchObject({ status: 'submitted', rev: 3 });
    expect((await getReviewItem(V(1))).status).toBe('submitted');
  });

  it('changing one\'s mind before it is sent replaces the queued decision; cancel takes it back', async () => {
    await officerWith(1);
    await queueDecision(V(1), 'approve');
    await queueDecision(V(1), 'reject', 'Ảnh không phải chợ này');
    const outbox = await listOutbox();
    expect(outbox).toHaveLength(1);
    expect(outbox[0].data).toMatchObject({ decision: 'reject', comment: 'Ảnh không phải chợ này', base_rev: 1 });
    expect(await cancelDecision(V(1))).toBe(true);
    expect(await listOutbox()).toEqual([]);
    expect(await cancelDecision(V(1))).toBe(false);
  });

  it('a decision already sent once is never changed (its id may have been applied)', async () => {
    await officerWith(1);
    await queueDecision(V(1), 'approve');
    server.faults.push({ path: '/sync/push', kind: 'network' });
    await engine().syncNow();
    await expect(queueDecision(V(1), 'reject', 'x')).rejects.toMatchObject({ code: 'sending' });
    expect(await cancelDecision(V(1))).toBe(false);
  });
});

describe('timing', () => {
  it('a decision queued while a sync is pulling goes out right after it, not at the next tick', async () => {
    await officerWith(1);
    const win = new EventTarget();
    const doc = Object.assign(new EventTarget(), { visibilityState: 'visible' });
    const sync = engine({ env: { window: win, document: doc, navigator: { onLine: true } } });
    const stop = sync.startAutoSync({ intervalMs: 1e9 });
    await sync.running;
    let release;
    const gate = new Promise((resolve) => (release = resolve));
    let pulling = false;
    const fetch = server.fetch;
    server.fetch = async (input, init) => {
      if (String(input).includes('/sync/pull') && !pulling) {
        pulling = true;
        await gate; // this sync has pushed and now waits on a slow pull
      }
      return fetch(input, init);
    };
    const first = sync.syncNow({ force: true });
    while (!pulling) await new Promise((r) => setTimeout(r, 1));
    await queueDecision(V(1), 'approve');
    await sync.queued();
    release();
    await first;
    await new Promise((r) => setTimeout(r, 0));
    await sync.running;
    stop();
    expect(server.visits.get(V(1)).status).toBe('approved');
    expect(await listOutbox()).toEqual([]);
  });
});

describe('conflicts', () => {
  it('someone decided first: the visit is refreshed from the server record and the winning decision is kept', async () => {
    await officerWith(1);
    server.review(V(1), 'return', 'Đếm lại số hộ'); // another officer, while this phone was offline
    await queueDecision(V(1), 'approve');
    const status = await engine().syncNow();
    expect(status.pending).toBe(0);
    const item = await getReviewItem(V(1));
    expect(item).toMatchObject({
      status: 'returned',
      rev: 2,
      waiting: null,
      outcome: { status: 'conflict', decision: 'approve', error: { code: 'stale_rev' }, theirs: { decision: 'return', comment: 'Đếm lại số hộ' }, serverStatus: 'returned' },
    });
    expect(server.visits.get(V(1)).rev).toBe(2); // our approve did not apply
    // A later pull keeps the outcome on screen until the officer dismisses it.
    server.addVisit(V(2));
    await engine().syncNow();
    expect((await getReviewItem(V(1))).outcome.status).toBe('conflict');
    await dismissOutcome(V(1));
    expect((await getReviewItem(V(1))).outcome).toBeNull();
  });

  it('the inspector edited the visit first: a conflict whose server copy still awaits review, decidable again', async () => {
    await officerWith(1);
    await queueDecision(V(1), 'approve');
    server.visits.get(V(1)).rev = 2; // the inspector's edit of a submitted visit, as the server holds it
    server.visits.get(V(1)).answers.stalls_total = 41;
    await engine().syncNow();
    const item = await getReviewItem(V(1));
    expect(item).toMatchObject({ status: 'submitted', rev: 2, answers: { stalls_total: 41 }, outcome: { status: 'conflict', serverStatus: 'submitted', theirs: null } });
    await queueDecision(V(1), 'approve');
    expect((await listOutbox())[0].data.base_rev).toBe(2);
    await engine().syncNow();
    expect(server.visits.get(V(1))).toMatchObject({ status: 'approved', rev: 3 });
  });

  it('a pull while a decision waits does not drop it nor its base rev', async () => {
    await officerWith(1);
    await queueDecision(V(1), 'approve');
    server.faults.push({ path: '/sync/push', kind: 503 });
    await engine().syncNow();
    const [mutation] = await listOutbox();
    expect(mutation.data.base_rev).toBe(1);
    expect((await getReviewItem(V(1))).waiting.decision).toBe('approve');
  });
});

describe('bulk approve', () => {
  it('queues N decisions at once, pushes them in batches of at most 500, and counts the results', async () => {
    await officerWith(620);
    server.review(V(3), 'reject', 'Sai chợ'); // decided elsewhere after our pull: a conflict
    const items = await listReviewItems();
    expect(items).toHaveLength(620);
    const { batchId, queued, skipped } = await queueDecisions(items.map((i) => i.id), 'approve');
    expect([queued, skipped.length]).toEqual([620, 0]);
    expect(await getDecisionBatch(batchId)).toMatchObject({ total: 620, waiting: 620, applied: 0 });

    const status = await engine({ batchSize: 500 }).syncNow();
    expect(status.pending).toBe(0);
    expect(server.pushes().map((p) => p.body.mutations.length)).toEqual([500, 120]);
    expect(await getDecisionBatch(batchId)).toMatchObject({ total: 620, waiting: 0, applied: 619, conflict: 1, rejected: 0 });
    expect((await getReviewItem(V(3))).outcome).toMatchObject({ status: 'conflict', theirs: { decision: 'reject' } });
    expect([...server.visits.values()].filter((v) => v.status === 'approved')).toHaveLength(619);
  });

  it('skips visits that cannot take the decision and queues the rest', async () => {
    await officerWith(3);
    server.review(V(2), 'approve');
    await engine().syncNow();
    await queueDecision(V(3), 'approve');
    server.faults.push({ path: '/sync/push', kind: 'network' });
    await engine().syncNow(); // V(3)'s decision is now "being sent"
    const result = await queueDecisions([V(1), V(2), V(3)], 'approve');
    expect(result.queued).toBe(1);
    expect(result.skipped).toEqual([{ visitId: V(2), code: 'invalid_transition' }, { visitId: V(3), code: 'sending' }]);
  });

  it('revoked token: queued decisions stay until the officer signs in again, then go once', async () => {
    await officerWith(2);
    await queueDecisions([V(1), V(2)], 'approve');
    server.tokens.clear();
    const status = await engine().syncNow();
    expect(status).toMatchObject({ needsLogin: true, pending: 2 });
    expect(await listOutbox()).toHaveLength(2);
    await login('officer', 'pw', { api: server.api });
    expect((await engine().syncNow()).pending).toBe(0);
    expect(server.applied.size).toBe(2);
    expect(server.visits.get(V(1)).status).toBe('approved');
  });
});
