import { describe, expect, it } from 'vitest';

import { DEFAULT_LANG, LANGS, messages, normalizeLang, t } from '../src/shared/i18n.js';
import './allMessages.js'; // the features' strings too

describe('i18n messages', () => {
  it('defaults to Vietnamese and offers vi and en', () => {
    expect(DEFAULT_LANG).toBe('vi');
    expect([...LANGS].sort()).toEqual(['en', 'vi']);
    expect(Object.keys(messages).sort()).toEqual([...LANGS].sort());
  });

  it('has every key in every language, none empty', () => {
    const keys = Object.keys(messages.vi).sort();
    for (const lang of LANGS) {
      expect(Object.keys(messages[lang]).sort(), lang).toEqual(keys);
      for (const key of keys) {
        expect(typeof messages[lang][key], `${lang}:${key}`).toBe('string');
        expect(messages[lang][key].trim(), `${lang}:${key}`).not.toBe('');
      }
    }
  });

  it('uses the same placeholders in every language', () => {
    const placeholders = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(messages.vi)) {
      expect(placeholders(messages.en[key]), key).toEqual(placeholders(messages.vi[key]));
    }
  });

  it('carries the contract wording of the status line', () => {
    expect(t('vi', 'net.online')).toBe('Trực tuyến');
    // Issue #14: the pill says what the phone can do (no network / network but no server).
    expect(t('vi', 'net.offline')).toBe('Không có mạng');
    expect(t('vi', 'net.unreachable')).toBe('Mất kết nối máy chủ');
    expect(t('vi', 'sw.ready')).toBe('Sẵn sàng dùng khi không có mạng');
  });
});

describe('t()', () => {
  it('fills placeholders and leaves unknown ones visible', () => {
    expect(t('en', 'server.version', { version: '1.2.3' })).toBe('Server: version 1.2.3');
    expect(t('vi', 'server.version')).toBe('Máy chủ: phiên bản {version}');
  });

  it('falls back to Vietnamese, then to the key', () => {
    expect(t('fr', 'net.online')).toBe('Trực tuyến');
    expect(t('en', 'no.such.key')).toBe('no.such.key');
  });
});

describe('normalizeLang()', () => {
  it.each([
    ['vi', 'vi'],
    ['en', 'en'],
    ['en-GB', 'en'],
    ['VI_vn', 'vi'],
    ['fr', 'vi'],
    ['', 'vi'],
    [null, 'vi'],
    [undefined, 'vi'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeLang(input)).toBe(expected);
  });
});
