// UI strings. Vietnamese first (default), English second. Pure data + pure functions so the
// page, the service worker and the tests can all import it; DOM wiring lives in src/app/i18n-dom.js.

export const DEFAULT_LANG = 'vi';
export const LANGS = /** @type {const} */ (['vi', 'en']);

export const messages = {
  vi: {
    'app.name': 'Chợ Xanh',
    'app.purpose':
      'Khảo sát sử dụng túi nilon khó phân hủy tại chợ truyền thống — Kế hoạch 293/KH-UBND',
    'app.target': 'Mục tiêu 4.4: 100% chợ truyền thống không sử dụng túi nilon khó phân hủy.',
    'lang.label': 'Ngôn ngữ',
    'net.online': 'Trực tuyến',
    'net.offline': 'Ngoại tuyến',
    'sw.checking': 'Đang chuẩn bị để dùng khi không có mạng…',
    'sw.ready': 'Sẵn sàng dùng khi không có mạng',
    'sw.unsupported': 'Trình duyệt này không hỗ trợ dùng khi không có mạng',
    'sw.error': 'Chưa thể chuẩn bị để dùng khi không có mạng',
    'sw.update': 'Đã có phiên bản mới của ứng dụng.',
    'sw.updateButton': 'Cập nhật',
    'server.version': 'Máy chủ: phiên bản {version}',
    'status.heading': 'Trạng thái',
    'noscript': 'Cần bật JavaScript để dùng Chợ Xanh.',
  },
  en: {
    'app.name': 'Chợ Xanh',
    'app.purpose':
      'Survey of non-biodegradable nylon bag use in traditional markets — Plan 293/KH-UBND',
    'app.target': 'Target 4.4: 100% of traditional markets stop using non-biodegradable nylon bags.',
    'lang.label': 'Language',
    'net.online': 'Online',
    'net.offline': 'Offline',
    'sw.checking': 'Getting ready for offline use…',
    'sw.ready': 'Ready to use without a connection',
    'sw.unsupported': 'This browser cannot work offline',
    'sw.error': 'Could not get ready for offline use',
    'sw.update': 'A new version of the app is available.',
    'sw.updateButton': 'Update',
    'server.version': 'Server: version {version}',
    'status.heading': 'Status',
    'noscript': 'Chợ Xanh needs JavaScript enabled.',
  },
};

/** Returns a supported language code for `value`, or the default. Accepts e.g. "en-GB". */
export function normalizeLang(value) {
  if (typeof value !== 'string') return DEFAULT_LANG;
  const base = value.trim().toLowerCase().split(/[-_]/)[0];
  return LANGS.includes(base) ? base : DEFAULT_LANG;
}

/**
 * Translates `key` into `lang`, replacing `{name}` placeholders from `params`.
 * Falls back to Vietnamese, then to the key itself, so a missing string is visible but harmless.
 */
export function t(lang, key, params = {}) {
  const table = messages[lang] ?? messages[DEFAULT_LANG];
  const template = table[key] ?? messages[DEFAULT_LANG][key] ?? key;
  return template.replace(/\{(\w+)\}/g, (whole, name) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole,
  );
}
