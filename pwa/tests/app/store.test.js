// The stores between the screens and the data layer (shared/store.js: session, sync, reference
// data; features/inspector/store.js: the visits): the data layer's shapes and error mapping.
import { beforeEach, describe, expect, it, vi } from 'vitest';

const fake = vi.hoisted(() => ({
  currentSession: vi.fn(),
  login: vi.fn(),
  logout: vi.fn(),
  listMarkets: vi.fn(async () => [{ id: 1 }]),
  listOrgUnits: vi.fn(async () => [{ id: 9 }]),
  getForm: vi.fn(async () => null),
  listVisits: vi.fn(async () => []),
  getVisit: vi.fn(),
  saveVisit: vi.fn(async () => 'v-1'),
  editVisit: vi.fn(async (id) => id),
  preparePhoto: vi.fn(),
  subscribe: vi.fn(),
  syncNow: vi.fn(async () => ({})),
  startAutoSync: vi.fn(),
  requestPersistence: vi.fn(async () => true),
  signedOutReason: vi.fn(async () => 'token_revoked'),
  deviceInfo: vi.fn(async () => ({ deviceId: 'd-1', deviceName: 'Android · Chrome' })),
  renameDevice: vi.fn(async (name) => name),
  storageEstimate: vi.fn(async () => ({ usage: 95, quota: 100, low: true })),
  StorageFullError: class StorageFullError extends Error {
    constructor() {
      super('full');
      this.name = 'StorageFullError';
    }
  },
}));
vi.mock('../../src/data/index.js', () => fake);

const memory = new Map();
globalThis.localStorage = {
  getItem: (k) => (memory.has(k) ? memory.get(k) : null),
  setItem: (k, v) => memory.set(k, String(v)),
  removeItem: (k) => memory.delete(k),
};

const store = await import('../../src/shared/store.js');
const visits = await import('../../src/features/inspector/store.js');

beforeEach(() => {
  memory.clear();
  vi.clearAllMocks();
});

describe('session()', () => {
  it('returns the data layer session and remembers the user', async () => {
    fake.currentSession.mockResolvedValueOnce({ user: { id: 7, username: 'lan' }, token: 't' });
    expect(await store.session()).toEqual({ user: { id: 7, username: 'lan' }, token: 't', expired: false, reason: null });
  });

  it('keeps an expired inspector working with the remembered user (unsent visits stay)', async () => {
    fake.currentSession.mockResolvedValueOnce({ user: { id: 7, username: 'lan' }, token: 't' });
    await store.session();
    fake.currentSession.mockResolvedValueOnce(null); // 401: token forgotten
    // …and says why the session ended (an administrator revoked the device, here).
    expect(await store.session()).toEqual({ user: { id: 7, username: 'lan' }, token: null, expired: true, reason: 'token_revoked' });
  });

  it('is null on a phone nobody signed in on', async () => {
    fake.currentSession.mockResolvedValueOnce(null);
    expect(await store.session()).toBeNull();
  });

  it('forgets the user on logout', async () => {
    fake.login.mockResolvedValueOnce({ user: { id: 7 }, token: 't' });
    await store.login('lan', 'pw');
    await store.logout();
    fake.currentSession.mockResolvedValueOnce(null);
    expect(await store.session()).toBeNull();
    expect(fake.logout).toHaveBeenCalled();
  });
});

describe('login()', () => {
  it.each([
    ['401', () => Object.assign(new Error('x'), { status: 401, code: 'invalid_credentials' }), 'invalid'],
    ['429', () => Object.assign(new Error('x'), { status: 429, code: 'rate_limited' }), 'rate_limited'],
    ['NetworkError', () => Object.assign(new Error('x'), { name: 'NetworkError', code: 'network_error', status: 0 }), 'offline'],
    ['fetch TypeError', () => new TypeError('Failed to fetch'), 'offline'],
    ['500', () => Object.assign(new Error('x'), { status: 500, code: 'internal_error' }), 'server'],
    ['503', () => Object.assign(new Error('x'), { status: 503, code: 'storage_unavailable' }), 'server'],
    ['422', () => Object.assign(new Error('x'), { status: 422, code: 'validation_failed' }), 'other'],
    ['401 otp_required', () => Object.assign(new Error('x'), { status: 401, code: 'otp_required' }), 'otp_required'],
    ['401 invalid_otp', () => Object.assign(new Error('x'), { status: 401, code: 'invalid_otp' }), 'invalid_otp'],
    ['401 otp_already_used', () => Object.assign(new Error('x'), { status: 401, code: 'otp_already_used' }), 'otp_already_used'],
  ])('maps %s to %s', async (_name, make, reason) => {
    fake.login.mockRejectedValueOnce(make());
    await expect(store.login('a', 'b')).rejects.toMatchObject({ reason });
  });

  it('sends the second factor\'s code when there is one', async () => {
    fake.login.mockResolvedValueOnce({ user: { id: 3 }, token: 't' });
    await store.login('x', 'y', '123456');
    expect(fake.login).toHaveBeenLastCalledWith('x', 'y', '123456');
  });

  it('resolves the user from {user, token, …}', async () => {
    fake.login.mockResolvedValueOnce({ user: { id: 3, username: 'x' }, token: 't' });
    expect(await store.login('x', 'y')).toEqual({ id: 3, username: 'x' });
  });
});

describe('toScreenVisit()', () => {
  // A row as data/visits.js listVisits() returns it.
  const row = (extra = {}) => ({
    id: 'a',
    market_id: 5,
    form_version: '2023.1',
    observed_at: '2023-03-01T08:00:00+07:00',
    answers: { stalls_total: 3 },
    location: null,
    photos: [],
    rev: null,
    state: 'pending',
    record: null,
    review: null,
    error: null,
    held: [],
    ...extra,
  });

  it('reads the data layer visit row', () => {
    const blob = new Blob(['x']);
    const mine = { sha256: 'f'.repeat(64), type: 'image/jpeg', size: 1, blob, uploaded: false, failed: null };
    const theirs = { sha256: 'e'.repeat(64), type: null, size: null, blob: null, uploaded: true, failed: null };
    const v = visits.toScreenVisit(row({ state: 'returned', photos: [mine, theirs], review: { decision: 'return', comment: 'Chụp lại ảnh' } }));
    expect(v).toMatchObject({ id: 'a', market_id: 5, state: 'returned', comment: 'Chụp lại ảnh', decision: 'return' });
    expect(v.photos[0]).toEqual({ sha256: 'f'.repeat(64), blob, type: 'image/jpeg', source: mine });
    expect(v.photos[1]).toEqual({ sha256: 'e'.repeat(64), blob: null, type: null, source: theirs });
  });

  it('keeps the state and the server record of the row', () => {
    const record = { id: 'a', rev: 2, status: 'approved', review: { decision: 'approve', comment: 'ok' } };
    expect(visits.toScreenVisit(row({ state: 'approved', rev: 2, record, review: record.review }))).toMatchObject({ state: 'approved', comment: 'ok', record });
    expect(visits.toScreenVisit(row()).state).toBe('pending');
    expect(visits.toScreenVisit(null)).toBeNull();
  });

  it('keeps the refusal', () => {
    const v = visits.toScreenVisit(row({ state: 'refused', error: { code: 'validation_failed', message: 'm', fields: { a: ['b'] } } }));
    expect(v.error).toEqual({ code: 'validation_failed', message: 'm', fields: { a: ['b'] } });
  });

  it('lists and reads through the data layer', async () => {
    fake.listVisits.mockResolvedValueOnce([row()]);
    expect((await visits.listVisits()).map((v) => v.id)).toEqual(['a']);
    fake.getVisit.mockResolvedValueOnce(null);
    expect(await visits.getVisit('nope')).toBeNull();
  });
});

describe('normalizeStatus()', () => {
  it('turns the engine status into what the bar shows', () => {
    const s = store.normalizeStatus({
      online: false,
      syncing: true,
      progress: { done: 1, total: 4 },
      pending: 3,
      lastSyncedAt: '2023-03-01T01:42:00Z',
      lastError: { code: 'network_error', message: 'Không kết nối được máy chủ', status: 0 },
      needsLogin: false,
    });
    expect(s).toEqual({
      online: false,
      syncing: true,
      progress: { done: 1, total: 4 },
      pending: 3,
      lastSyncedAt: '2023-03-01T01:42:00Z',
      lastError: 'Không kết nối được máy chủ',
      lastErrorCode: 'network_error',
      needsLogin: false,
      signedOutReason: null,
    });
    expect(store.normalizeStatus({ progress: { done: 0, total: 0 } }).progress).toBeNull();
  });
});

describe('saving', () => {
  it('passes the draft on with the form version', async () => {
    const id = await visits.saveVisit({ market_id: 1, answers: {}, observed_at: 'x', location: null, photos: [] });
    expect(id).toBe('v-1');
    expect(fake.saveVisit).toHaveBeenCalledWith(expect.objectContaining({ market_id: 1, form_version: '2023.1' }));
  });

  it('recognises a full phone and invalid answers', () => {
    expect(store.isStorageFull(new fake.StorageFullError())).toBe(true);
    expect(store.isStorageFull(Object.assign(new Error(), { name: 'QuotaExceededError' }))).toBe(true);
    expect(store.isStorageFull(new Error('other'))).toBe(false);
    expect(visits.invalidFields({ name: 'ValidationError', fields: { notes: ['quá dài'] } })).toEqual({ notes: ['quá dài'] });
    expect(visits.invalidFields(new Error('x'))).toBeNull();
  });

  it('falls back to the bundled form', async () => {
    expect((await store.loadForm()).version).toBe('2023.1');
  });

  it('reads places and storage', async () => {
    expect(await store.loadPlaces()).toEqual({ markets: [{ id: 1 }], orgUnits: [{ id: 9 }] });
    expect(await store.storageEstimate()).toEqual({ usage: 95, quota: 100, low: true });
    await store.syncNow();
    expect(fake.syncNow).toHaveBeenCalledWith({ force: true });
  });
});
