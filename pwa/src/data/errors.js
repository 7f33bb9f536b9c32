// Error types of the data layer. The screens tell them apart by `name` (and instanceof), so
// each carries a stable name and, where it helps, the server's {status, code, message, fields}.

/** No answer from the server at all: offline, DNS, timeout, connection dropped. Retryable. */
export class NetworkError extends Error {
  constructor(message = 'Không kết nối được máy chủ', options) {
    super(message, options);
    this.name = 'NetworkError';
    this.code = 'network_error';
    this.status = 0;
  }
}

/** The server answered with an error body {error: {code, message, fields?}} (DESIGN §5). */
export class ApiError extends Error {
  constructor({ status, code, message, fields = null, attemptsLeft = null }) {
    super(message || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = code || `http_${status}`;
    this.fields = fields;
    /** A failed sign-in: wrong passwords left before the 15-minute lock (else null). */
    this.attemptsLeft = attemptsLeft;
  }
}

/**
 * The phone has no room left (QuotaExceededError). Thrown only after the transaction was
 * aborted, so nothing of the save was half-written: the draft is still on the screen.
 */
export class StorageFullError extends Error {
  constructor(options) {
    super('Bộ nhớ điện thoại đã đầy: chưa lưu được. Hãy xoá bớt ảnh hoặc ứng dụng khác rồi thử lại.', options);
    this.name = 'StorageFullError';
    this.code = 'storage_full';
  }
}

/**
 * The visit cannot be saved as it is. `fields`: {field: [message_vi]} (same shape as the
 * server's error fields); `errors`: the full validateAnswers() result, with rule codes and
 * both languages, for answer fields.
 */
export class ValidationError extends Error {
  constructor(fields, errors = {}) {
    super('Dữ liệu chưa hợp lệ');
    this.name = 'ValidationError';
    this.code = 'validation_failed';
    this.fields = fields;
    this.errors = errors;
  }
}

/** The visit is approved or rejected (locked, DESIGN §6) or unknown here. */
export class VisitNotEditableError extends Error {
  constructor(message, state) {
    super(message);
    this.name = 'VisitNotEditableError';
    this.code = 'not_editable';
    this.state = state;
  }
}

/** Chrome, Firefox and Safari all name it QuotaExceededError (Firefox once: NS_ERROR_DOM_QUOTA_REACHED). */
export function isQuotaError(err) {
  for (let e = err; e; e = e.cause) {
    if (e.name === 'QuotaExceededError' || e.name === 'NS_ERROR_DOM_QUOTA_REACHED') return true;
    if (e.code === 22) return true; // legacy DOMException code of QUOTA_EXCEEDED_ERR
  }
  return false;
}
