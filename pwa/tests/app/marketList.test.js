import { describe, expect, it } from 'vitest';

import { classKey, indexMarkets, isClosed, lastVisitTimes, orderMarkets } from '../../src/features/inspector/marketList.js';

const units = [
  { id: 1, name: 'Thành phố Hà Nội', level: 'city', parent_id: null },
  { id: 10, name: 'Quận Hai Bà Trưng', level: 'district', parent_id: 1 },
  { id: 11, name: 'Quận Hoàn Kiếm', level: 'district', parent_id: 1 },
  { id: 100, name: 'Phường Phố Huế', level: 'ward', parent_id: 10 },
  { id: 101, name: 'Phường Đồng Xuân', level: 'ward', parent_id: 11 },
  { id: 102, name: 'Phường Hàng Bạc', level: 'ward', parent_id: 11 },
];

const markets = [
  { id: 1, code: 'M1', name: 'Chợ Hôm', org_unit_id: 100, lat: 21.0165, lon: 105.8515, market_class: '1', closed_on: null },
  { id: 2, code: 'M2', name: 'Chợ Đồng Xuân', org_unit_id: 101, lat: 21.0385, lon: 105.8495, market_class: '1', closed_on: null },
  { id: 3, code: 'M3', name: 'Chợ Hàng Da', org_unit_id: 102, lat: 21.0312, lon: 105.8468, market_class: '2', closed_on: null },
  { id: 4, code: 'M4', name: 'Chợ Bắc Qua', org_unit_id: 101, lat: null, lon: null, market_class: 'unclassified', closed_on: null },
  { id: 5, code: 'M5', name: 'Chợ Cũ', org_unit_id: 101, lat: 21.04, lon: 105.85, market_class: '3', closed_on: '2020-01-01' },
];

const entries = indexMarkets(markets, units, '2023-03-01');
const names = (items) => items.map((i) => i.entry.market.name);

describe('indexMarkets()', () => {
  it('drops markets closed before today and carries ward and district names', () => {
    expect(entries.map((e) => e.id)).toEqual(['1', '2', '3', '4']);
    expect(entries[0]).toMatchObject({ wardName: 'Phường Phố Huế', districtName: 'Quận Hai Bà Trưng' });
  });

  it('keeps a market that closes later', () => {
    expect(isClosed({ closed_on: '2023-06-30' }, '2023-03-01')).toBe(false);
    expect(isClosed({ closed_on: '2023-03-01' }, '2023-03-01')).toBe(true);
    expect(isClosed({ closed_on: null }, '2023-03-01')).toBe(false);
  });

  it('survives missing org units', () => {
    const [only] = indexMarkets([markets[0]], [], '2023-03-01');
    expect(only).toMatchObject({ wardName: '', districtName: '' });
  });
});

describe('orderMarkets()', () => {
  it('sorts by name without a position, markets folded for comparison', () => {
    const { recent, others, total } = orderMarkets(entries);
    expect(recent).toEqual([]);
    expect(total).toBe(4);
    expect(names(others)).toEqual(['Chợ Bắc Qua', 'Chợ Đồng Xuân', 'Chợ Hàng Da', 'Chợ Hôm']);
  });

  it('puts the nearest first, and markets without coordinates last', () => {
    const nearDongXuan = { lat: 21.0383, lon: 105.8497 };
    const { others } = orderMarkets(entries, { position: nearDongXuan });
    expect(names(others)).toEqual(['Chợ Đồng Xuân', 'Chợ Hàng Da', 'Chợ Hôm', 'Chợ Bắc Qua']);
    expect(others[0].distance_m).toBeLessThan(50);
    expect(others[3].distance_m).toBeNull();
  });

  it('puts recently visited markets on top, newest first, then the rest', () => {
    const lastVisits = lastVisitTimes([
      { market_id: 3, observed_at: '2023-02-20T08:00:00+07:00' },
      { market_id: 1, observed_at: '2023-02-27T08:00:00+07:00' },
      { market_id: 3, observed_at: '2023-02-10T08:00:00+07:00' },
    ]);
    const { recent, others } = orderMarkets(entries, { lastVisits, position: { lat: 21.0383, lon: 105.8497 } });
    expect(names(recent)).toEqual(['Chợ Hôm', 'Chợ Hàng Da']);
    expect(recent[1].lastVisitAt).toBe(new Date('2023-02-20T08:00:00+07:00').getTime());
    expect(names(others)).toEqual(['Chợ Đồng Xuân', 'Chợ Bắc Qua']);
  });

  it('limits the recent group', () => {
    const lastVisits = new Map([['1', 3], ['2', 2], ['3', 1]]);
    const { recent, others } = orderMarkets(entries, { lastVisits, recentLimit: 2 });
    expect(names(recent)).toEqual(['Chợ Hôm', 'Chợ Đồng Xuân']);
    expect(names(others)).toEqual(['Chợ Bắc Qua', 'Chợ Hàng Da']);
  });

  it('searches with and without diacritics, in the ward name too', () => {
    expect(names(orderMarkets(entries, { query: 'cho hom' }).others)).toEqual(['Chợ Hôm']);
    expect(names(orderMarkets(entries, { query: 'đồng xuân' }).others)).toEqual(['Chợ Bắc Qua', 'Chợ Đồng Xuân']);
    expect(names(orderMarkets(entries, { query: 'dong xuan' }).others)).toEqual(['Chợ Bắc Qua', 'Chợ Đồng Xuân']);
    expect(names(orderMarkets(entries, { query: 'hai ba trung' }).others)).toEqual(['Chợ Hôm']);
    expect(orderMarkets(entries, { query: 'M3' }).total).toBe(1);
    expect(orderMarkets(entries, { query: 'khong co' }).total).toBe(0);
  });

  it('handles a city-sized list quickly', () => {
    const many = Array.from({ length: 500 }, (_, i) => ({
      id: i + 1,
      name: `Chợ số ${i}`,
      org_unit_id: 100,
      lat: 21 + i / 1000,
      lon: 105.8,
      market_class: '3',
    }));
    const big = indexMarkets(many, units, '2023-03-01');
    const start = performance.now();
    for (let i = 0; i < 20; i += 1) orderMarkets(big, { query: 'cho so 1', position: { lat: 21.2, lon: 105.8 } });
    expect((performance.now() - start) / 20).toBeLessThan(20);
  });
});

describe('classKey()', () => {
  it.each([
    ['1', 'market.class.1'],
    [2, 'market.class.2'],
    ['3', 'market.class.3'],
    ['unclassified', 'market.class.unclassified'],
    [null, 'market.class.unclassified'],
  ])('%s → %s', (value, key) => {
    expect(classKey(value)).toBe(key);
  });
});
