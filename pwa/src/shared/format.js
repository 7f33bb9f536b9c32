// Numbers, distances and times as a Vietnamese (or English) reader expects them. Pure functions.

const LOCALES = { vi: 'vi-VN', en: 'en-GB' };
const formatters = new Map();

function numberFormat(lang, maxFractionDigits) {
  const key = `${lang}:${maxFractionDigits}`;
  if (!formatters.has(key)) {
    formatters.set(
      key,
      new Intl.NumberFormat(LOCALES[lang] ?? LOCALES.vi, { maximumFractionDigits: maxFractionDigits }),
    );
  }
  return formatters.get(key);
}

/** 1234.5 → "1.234,5" (vi) or "1,234.5" (en). */
export function formatNumber(value, lang = 'vi', maxFractionDigits = 0) {
  return numberFormat(lang, maxFractionDigits).format(value);
}

/**
 * Distance for people walking between stalls: "80 m", "450 m", "1,2 km", "12 km" (vi);
 * "1.2 km" (en). Null/NaN → "".
 */
export function formatDistance(meters, lang = 'vi') {
  if (typeof meters !== 'number' || !Number.isFinite(meters) || meters < 0) return '';
  if (meters < 1000) {
    const rounded = meters < 100 ? Math.round(meters) : Math.round(meters / 10) * 10;
    if (rounded < 1000) return `${formatNumber(rounded, lang)} m`;
  }
  const km = meters / 1000;
  return `${formatNumber(km, lang, km < 10 ? 1 : 0)} km`;
}

const pad = (n) => String(n).padStart(2, '0');

function asDate(value) {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
  if (typeof value === 'string' || typeof value === 'number') {
    const d = new Date(value);
    return Number.isNaN(d.getTime()) ? null : d;
  }
  return null;
}

/** "08:42" in the phone's local time. */
export function formatTime(value) {
  const d = asDate(value);
  return d ? `${pad(d.getHours())}:${pad(d.getMinutes())}` : '';
}

/** "01/03/2023" (day first, as in Vietnam and the UK). */
export function formatDate(value) {
  const d = asDate(value);
  return d ? `${pad(d.getDate())}/${pad(d.getMonth() + 1)}/${d.getFullYear()}` : '';
}

const DAY_WORDS = { vi: ['Hôm nay', 'Hôm qua'], en: ['Today', 'Yesterday'] };
const sameDay = (a, b) => a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();

/** The page's language (html lang, set by the shell), for callers that do not pass one. */
function pageLang() {
  return globalThis.document?.documentElement?.lang === 'en' ? 'en' : 'vi';
}

/**
 * Every time the app shows carries its day: "Hôm nay 08:42", "Hôm qua 17:05", else
 * "08:42 01/03/2023" (a bare "08:42" left the reader guessing which day). The one function for
 * a time on screen. '' when `value` is not a time.
 */
export function formatWhen(value, now = new Date(), lang = pageLang()) {
  const d = asDate(value);
  if (!d) return '';
  const [today, yesterday] = DAY_WORDS[lang] ?? DAY_WORDS.vi;
  if (sameDay(d, now)) return `${today} ${formatTime(d)}`;
  const before = new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1);
  if (sameDay(d, before)) return `${yesterday} ${formatTime(d)}`;
  return `${formatTime(d)} ${formatDate(d)}`;
}

/** Local time as ISO 8601 with the phone's offset: "2023-03-01T08:30:00+07:00". */
export function toIsoWithOffset(date) {
  const offsetMin = -date.getTimezoneOffset();
  const sign = offsetMin >= 0 ? '+' : '-';
  const abs = Math.abs(offsetMin);
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}

/** Value for <input type="datetime-local">: "2023-03-01T08:30" (local time). */
export function toLocalInputValue(value) {
  const d = asDate(value);
  if (!d) return '';
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}` +
    `T${pad(d.getHours())}:${pad(d.getMinutes())}`
  );
}

/** Parses a datetime-local value as local time; null when it is not one. */
export function parseLocalInputValue(text) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(String(text ?? ''));
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0));
  const date = new Date(y, mo - 1, d, h, mi, s);
  // Reject rolled-over values such as 31 February.
  if (date.getMonth() !== mo - 1 || date.getDate() !== d) return null;
  return date;
}

/** Today in Hanoi (UTC+7, no DST) as YYYY-MM-DD, whatever the phone's time zone. */
export function hanoiToday(now = new Date()) {
  return new Date(now.getTime() + 7 * 3600_000).toISOString().slice(0, 10);
}
