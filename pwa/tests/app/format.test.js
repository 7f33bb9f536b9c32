import { describe, expect, it } from 'vitest';

import {
  formatDate,
  formatDistance,
  formatNumber,
  formatTime,
  formatWhen,
  parseLocalInputValue,
  toIsoWithOffset,
  toLocalInputValue,
} from '../../src/shared/format.js';

// Intl may put a narrow no-break space in some locales; compare on plain spaces.
const plain = (s) => s.replace(/[\u00a0\u202f]/g, ' ');

describe('formatDistance()', () => {
  it.each([
    [0, '0 m'],
    [12.4, '12 m'],
    [87, '87 m'],
    [456, '460 m'],
    [994, '990 m'],
    [996, '1 km'],
    [1200, '1,2 km'],
    [1234, '1,2 km'],
    [9960, '10 km'],
    [12345, '12 km'],
    [123456, '123 km'],
  ])('%d m → "%s" in Vietnamese', (meters, expected) => {
    expect(plain(formatDistance(meters, 'vi'))).toBe(expected);
  });

  it('uses a decimal point in English', () => {
    expect(formatDistance(1234, 'en')).toBe('1.2 km');
  });

  it('is empty for nothing to show', () => {
    expect(formatDistance(null)).toBe('');
    expect(formatDistance(NaN)).toBe('');
    expect(formatDistance(-1)).toBe('');
  });
});

describe('formatNumber()', () => {
  it('groups thousands the Vietnamese way', () => {
    expect(plain(formatNumber(1234567, 'vi'))).toBe('1.234.567');
    expect(formatNumber(1234567, 'en')).toBe('1,234,567');
  });
});

describe('times', () => {
  const d = new Date(2023, 2, 1, 8, 42, 5);

  it('formats local time and date', () => {
    expect(formatTime(d)).toBe('08:42');
    expect(formatDate(d)).toBe('01/03/2023');
    expect(formatWhen(d, new Date(2023, 2, 1, 20, 0))).toBe('Hôm nay 08:42');
    expect(formatWhen(d, new Date(2023, 2, 2, 9, 0))).toBe('Hôm qua 08:42');
    expect(formatWhen(d, new Date(2023, 2, 2, 9, 0), 'en')).toBe('Yesterday 08:42');
    expect(formatWhen(d, new Date(2023, 2, 1, 9, 0), 'en')).toBe('Today 08:42');
    expect(formatWhen(d, new Date(2023, 2, 3, 9, 0))).toBe('08:42 01/03/2023');
    // Across a month and a year boundary "yesterday" is still the day before.
    expect(formatWhen(new Date(2022, 11, 31, 23, 5), new Date(2023, 0, 1, 0, 30))).toBe('Hôm qua 23:05');
    expect(formatWhen('not a date')).toBe('');
  });

  it('writes ISO 8601 with the phone offset, which the server requires', () => {
    const iso = toIsoWithOffset(d);
    expect(iso).toMatch(/^2023-03-01T08:42:05[+-]\d{2}:\d{2}$/);
    expect(new Date(iso).getTime()).toBe(d.getTime());
  });

  it('round-trips datetime-local values', () => {
    expect(toLocalInputValue(d)).toBe('2023-03-01T08:42');
    expect(parseLocalInputValue('2023-03-01T08:42').getTime()).toBe(new Date(2023, 2, 1, 8, 42).getTime());
    expect(parseLocalInputValue('2023-03-01T08:42:30').getSeconds()).toBe(30);
  });

  it('refuses what is not a datetime-local value', () => {
    expect(parseLocalInputValue('')).toBeNull();
    expect(parseLocalInputValue(null)).toBeNull();
    expect(parseLocalInputValue('01/03/2023 08:42')).toBeNull();
    expect(parseLocalInputValue('2023-02-31T08:00')).toBeNull();
  });
});
