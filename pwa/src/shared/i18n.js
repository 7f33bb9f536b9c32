// UI strings. Vietnamese first (default), English second. Pure data + pure functions so the
// page, the service worker and the tests can all import it; DOM wiring lives in src/app/i18n-dom.js.

import account from '../features/account/messages.js';
import shell from './shellMessages.js';
import inspector from '../features/inspector/messages.js';

export const DEFAULT_LANG = 'vi';
export const LANGS = /** @type {const} */ (['vi', 'en']);

export const messages = {
  vi: {
    'app.name': 'Chợ Xanh',
    'app.purpose':
      'Khảo sát sử dụng túi nilon khó phân hủy tại chợ truyền thống — Kế hoạch 293/KH-UBND',
    'app.target': 'Mục tiêu 4.4: 100% chợ truyền thống không sử dụng túi nilon khó phân hủy.',
    'lang.label': 'Ngôn ngữ',
    'sw.checking': 'Đang chuẩn bị để dùng khi không có mạng…',
    'sw.ready': 'Sẵn sàng dùng khi không có mạng',
    'sw.unsupported': 'Trình duyệt này không hỗ trợ dùng khi không có mạng',
    'sw.error': 'Chưa thể chuẩn bị để dùng khi không có mạng',
    'sw.update': 'Đã có phiên bản mới của ứng dụng.',
    'sw.updateButton': 'Cập nhật',
    'server.version': 'Máy chủ: phiên bản {version}',
    'noscript': 'Cần bật JavaScript để dùng Chợ Xanh.',
    'app.loading': 'Đang mở…',
    'app.screenUnavailable': 'Màn hình này chưa có trên máy. Hãy kết nối mạng rồi thử lại.',
    'app.retry': 'Thử lại',
    'nav.skip': 'Bỏ qua đến nội dung',
    'nav.label': 'Điều hướng chính',
    'nav.markets': 'Chọn chợ',
    'nav.visits': 'Lượt kiểm tra',
    'nav.badge': '{count} lượt cần xử lý',
    'sync.label': 'Trạng thái đồng bộ',
    'sync.pending.one': '{count} lượt chờ gửi',
    'sync.pending.other': '{count} lượt chờ gửi',
    'sync.allSent': 'Đã gửi hết',
    'sync.never': 'Chưa đồng bộ',
    'sync.now': 'Đồng bộ ngay',
    'sync.loginFirst': 'Đăng nhập trước để đồng bộ.',
    'sync.busy': 'Đang đồng bộ…',
    'sync.progress': 'Đang đồng bộ {done}/{total}',
    'sync.error': 'Chưa đồng bộ được: {message}. Các lượt kiểm tra vẫn được giữ trên máy.',
    'session.expired': 'Phiên đăng nhập đã hết hạn — đăng nhập lại để đồng bộ',
    'session.expiredPending': 'Phiên đăng nhập đã hết hạn — đăng nhập lại để gửi {count} lượt kiểm tra đang chờ',
    'session.relogin': 'Đăng nhập lại',
    'storage.low': 'Bộ nhớ máy sắp đầy — hãy gửi các lượt đang chờ và giải phóng bớt dung lượng.',
    'logout.confirm': 'Đăng xuất khỏi máy này?',
    'logout.confirmPending': 'Còn {count} lượt kiểm tra chưa gửi. Các lượt này vẫn được giữ trên máy và sẽ gửi sau khi đăng nhập lại. Đăng xuất?',
    'login.title': 'Đăng nhập',
    'login.username': 'Tên đăng nhập',
    'login.password': 'Mật khẩu',
    'login.showPassword': 'Hiện',
    'login.hidePassword': 'Ẩn',
    'login.submit': 'Đăng nhập',
    'login.busy': 'Đang đăng nhập…',
    'login.error.invalid': 'Sai tên đăng nhập hoặc mật khẩu',
    'login.error.rateLimited': 'Đăng nhập quá nhiều lần, thử lại sau 15 phút',
    'login.error.offline': 'Không có mạng — cần mạng để đăng nhập lần đầu',
    'login.error.other': 'Chưa đăng nhập được, hãy thử lại sau',
    'login.error.server': 'Máy chủ đang gặp sự cố nên chưa đăng nhập được. Hãy thử lại sau ít phút; nếu vẫn không được, báo người hỗ trợ',
    'login.error.code': 'mã lỗi: {code}',
    'login.error.missing': 'Nhập tên đăng nhập và mật khẩu',
    'login.expired': 'Phiên đăng nhập đã hết hạn. Đăng nhập lại để tiếp tục đồng bộ; dữ liệu trên máy vẫn được giữ.',
    'login.expiredPending': 'Phiên đăng nhập đã hết hạn. {count} lượt kiểm tra đang chờ vẫn được giữ trên máy và sẽ được gửi sau khi đăng nhập lại.',
    'login.signedInAs': 'Đang đăng nhập: {name}',
    'login.continue': 'Tiếp tục',
    'login.logout': 'Đăng xuất',
    'login.offlineHint': 'Sau lần đăng nhập đầu tiên, ứng dụng dùng được cả khi không có mạng.',
    'market.class.1': 'Hạng 1',
    'market.class.2': 'Hạng 2',
    'market.class.3': 'Hạng 3',
    'market.class.unclassified': 'Chưa phân hạng',
  },
  en: {
    'app.name': 'Chợ Xanh',
    'app.purpose':
      'Survey of non-biodegradable nylon bag use in traditional markets — Plan 293/KH-UBND',
    'app.target': 'Target 4.4: 100% of traditional markets stop using non-biodegradable nylon bags.',
    'lang.label': 'Language',
    'sw.checking': 'Getting ready for offline use…',
    'sw.ready': 'Ready to use without a connection',
    'sw.unsupported': 'This browser cannot work offline',
    'sw.error': 'Could not get ready for offline use',
    'sw.update': 'A new version of the app is available.',
    'sw.updateButton': 'Update',
    'server.version': 'Server: version {version}',
    'noscript': 'Chợ Xanh needs JavaScript enabled.',
    'app.loading': 'Opening…',
    'app.screenUnavailable': 'This screen is not on this phone yet. Connect to the network and try again.',
    'app.retry': 'Try again',
    'nav.skip': 'Skip to content',
    'nav.label': 'Main navigation',
    'nav.markets': 'Markets',
    'nav.visits': 'My visits',
    'nav.badge': '{count} visits need your action',
    'sync.label': 'Sync status',
    'sync.pending.one': '{count} visit waiting',
    'sync.pending.other': '{count} visits waiting',
    'sync.allSent': 'All sent',
    'sync.never': 'Not synced yet',
    'sync.now': 'Sync now',
    'sync.loginFirst': 'Sign in first to sync.',
    'sync.busy': 'Syncing…',
    'sync.progress': 'Syncing {done}/{total}',
    'sync.error': 'Could not sync: {message}. Visits are kept on this phone.',
    'session.expired': 'Your session has expired — sign in again to sync',
    'session.expiredPending': 'Your session has expired — sign in again to send {count} waiting visits',
    'session.relogin': 'Sign in again',
    'storage.low': 'Phone storage is nearly full — send the waiting visits and free some space.',
    'logout.confirm': 'Sign out on this phone?',
    'logout.confirmPending': '{count} visits are not sent yet. They stay on this phone and are sent after you sign in again. Sign out?',
    'login.title': 'Sign in',
    'login.username': 'Username',
    'login.password': 'Password',
    'login.showPassword': 'Show',
    'login.hidePassword': 'Hide',
    'login.submit': 'Sign in',
    'login.busy': 'Signing in…',
    'login.error.invalid': 'Wrong username or password',
    'login.error.rateLimited': 'Too many attempts, try again in 15 minutes',
    'login.error.offline': 'No connection — signing in needs the network the first time',
    'login.error.other': 'Could not sign in, please try again later',
    'login.error.server': 'The server has a problem, so signing in did not work. Try again in a few minutes; if it still fails, tell your support contact',
    'login.error.code': 'error code: {code}',
    'login.error.missing': 'Enter your username and password',
    'login.expired': 'Your session has expired. Sign in again to keep syncing; the data on this phone is kept.',
    'login.expiredPending': 'Your session has expired. {count} waiting visits are kept on this phone and will be sent after you sign in again.',
    'login.signedInAs': 'Signed in as {name}',
    'login.continue': 'Continue',
    'login.logout': 'Sign out',
    'login.offlineHint': 'After the first sign-in the app works without a connection.',
    'market.class.1': 'Class 1',
    'market.class.2': 'Class 2',
    'market.class.3': 'Class 3',
    'market.class.unclassified': 'Unclassified',
  },
};

/**
 * Adds a feature's strings ({vi: {...}, en: {...}}) to the one table. Each feature keeps its
 * screens' strings in features/<name>/messages.js; the review, city and admin features add theirs
 * when their chunk loads (their index.js), so an inspector's phone never downloads them.
 */
export function addMessages(extra) {
  for (const lang of LANGS) Object.assign(messages[lang], extra[lang]);
}

// Everyone's from the start: the shell's, the account screen's, and the inspector's (the review
// screens reuse a few of them: form.yes, detail.blank, geo.*, visits.*).
for (const extra of [inspector, account, shell]) addMessages(extra);

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
