// Periods and URLs of the city screens. A period is what the indicator API takes: "2023",
// "2023-Q1" or "2023-03" (DESIGN §7). Pure functions; every view is reachable by URL.
import { hanoiToday } from '../../../shared/format.js';

const YEAR = /^(\d{4})$/;
const QUARTER = /^(\d{4})-Q([1-4])$/;
const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/**
 * "2023-Q2" → {id: '2023-Q2', kind: 'quarter', year: 2023, part: 2}; null when not a period.
 * @param {unknown} text
 */
export function parsePeriod(text) {
  const value = String(text ?? '').trim();
  let m = YEAR.exec(value);
  if (m) return { id: value, kind: 'year', year: Number(m[1]), part: null };
  m = QUARTER.exec(value);
  if (m) return { id: value, kind: 'quarter', year: Number(m[1]), part: Number(m[2]) };
  m = MONTH.exec(value);
  if (m) return { id: value, kind: 'month', year: Number(m[1]), part: Number(m[2]) };
  return null;
}

/** ('quarter', 2023, 2) → "2023-Q2"; a missing or out-of-range part falls back to the first. */
export function periodId(kind, year, part) {
  if (kind === 'quarter') {
    const q = Number(part) >= 1 && Number(part) <= 4 ? Number(part) : 1;
    return `${year}-Q${q}`;
  }
  if (kind === 'month') {
    const m = Number(part) >= 1 && Number(part) <= 12 ? Number(part) : 1;
    return `${year}-${String(m).padStart(2, '0')}`;
  }
  return String(year);
}

/** The year in Hanoi now (UTC+7, no daylight saving). */
export function hanoiYear(now = new Date()) {
  return Number(hanoiToday(now).slice(0, 4));
}

/** Years the picker offers: from the plan's year (2023) to this year, and `selected` if outside. */
export function yearOptions(now = new Date(), selected = null, first = 2022) {
  const last = Math.max(hanoiYear(now), first);
  const years = [];
  for (let y = last; y >= first; y -= 1) years.push(y);
  if (selected && !years.includes(selected)) years.push(selected);
  return years.sort((a, b) => b - a);
}

/**
 * "/city/markets?period=2023&org_unit=12&status=not_assessed"; empty values are left out so
 * "the whole city" has no org_unit.
 */
export function cityHref(path, params = {}) {
  const query = new URLSearchParams();
  for (const key of ['period', 'org_unit', 'status', 'sort']) {
    const value = params[key];
    if (value !== undefined && value !== null && value !== '') query.set(key, String(value));
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

/** The screen's query: {period (valid id or default year), orgUnit ('' = default), status}. */
export function readQuery(query, now = new Date()) {
  const get = (key) => (query && typeof query.get === 'function' ? query.get(key) : null) ?? '';
  const period = parsePeriod(get('period')) ?? parsePeriod(String(hanoiYear(now)));
  const orgUnit = /^[A-Za-z0-9_-]{1,64}$/.test(get('org_unit')) ? get('org_unit') : '';
  return { period, orgUnit, status: get('status'), sort: get('sort'), badPeriod: get('period') !== '' && !parsePeriod(get('period')) };
}
