// The contract wording of the inspector screens (the brief's Vietnamese, word for word).
import { describe, expect, it } from 'vitest';

import { t } from '../../src/shared/i18n.js';
import { syncSummary } from '../../src/shared/statusBar.js';

describe('inspector wording', () => {
  it('login errors', () => {
    expect(t('vi', 'login.error.invalid')).toBe('Sai tên đăng nhập hoặc mật khẩu');
    expect(t('vi', 'login.error.rateLimited')).toBe('Đăng nhập quá nhiều lần, thử lại sau 15 phút');
    expect(t('vi', 'login.error.offline')).toBe('Không có mạng — cần mạng để đăng nhập lần đầu');
  });

  it('expired session banner names the waiting visits', () => {
    expect(t('vi', 'session.expiredPending', { count: 3 })).toBe(
      'Phiên đăng nhập đã hết hạn — đăng nhập lại để gửi 3 lượt kiểm tra đang chờ',
    );
  });

  it('sync bar', () => {
    expect(t('vi', 'sync.now')).toBe('Đồng bộ ngay');
    expect(t('vi', 'storage.low')).toMatch(/^Bộ nhớ máy sắp đầy/);
    expect(t('vi', 'geo.accuracy', { accuracy: 12 })).toBe('Độ chính xác ±12 m');
    expect(t('vi', 'form.saved')).toBe('Đã lưu');
    expect(t('vi', 'visits.fixResend')).toBe('Sửa và gửi lại');
    expect(t('vi', 'visits.locked')).toBe('Đã khóa');
    expect(t('vi', 'market.class.unclassified')).toBe('Chưa phân hạng');
    expect(t('vi', 'market.class.2')).toBe('Hạng 2');
  });

  it('summarises the queue and the last sync', () => {
    const tv = (key, params) => t('vi', key, params);
    const te = (key, params) => t('en', key, params);
    const now = new Date(2023, 2, 1, 10, 0);
    const status = { pending: 3, lastSyncedAt: new Date(2023, 2, 1, 8, 42).toISOString() };
    expect(syncSummary(tv, status, now)).toEqual(['3 lượt chờ gửi', 'Đồng bộ lần cuối: Hôm nay 08:42']);
    expect(syncSummary(te, { pending: 1, lastSyncedAt: null }, now)).toEqual(['1 visit waiting', 'Not synced yet']);
    expect(syncSummary(tv, { pending: 0, lastSyncedAt: null }, now)).toEqual(['Đã gửi hết', 'Chưa đồng bộ']);
  });
});
