import { describe, expect, it } from 'vitest';

import { referenceDay, unitTree, unitsInForce } from '../../src/features/city/screens/model.js';

// Hanoi before and after 1 July 2025: a district with a ward until 30 June, a ward directly
// under the city from 1 July.
const UNITS = [
  { id: 1, code: 'HN', name: 'Thành phố Hà Nội', level: 'city', parent_id: null, valid_from: null, valid_to: null },
  { id: 2, code: 'HBT', name: 'Quận Hai Bà Trưng', level: 'district', parent_id: 1, valid_from: null, valid_to: '2025-06-30' },
  { id: 3, code: 'HBT-1', name: 'Phường Phố Huế', level: 'ward', parent_id: 2, valid_from: null, valid_to: '2025-06-30' },
  { id: 4, code: '00256', name: 'Phường Hai Bà Trưng', level: 'ward', parent_id: 1, valid_from: '2025-07-01', valid_to: null },
];

describe('the units the city screens offer for a period', () => {
  it('use the period’s last day, or today while the period runs', () => {
    expect(referenceDay('2023-12-31', '2026-12-02')).toBe('2023-12-31');
    expect(referenceDay('2026-12-31', '2026-12-02')).toBe('2026-12-02');
    expect(referenceDay(undefined, '2026-12-02')).toBe('2026-12-02');
  });

  it('offer the districts for 2023 and the new wards for 2026', () => {
    const y2023 = unitTree(unitsInForce(UNITS, '2023-12-31'));
    expect(y2023.children('').map((u) => u.code)).toEqual(['HBT']);
    expect(y2023.children(2).map((u) => u.code)).toEqual(['HBT-1']);
    const y2026 = unitTree(unitsInForce(UNITS, '2026-12-02'));
    expect(y2026.children('').map((u) => u.code)).toEqual(['00256']);
    expect(y2026.path(4).map((u) => u.code)).toEqual(['HN', '00256']);
  });

  it('keep rows without validity dates', () => {
    expect(unitsInForce([{ id: 9, level: 'city' }], '2026-01-01')).toHaveLength(1);
  });
});
