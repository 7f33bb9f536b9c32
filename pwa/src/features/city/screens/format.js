// How the city screens write numbers and dates: percentages as a Vietnamese reader expects
// ("87,5%"), dates day first in Hanoi time (UTC+7, whatever the computer's zone). Pure functions.

const LOCALES = { vi: 'vi-VN', en: 'en-GB' };
const HANOI_OFFSET_MS = 7 * 3600_000; // Vietnam has no daylight saving
const cache = new Map();

function numberFormat(lang, options) {
  const key = `${lang}:${JSON.stringify(options)}`;
  if (!cache.has(key)) cache.set(key, new Intl.NumberFormat(LOCALES[lang] ?? LOCALES.vi, options));
  return cache.get(key);
}

const isNumber = (v) => typeof v === 'number' && Number.isFinite(v);

/**
 * 0.875 → "87,5%" (vi) / "87.5%" (en); 0.6186 → "61,86%": at most two decimals, as the CSV and
 * XLSX downloads write them, so the screen, the printed report and the files agree to the digit.
 * null → "—".
 */
export function formatPercent(value, lang = 'vi') {
  if (!isNumber(value)) return '—';
  return numberFormat(lang, { style: 'percent', maximumFractionDigits: 2 }).format(value);
}

/** 1234 → "1.234" (vi); null → "—". */
export function formatCount(value, lang = 'vi') {
  if (!isNumber(value)) return '—';
  return numberFormat(lang, { maximumFractionDigits: 0 }).format(value);
}

/** 12.5 → "12,5" (vi); at most two decimals; null → "—". */
export function formatDecimal(value, lang = 'vi') {
  if (!isNumber(value)) return '—';
  return numberFormat(lang, { maximumFractionDigits: 2 }).format(value);
}

const pad = (n) => String(n).padStart(2, '0');

/** Hanoi wall-clock parts of an instant: {year, month, day, hour, minute}; null if not a time. */
export function hanoiParts(value) {
  if (value === null || value === undefined || value === '') return null;
  const text = String(value);
  // A plain date ("2023-03-31", the API's local period bounds) is already a Hanoi date.
  const dateOnly = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (dateOnly) {
    return { year: Number(dateOnly[1]), month: Number(dateOnly[2]), day: Number(dateOnly[3]), hour: 0, minute: 0 };
  }
  const ms = value instanceof Date ? value.getTime() : Date.parse(text);
  if (!Number.isFinite(ms)) return null;
  const d = new Date(ms + HANOI_OFFSET_MS);
  return {
    year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(),
    hour: d.getUTCHours(), minute: d.getUTCMinutes(),
  };
}

/** "2023-03-01T20:00:00Z" → "02/03/2023" (Hanoi date); '' when not a time. */
export function formatDay(value) {
  const p = hanoiParts(value);
  return p ? `${pad(p.day)}/${pad(p.month)}/${p.year}` : '';
}

/** "2023-03-01T01:30:00Z" → "08:30 01/03/2023" (Hanoi time). */
export function formatDayTime(value) {
  const p = hanoiParts(value);
  return p ? `${pad(p.hour)}:${pad(p.minute)} ${formatDay(value)}` : '';
}

const ROMAN = ['I', 'II', 'III', 'IV'];

/** {kind, year, part} → "Năm 2023" / "Quý I/2023" / "Tháng 3/2023" through `t`. */
export function periodLabel(t, period) {
  if (!period) return '';
  if (period.kind === 'quarter') return t('city.period.quarterOf', { quarter: ROMAN[period.part - 1], year: period.year });
  if (period.kind === 'month') return t('city.period.monthOf', { month: period.part, year: period.year });
  return t('city.period.yearOf', { year: period.year });
}

/** The plain sentence under the big number: "12/40 chợ đạt (30%) — mục tiêu 100%". */
export function headline(t, lang, figures) {
  const target = isNumber(figures?.target) ? t('city.headline.target', { target: formatPercent(figures.target, lang) }) : t('city.headline.noTarget');
  return t('city.headline', {
    compliant: formatCount(figures?.compliant ?? 0, lang),
    total: formatCount(figures?.markets_total ?? 0, lang),
    value: formatPercent(figures?.value, lang),
    target,
  });
}

/** How far the value is from the target, in percentage points; null when either is missing. */
export function gapToTarget(figures) {
  if (!isNumber(figures?.value) || !isNumber(figures?.target)) return null;
  return Math.round((figures.target - figures.value) * 10000) / 100;
}

/**
 * "Hà Nội, ngày 24 tháng 11 năm 2026" for the report (Hanoi date of `now`). As Decree
 * 30/2020/NĐ-CP writes dates: a zero before days under 10 and before months 1 and 2 only.
 */
export function placeDate(t, now = new Date()) {
  const p = hanoiParts(now);
  return t('city.report.placeDate', { day: pad(p.day), month: p.month <= 2 ? pad(p.month) : String(p.month), year: p.year });
}

export const ROMAN_NUMERALS = ['I', 'II', 'III', 'IV', 'V', 'VI'];
