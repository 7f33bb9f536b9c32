// Markets due for inspection in the picker: the server's list kept for offline use, less the
// markets this phone has just visited; the "Cần kiểm tra" filter.
import { beforeEach, describe, expect, it, vi } from 'vitest';

import { compactOverdue, dueMarkets, indexMarkets, orderMarkets } from '../../src/features/inspector/marketList.js';

const fake = vi.hoisted(() => ({ apiRequest: vi.fn() }));
vi.mock('../../src/data/index.js', () => fake);

const memory = new Map();
globalThis.localStorage = {
  getItem: (k) => (memory.has(k) ? memory.get(k) : null),
  setItem: (k, v) => memory.set(k, String(v)),
  removeItem: (k) => memory.delete(k),
};
const store = await import('../../src/features/inspector/store.js');

const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.parse('2023-06-30T03:00:00Z');
const BODY = {
  computed_at: '2023-06-30T02:05:00.000Z',
  days: 30,
  markets: [
    { id: 2, code: 'M2', name: 'Chợ Đồng Xuân', org_unit_id: 101, last_visit_at: null },
    { id: 3, code: 'M3', name: 'Chợ Hàng Da', org_unit_id: 102, last_visit_at: '2023-05-01T01:00:00.000Z' },
    { id: 4, code: 'M4', name: 'Chợ Bắc Qua', org_unit_id: 101, last_visit_at: '2023-04-01T01:00:00.000Z' },
  ],
};

const units = [
  { id: 1, name: 'Thành phố Hà Nội', level: 'city', parent_id: null },
  { id: 100, name: 'Phường Phố Huế', level: 'ward', parent_id: 1 },
  { id: 101, name: 'Phường Đồng Xuân', level: 'ward', parent_id: 1 },
  { id: 102, name: 'Phường Hàng Bạc', level: 'ward', parent_id: 1 },
];
const markets = [
  { id: 1, code: 'M1', name: 'Chợ Hôm', org_unit_id: 100, lat: 21.0165, lon: 105.8515, market_class: '1', closed_on: null },
  { id: 2, code: 'M2', name: 'Chợ Đồng Xuân', org_unit_id: 101, lat: 21.0385, lon: 105.8495, market_class: '1', closed_on: null },
  { id: 3, code: 'M3', name: 'Chợ Hàng Da', org_unit_id: 102, lat: 21.0312, lon: 105.8468, market_class: '2', closed_on: null },
  { id: 4, code: 'M4', name: 'Chợ Bắc Qua', org_unit_id: 101, lat: null, lon: null, market_class: '3', closed_on: null },
];
const entries = indexMarkets(markets, units, '2023-06-30');
const names = (items) => items.map((i) => i.entry.market.name);

describe('compactOverdue() and dueMarkets()', () => {
  const overdue = compactOverdue(BODY, 7, NOW);

  it('keeps ids and last visit times only', () => {
    expect(overdue).toEqual({
      userId: 7,
      computedAt: '2023-06-30T02:05:00.000Z',
      days: 30,
      fetchedAt: NOW,
      markets: [['2', null], ['3', Date.parse('2023-05-01T01:00:00Z')], ['4', Date.parse('2023-04-01T01:00:00Z')]],
    });
  });

  it('drops a market this phone visited within the window, even before it was sent', () => {
    const lastVisits = new Map([['3', NOW - 2 * DAY], ['4', NOW - 45 * DAY], ['1', NOW - DAY]]);
    const due = dueMarkets(overdue, lastVisits, NOW);
    expect([...due.keys()]).toEqual(['2', '4']);
    expect(due.get('2')).toBeNull(); // never visited
    expect(due.get('4')).toBe(NOW - 45 * DAY); // the phone's visit is newer than the server's
  });

  it('is empty with nothing kept (first start, offline)', () => {
    expect(dueMarkets(null, new Map(), NOW).size).toBe(0);
  });
});

describe('orderMarkets() with due markets', () => {
  const due = dueMarkets(compactOverdue(BODY, 7, NOW), new Map(), NOW);
  const lastVisits = new Map([['1', NOW - DAY]]);

  it('marks due markets and counts them, the list order unchanged', () => {
    const { recent, others, dueCount } = orderMarkets(entries, { lastVisits, due });
    expect(names(recent)).toEqual(['Chợ Hôm']);
    expect(others.filter((i) => i.due).map((i) => i.entry.id).sort()).toEqual(['2', '3', '4']);
    expect(dueCount).toBe(3);
  });

  it('lists only due markets, nearest first, when the filter is on', () => {
    const position = { lat: 21.0312, lon: 105.8468 }; // at Chợ Hàng Da
    const { recent, others, total } = orderMarkets(entries, { lastVisits, due, onlyDue: true, position });
    expect(recent).toEqual([]);
    expect(names(others)).toEqual(['Chợ Hàng Da', 'Chợ Đồng Xuân', 'Chợ Bắc Qua']);
    expect(total).toBe(3);
  });

  it('counts due markets among the search results only', () => {
    const { dueCount, others } = orderMarkets(entries, { query: 'hang da', due, onlyDue: true });
    expect(dueCount).toBe(1);
    expect(names(others)).toEqual(['Chợ Hàng Da']);
  });
});

describe('store.refreshOverdue()', () => {
  beforeEach(() => {
    memory.clear();
    vi.clearAllMocks();
    Object.defineProperty(globalThis, 'navigator', { value: { onLine: true }, configurable: true });
  });

  it('fetches, keeps a small copy, and serves it offline', async () => {
    fake.apiRequest.mockResolvedValueOnce({ status: 200, data: BODY });
    const fresh = await store.refreshOverdue(7, compactOverdue, { now: NOW });
    expect(fake.apiRequest).toHaveBeenCalledWith('GET', '/markets/overdue');
    expect(fresh.markets).toHaveLength(3);
    expect(store.cachedOverdue(7)).toEqual(fresh);
    expect(JSON.stringify(fresh).length).toBeLessThan(200);

    navigator.onLine = false;
    const kept = await store.refreshOverdue(7, compactOverdue, { force: true, now: NOW + DAY });
    expect(kept).toEqual(fresh);
    expect(fake.apiRequest).toHaveBeenCalledTimes(1);
  });

  it('does not ask again within ten minutes, and does after', async () => {
    fake.apiRequest.mockResolvedValue({ status: 200, data: BODY });
    await store.refreshOverdue(7, compactOverdue, { now: NOW });
    await store.refreshOverdue(7, compactOverdue, { now: NOW + 5 * 60 * 1000 });
    expect(fake.apiRequest).toHaveBeenCalledTimes(1);
    await store.refreshOverdue(7, compactOverdue, { now: NOW + 11 * 60 * 1000 });
    expect(fake.apiRequest).toHaveBeenCalledTimes(2);
  });

  it('never rejects: a failed call gives the kept copy', async () => {
    fake.apiRequest.mockResolvedValueOnce({ status: 200, data: BODY });
    const fresh = await store.refreshOverdue(7, compactOverdue, { now: NOW });
    fake.apiRequest.mockRejectedValueOnce(Object.assign(new Error('no answer'), { name: 'NetworkError' }));
    await expect(store.refreshOverdue(7, compactOverdue, { force: true, now: NOW })).resolves.toEqual(fresh);
    fake.apiRequest.mockRejectedValueOnce(new Error('boom'));
    await expect(store.refreshOverdue(8, compactOverdue, { now: NOW })).resolves.toBeNull();
  });

  it("does not show one user's list to another on a shared phone", async () => {
    fake.apiRequest.mockResolvedValueOnce({ status: 200, data: BODY });
    await store.refreshOverdue(7, compactOverdue, { now: NOW });
    expect(store.cachedOverdue(8)).toBeNull();
  });
});
