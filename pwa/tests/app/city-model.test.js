// The dashboard's pure logic: chart scaling, breakdown sorting, market lists, the unit tree.
import { describe, expect, it } from 'vitest';

import { CHART, trendGeometry } from '../../src/features/city/screens/chart.js';
import {
  daysSince, filterMarkets, nextSort, overdueInUnit, parseSort, partitionMarkets, sortRows, unitTree,
} from '../../src/features/city/screens/model.js';

const month = (i, value, coverage = value) => ({ period: { id: `2023-${String(i + 1).padStart(2, '0')}` }, value, coverage });

describe('trend chart scaling', () => {
  const y0 = CHART.height - CHART.bottom;
  const y1 = CHART.top;

  it('puts 0% on the axis and 100% at the top, whatever the data', () => {
    const geo = trendGeometry([month(0, 0), month(1, 1), month(2, 0.5)], 1);
    expect(geo.bars[0]).toMatchObject({ y: y0, height: 0, missing: false });
    expect(geo.bars[1]).toMatchObject({ y: y1, height: y0 - y1 });
    expect(geo.bars[2].y).toBeCloseTo((y0 + y1) / 2, 1);
    expect(geo.targetY).toBe(y1);
    expect(geo.ticks.map((t) => t.y)).toEqual([0, 0.25, 0.5, 0.75, 1].map((v) => y0 - v * (y0 - y1)));
  });

  it('spreads twelve months evenly inside the plot, bars narrower than their slot', () => {
    const geo = trendGeometry(Array.from({ length: 12 }, (_, i) => month(i, i / 11)), null);
    const slot = (CHART.width - CHART.right - CHART.left) / 12;
    expect(geo.bars).toHaveLength(12);
    expect(geo.bars[0].x).toBeGreaterThanOrEqual(CHART.left);
    expect(geo.bars[11].x + geo.bars[11].width).toBeLessThanOrEqual(CHART.width - CHART.right);
    expect(geo.bars[1].centre - geo.bars[0].centre).toBeCloseTo(slot, 0);
    expect(geo.bars[0].width).toBeLessThan(slot);
    expect(geo.targetY).toBeNull();
    // heights grow with the value
    for (let i = 1; i < 12; i += 1) expect(geo.bars[i].height).toBeGreaterThan(geo.bars[i - 1].height);
  });

  it('draws no bar for a month without markets, and no coverage point either', () => {
    const geo = trendGeometry([month(0, null, null), month(1, 0.25, 0.5)], 1);
    expect(geo.bars[0]).toMatchObject({ missing: true, height: 0 });
    expect(geo.line).toHaveLength(1);
    expect(geo.line[0].x).toBe(geo.bars[1].centre);
  });

  it('clamps values outside 0..1 instead of drawing outside the plot', () => {
    const geo = trendGeometry([month(0, 1.2), month(1, -0.1)], 1.5);
    expect(geo.bars[0].y).toBe(y1);
    expect(geo.bars[1].y).toBe(y0);
    expect(geo.targetY).toBe(y1);
  });
});

const row = (id, name, value, total = 10) => ({ org_unit: { id, name }, markets_total: total, value, compliant: value === null ? 0 : Math.round(value * total) });

describe('breakdown sorting', () => {
  const rows = [row(1, 'Quận Đống Đa', 0.5), row(2, 'Quận Ba Đình', 0.9), row(3, 'Huyện Ba Vì', null, 0), row(4, 'Quận Cầu Giấy', 0.5)];

  it('sorts names the Vietnamese way', () => {
    expect(sortRows(rows, { key: 'name', dir: 'asc' }).map((r) => r.org_unit.id)).toEqual([3, 2, 4, 1]);
  });

  it('sorts by value either way, units without a value always last, ties by name', () => {
    expect(sortRows(rows, { key: 'value', dir: 'asc' }).map((r) => r.org_unit.id)).toEqual([4, 1, 2, 3]);
    expect(sortRows(rows, { key: 'value', dir: 'desc' }).map((r) => r.org_unit.id)).toEqual([2, 4, 1, 3]);
  });

  it('does not reorder the rows it was given', () => {
    sortRows(rows, { key: 'value', dir: 'desc' });
    expect(rows.map((r) => r.org_unit.id)).toEqual([1, 2, 3, 4]);
  });

  it('flips the same column, starts numbers high first', () => {
    expect(nextSort({ key: 'value', dir: 'desc' }, 'value')).toEqual({ key: 'value', dir: 'asc' });
    expect(nextSort({ key: 'name', dir: 'asc' }, 'compliant')).toEqual({ key: 'compliant', dir: 'desc' });
    expect(parseSort('coverage:desc')).toEqual({ key: 'coverage', dir: 'desc' });
    expect(parseSort('drop table')).toEqual({ key: 'name', dir: 'asc' });
  });
});

describe('market lists', () => {
  const m = (id, status, ward, pending = false) => ({ market: { id, name: `Chợ ${id}` }, ward: { name: ward }, district: { name: 'Quận Hai Bà Trưng' }, status, pending_review: pending });
  const markets = [m(1, 'compliant', 'Phường Bạch Đằng'), m(2, 'not_assessed', 'Phường Lê Đại Hành', true), m(3, 'non_compliant', 'Phường Bạch Đằng'), m(4, 'not_assessed', 'Phường Bách Khoa')];

  it('splits by status, pending review counted among the not assessed', () => {
    const parts = partitionMarkets(markets);
    expect(parts.compliant.map((x) => x.market.id)).toEqual([1]);
    expect(parts.nonCompliant.map((x) => x.market.id)).toEqual([3]);
    expect(parts.notAssessed.map((x) => x.market.id)).toEqual([4, 2]); // Bách Khoa before Lê Đại Hành
    expect(parts.pendingReview.map((x) => x.market.id)).toEqual([2]);
  });

  it('filters as the URL says', () => {
    expect(filterMarkets(markets, 'pending_review').map((x) => x.market.id)).toEqual([2]);
    expect(filterMarkets(markets, 'non_compliant').map((x) => x.market.id)).toEqual([3]);
    expect(filterMarkets(markets, '')).toHaveLength(4);
  });
});

describe('the unit tree', () => {
  const units = [
    { id: 1, code: 'HN', name: 'Thành phố Hà Nội', level: 'city', parent_id: null },
    { id: 2, code: 'HN-HBT', name: 'Quận Hai Bà Trưng', level: 'district', parent_id: 1 },
    { id: 3, code: 'HN-BD', name: 'Quận Ba Đình', level: 'district', parent_id: 1 },
    { id: 4, code: 'HN-HBT-01', name: 'Phường Bạch Đằng', level: 'ward', parent_id: 2 },
    { id: 5, code: 'HN-BD-01', name: 'Phường Phúc Xá', level: 'ward', parent_id: 3 },
  ];
  const tree = unitTree(units);

  it('finds units by id or code and walks up to the city', () => {
    expect(tree.find('HN-HBT-01').id).toBe(4);
    expect(tree.path(4).map((u) => u.code)).toEqual(['HN', 'HN-HBT', 'HN-HBT-01']);
    expect(tree.path('nope')).toEqual([]);
  });

  it('lists children by name; the city is the root', () => {
    expect(tree.children('').map((u) => u.id)).toEqual([3, 2]);
    expect(tree.children(2).map((u) => u.id)).toEqual([4]);
    expect([...tree.subtree(2)].sort()).toEqual(['2', '4']);
  });

  it('keeps only the overdue markets inside the unit shown', () => {
    const overdue = [{ id: 10, org_unit_id: 4 }, { id: 11, org_unit_id: 5 }];
    expect(overdueInUnit(overdue, tree, '2').map((x) => x.id)).toEqual([10]);
    expect(overdueInUnit(overdue, tree, '')).toHaveLength(2);
    expect(overdueInUnit(overdue, tree, 'HN')).toHaveLength(2);
    expect(overdueInUnit(overdue, unitTree([]), '2')).toHaveLength(2); // tree unknown: server scope
  });

  it('counts whole days since the last visit', () => {
    expect(daysSince('2023-03-01T00:00:00Z', new Date('2023-04-01T12:00:00Z'))).toBe(31);
    expect(daysSince(null)).toBeNull();
  });
});
