// The review queue's filters (URL ⇄ filters), matching, order, counts and the bulk summary.
import { describe, expect, it } from 'vitest';

import {
  applyFilters, bulkCandidates, effectiveStatus, filterOptions, filtersToQuery, hanoiDay, parseFilters, summarize,
} from '../../src/features/review/screens/queueModel.js';

const item = (id, overrides = {}) => ({
  id, status: 'submitted', market_id: 1, inspector_id: 7, observed_at: '2023-03-01T08:30:00+07:00', received_at: '2023-03-01T02:00:00Z',
  compliant: true, distance_m: 20, location: { lat: 21, lon: 105, accuracy_m: 10 }, waiting: null, ...overrides,
});

const ITEMS = [
  item('a', { observed_at: '2023-03-01T08:30:00+07:00' }),
  item('b', { observed_at: '2023-03-02T08:30:00+07:00', market_id: 2, compliant: false, distance_m: 1100 }),
  item('c', { observed_at: '2023-03-03T08:30:00+07:00', inspector_id: 8, distance_m: null, location: null }),
  item('d', { observed_at: '2023-03-04T00:30:00+07:00', compliant: false }), // 3 March 17:30 UTC
  item('e', { status: 'approved', observed_at: '2023-02-01T08:30:00+07:00' }),
  item('f', { waiting: { decision: 'return', sending: false }, observed_at: '2023-02-02T08:30:00+07:00' }),
  item('g', { status: 'returned', observed_at: '2023-02-03T08:30:00+07:00', distance_m: 500 }),
];
const ids = (filters) => applyFilters(ITEMS, { ...parseFilters(''), ...filters }).items.map((i) => i.id);

describe('filters in the URL', () => {
  it('the default view is awaiting review, with an empty query', () => {
    const f = parseFilters('');
    expect(f).toEqual({ status: 'submitted', market: '', inspector: '', from: '', to: '', nc: false, far: false });
    expect(filtersToQuery(f)).toBe('');
  });

  it('round-trips every filter', () => {
    const query = '?status=all&market=12&inspector=7&from=2023-03-01&to=2023-03-31&nc=1&far=1';
    const f = parseFilters(new URLSearchParams(query));
    expect(f).toEqual({ status: 'all', market: '12', inspector: '7', from: '2023-03-01', to: '2023-03-31', nc: true, far: true });
    expect(filtersToQuery(f)).toBe(query);
  });

  it('ignores values a hand-edited URL may carry', () => {
    const f = parseFilters('status=pending&market=abc&inspector=-1&from=2023-13&to=x&nc=yes&far=2');
    expect(f).toEqual(parseFilters(''));
  });
});

describe('matching and order', () => {
  it('awaiting review: submitted visits without a waiting decision, newest observation first', () => {
    expect(ids({})).toEqual(['d', 'c', 'b', 'a']);
  });

  it('a waiting decision moves a visit to "waiting" and to the status it will have', () => {
    expect(ids({ status: 'waiting' })).toEqual(['f']);
    expect(ids({ status: 'returned' })).toEqual(['g', 'f']);
    expect(effectiveStatus(ITEMS[5])).toBe('returned');
    expect(ids({ status: 'all' })).toEqual(['d', 'c', 'b', 'a', 'g', 'f', 'e']);
  });

  it('market, inspector, non-compliant and far (strictly over 500 m; no location is not far)', () => {
    expect(ids({ market: '2' })).toEqual(['b']);
    expect(ids({ inspector: '8' })).toEqual(['c']);
    expect(ids({ nc: true })).toEqual(['d', 'b']);
    expect(ids({ far: true, status: 'all' })).toEqual(['b']);
  });

  it('dates are Hanoi days, inclusive', () => {
    expect(hanoiDay('2023-03-03T17:30:00Z')).toBe('2023-03-04');
    expect(hanoiDay('2023-03-03T16:59:59Z')).toBe('2023-03-03');
    expect(ids({ from: '2023-03-02', to: '2023-03-03' })).toEqual(['c', 'b']);
    expect(ids({ from: '2023-03-04' })).toEqual(['d']);
    expect(ids({ to: '2023-03-01' })).toEqual(['a']);
  });

  it('counts each status under the other filters', () => {
    const { counts } = applyFilters(ITEMS, { ...parseFilters(''), nc: true });
    expect(counts).toEqual({ submitted: 2, waiting: 0, returned: 0, approved: 0, rejected: 0, all: 2 });
    expect(applyFilters(ITEMS, parseFilters('')).counts).toMatchObject({ submitted: 4, waiting: 1, returned: 2, approved: 1, all: 7 });
  });

  it('stays fast with a city\'s worth of visits', () => {
    const many = Array.from({ length: 5000 }, (_, i) => item(`v${i}`, { market_id: i % 453, inspector_id: i % 40, compliant: i % 3 !== 0, observed_at: new Date(Date.UTC(2023, 0, 1) + i * 3600e3).toISOString() }));
    const started = performance.now();
    const { items } = applyFilters(many, parseFilters('nc=1'));
    expect(performance.now() - started).toBeLessThan(500);
    expect(items).toHaveLength(1667);
    expect(items[0].id).toBe('v4998');
  });
});

describe('bulk approval', () => {
  it('takes only submitted visits with nothing waiting, and summarises them', () => {
    const candidates = bulkCandidates(ITEMS);
    expect(candidates.map((i) => i.id).sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(summarize(candidates)).toEqual({ visits: 4, markets: 2, inspectors: 2, nonCompliant: 2, far: 1, noLocation: 1 });
  });
});

describe('filter options', () => {
  it('lists the markets and inspectors that occur, by name', () => {
    const names = { 1: 'Chợ Hôm', 2: 'Chợ Bưởi' };
    const opts = filterOptions(ITEMS, (id) => names[id], (id) => `Cán bộ ${id}`);
    expect(opts.markets).toEqual([{ id: '2', name: 'Chợ Bưởi' }, { id: '1', name: 'Chợ Hôm' }]);
    expect(opts.inspectors).toEqual([{ id: '7', name: 'Cán bộ 7' }, { id: '8', name: 'Cán bộ 8' }]);
  });
});
