// The phone's decision checks are data: with a changed copy of shared_schema/review.json (reopen
// allowed to ward officers, reject removed, a shorter comment limit, returned visits locked),
// data/decisions.js, the review screens' store and queue model and the inspector's visit model
// follow it without a code change.
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('../../../shared_schema/review.json', async (importOriginal) => {
  const copy = structuredClone((await importOriginal()).default);
  copy.transitions.reopen.roles = ['ward_officer', 'city_officer', 'admin'];
  delete copy.transitions.reject;
  copy.max_comment_length = 10;
  copy.editable_statuses = ['submitted'];
  return { default: copy };
});

const { createServer, resetDb } = await import('./helpers.js');
const { getReviewItem, queueDecision } = await import('../../src/data/decisions.js');
const { login } = await import('../../src/data/session.js');
const { SyncEngine } = await import('../../src/data/sync.js');
const { LOCKED_STATES } = await import('../../src/data/visits.js');
const reviewStore = await import('../../src/features/review/store.js');
const { effectiveStatus } = await import('../../src/features/review/screens/queueModel.js');
const { canEdit, isLocked } = await import('../../src/features/inspector/visitModel.js');

const V = (n) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
let server;

beforeEach(async () => {
  await resetDb();
  server = createServer();
});

async function officerSees(status) {
  server.addVisit(V(1), status === 'submitted' ? {} : { status, rev: 2, review: { decision: 'approve', comment: null, reviewer_id: 11, decided_at: '2023-03-02T01:00:00Z' } });
  await login('officer', 'pw', { api: server.api }); // a ward officer
  await new SyncEngine({ api: server.api, locks: null }).syncNow();
}

describe('a changed review.json', () => {
  it('lets a ward officer reopen: the decision is queued, not refused as forbidden', async () => {
    await officerSees('approved');
    const mutation = await queueDecision(V(1), 'reopen', 'xem lại');
    expect(mutation.data).toMatchObject({ decision: 'reopen', base_rev: 2 });
    expect((await getReviewItem(V(1))).waiting).toMatchObject({ decision: 'reopen' });
    expect(reviewStore.decisionsFor('approved', 'ward_officer')).toEqual(['reopen']);
  });

  it('knows no reject any more, and checks the new comment limit', async () => {
    await officerSees('submitted');
    await expect(queueDecision(V(1), 'reject', 'Ảnh mờ')).rejects.toMatchObject({ code: 'invalid_decision' });
    await expect(queueDecision(V(1), 'return', 'quá mười ký tự')).rejects.toMatchObject({ code: 'comment_too_long' });
    await queueDecision(V(1), 'return', 'Ảnh mờ');
    expect(reviewStore.decisionsFor('submitted', 'ward_officer')).toEqual(['approve', 'return']);
    expect(reviewStore.MAX_COMMENT).toBe(10);
    expect(effectiveStatus({ status: 'approved', waiting: { decision: 'reopen' } })).toBe('submitted');
  });

  it('locks returned visits for the inspector', () => {
    expect([...LOCKED_STATES]).toEqual(['returned', 'approved', 'rejected']);
    expect(canEdit('returned')).toBe(false);
    expect(isLocked('returned')).toBe(true);
    expect(canEdit('sent')).toBe(true);
    expect(canEdit('pending')).toBe(true);
  });
});
