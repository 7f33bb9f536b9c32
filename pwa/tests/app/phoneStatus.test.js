// Issue #14: the pill says what the phone can do, and a failed sign-in warns before the lock.
import { describe, expect, it, vi } from 'vitest';

vi.mock('../../src/data/index.js', () => ({}));

const { connectionState } = await import('../../src/shared/statusBar.js');
const { loginFailure } = await import('../../src/shared/store.js');
const { isIosSafari } = await import('../../src/app/phone.js');

describe('connectionState()', () => {
  it('is online only when the server answered', () => {
    expect(connectionState(true, true)).toBe('online');
    expect(connectionState(true, false)).toBe('unreachable');
    expect(connectionState(true, null)).toBe('checking');
    expect(connectionState(false, true)).toBe('offline');
    expect(connectionState(false, false)).toBe('offline');
  });
});

describe('loginFailure()', () => {
  const wrong = (attemptsLeft) => ({ name: 'ApiError', status: 401, code: 'invalid_credentials', attemptsLeft });
  it('warns before the last try and says when the account is locked', () => {
    expect(loginFailure(wrong(3))).toBe('invalid');
    expect(loginFailure(wrong(1))).toBe('lastTry');
    expect(loginFailure(wrong(0))).toBe('locked');
    expect(loginFailure(wrong(null))).toBe('invalid');
    expect(loginFailure({ status: 429, code: 'rate_limited' })).toBe('rate_limited');
  });
});

describe('isIosSafari()', () => {
  it('tells Safari on an iPhone (no install prompt) from the others', () => {
    expect(isIosSafari('Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1')).toBe(true);
    expect(isIosSafari('Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/120.0 Mobile/15E148 Safari/604.1')).toBe(false);
    expect(isIosSafari('Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36')).toBe(false);
  });
});
