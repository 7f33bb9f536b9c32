// How the city screens write numbers, dates and periods (vi-VN, Hanoi time whatever the zone).
import { describe, expect, it } from 'vitest';

import { t } from '../../src/shared/i18n.js';
import '../allMessages.js'; // the features' strings too
import {
  formatCount, formatDay, formatDayTime, formatDecimal, formatPercent, gapToTarget, headline, periodLabel, placeDate,
} from '../../src/features/city/screens/format.js';
import { cityHref, parsePeriod, periodId, readQuery, yearOptions } from '../../src/features/city/screens/period.js';

const vi = (key, params) => t('vi', key, params);
const en = (key, params) => t('en', key, params);

describe('percentages and counts', () => {
  it('writes shares the Vietnamese way, two decimals at most (as the downloads do)', () => {
    expect(formatPercent(0.875, 'vi')).toBe('87,5%');
    expect(formatPercent(0.6186, 'vi')).toBe('61,86%');
    expect(formatPercent(2 / 3, 'vi')).toBe('66,67%');
    expect(formatPercent(1, 'vi')).toBe('100%');
    expect(formatPercent(0, 'vi')).toBe('0%');
    expect(formatPercent(0.875, 'en')).toBe('87.5%');
  });

  it('shows a dash, never 0%, when there is no value (no markets)', () => {
    expect(formatPercent(null, 'vi')).toBe('—');
    expect(formatPercent(undefined, 'vi')).toBe('—');
    expect(formatPercent(Number.NaN, 'vi')).toBe('—');
  });

  it('groups thousands with a dot in Vietnamese', () => {
    expect(formatCount(1234, 'vi')).toBe('1.234');
    expect(formatCount(453, 'vi')).toBe('453');
    expect(formatCount(null, 'vi')).toBe('—');
    expect(formatDecimal(12.5, 'vi')).toBe('12,5');
  });
});

describe('dates in Hanoi time', () => {
  it('turns UTC instants into the Hanoi day, day first', () => {
    expect(formatDay('2023-03-01T20:00:00Z')).toBe('02/03/2023'); // 03:00 the next day in Hanoi
    expect(formatDay('2023-12-31T17:00:00Z')).toBe('01/01/2024');
    expect(formatDayTime('2023-03-01T01:30:00Z')).toBe('08:30 01/03/2023');
    expect(formatDayTime('2023-03-01T08:30:00+07:00')).toBe('08:30 01/03/2023');
  });

  it('keeps a plain local date as it is (the period bounds)', () => {
    expect(formatDay('2023-03-31')).toBe('31/03/2023');
  });

  it('gives nothing for what is not a time', () => {
    expect(formatDay(null)).toBe('');
    expect(formatDayTime('not a date')).toBe('');
  });

  it('dates the report in Hanoi', () => {
    expect(placeDate(vi, new Date('2026-11-24T18:30:00Z'))).toBe('Hà Nội, ngày 25 tháng 11 năm 2026');
    // Decree 30/2020: zero before days under 10 and months 1–2 only.
    expect(placeDate(vi, new Date('2023-02-04T03:00:00Z'))).toBe('Hà Nội, ngày 04 tháng 02 năm 2023');
    expect(placeDate(vi, new Date('2023-03-04T03:00:00Z'))).toBe('Hà Nội, ngày 04 tháng 3 năm 2023');
  });
});

describe('the headline sentence', () => {
  const figures = { compliant: 35, markets_total: 40, value: 0.875, target: 1 };

  it('says X/Y chợ đạt (Z%) — mục tiêu 100%', () => {
    expect(headline(vi, 'vi', figures)).toBe('35/40 chợ đạt (87,5%) — mục tiêu 100%');
    expect(headline(en, 'en', figures)).toBe('35/40 markets compliant (87.5%) — target 100%');
  });

  it('says so when no target is set', () => {
    expect(headline(vi, 'vi', { ...figures, target: null })).toBe('35/40 chợ đạt (87,5%) — chưa đặt mục tiêu');
  });

  it('measures the gap in percentage points', () => {
    expect(gapToTarget(figures)).toBe(12.5);
    expect(gapToTarget({ value: 0.6186, target: 1 })).toBe(38.14);
    expect(gapToTarget({ value: 1, target: 1 })).toBe(0);
    expect(gapToTarget({ value: null, target: 1 })).toBeNull();
  });
});

describe('periods', () => {
  it('parses the three kinds the API takes and nothing else', () => {
    expect(parsePeriod('2023')).toEqual({ id: '2023', kind: 'year', year: 2023, part: null });
    expect(parsePeriod('2023-Q2')).toEqual({ id: '2023-Q2', kind: 'quarter', year: 2023, part: 2 });
    expect(parsePeriod('2023-03')).toEqual({ id: '2023-03', kind: 'month', year: 2023, part: 3 });
    for (const bad of ['2023-Q5', '2023-13', '2023-3', '23', '', null, '2023-Q1x']) expect(parsePeriod(bad)).toBeNull();
  });

  it('builds ids from the pickers', () => {
    expect(periodId('quarter', 2023, 4)).toBe('2023-Q4');
    expect(periodId('month', 2023, 9)).toBe('2023-09');
    expect(periodId('month', 2023, 99)).toBe('2023-01');
    expect(periodId('year', 2024, 3)).toBe('2024');
  });

  it('names periods as a report does', () => {
    expect(periodLabel(vi, parsePeriod('2023'))).toBe('Năm 2023');
    expect(periodLabel(vi, parsePeriod('2023-Q3'))).toBe('Quý III/2023');
    expect(periodLabel(vi, parsePeriod('2023-03'))).toBe('Tháng 3/2023');
  });

  it('offers the years from 2022 to this year (Hanoi), and an older one asked for', () => {
    expect(yearOptions(new Date('2023-12-31T18:00:00Z'))).toEqual([2024, 2023, 2022]);
    expect(yearOptions(new Date('2023-06-01T00:00:00Z'), 2019)).toEqual([2023, 2022, 2019]);
  });

  it('reads the URL: a bad period falls back to this year and is flagged', () => {
    const now = new Date('2023-05-01T00:00:00Z');
    const view = readQuery(new URLSearchParams('period=2023-Q9&org_unit=12'), now);
    expect(view.period.id).toBe('2023');
    expect(view.badPeriod).toBe(true);
    expect(view.orgUnit).toBe('12');
    expect(readQuery(new URLSearchParams('org_unit=<script>'), now).orgUnit).toBe('');
  });

  it('writes URLs without empty parameters', () => {
    expect(cityHref('/city', { period: '2023', org_unit: '' })).toBe('/city?period=2023');
    expect(cityHref('/city/markets', { period: '2023-Q1', org_unit: 12, status: 'not_assessed' }))
      .toBe('/city/markets?period=2023-Q1&org_unit=12&status=not_assessed');
  });
});
