// The audit screen's reading of an event: Vietnamese labels for every action the server can
// record, details as "field: before → after", and the request the list sends.
import { describe, expect, it, vi } from 'vitest';

const fake = vi.hoisted(() => ({
  apiRequest: vi.fn(async () => ({ status: 200, data: { events: [], cursor: null, has_more: false } })),
  apiBlob: vi.fn(),
  getDeviceId: vi.fn(),
}));
vi.mock('../../src/data/index.js', () => fake);

import { AUDIT_ACTIONS } from '../../src/features/admin/auditMessages.js';
import { detailLines } from '../../src/features/admin/screens/audit.js';
import { listAudit } from '../../src/features/admin/store.js';
import { messages, t as translate } from '../../src/shared/i18n.js';
import '../allMessages.js'; // the features' strings too

const t = (key, params) => translate('vi', key, params);

describe('audit labels', () => {
  it('names every action in Vietnamese and English', () => {
    for (const action of AUDIT_ACTIONS) {
      expect(messages.vi[`admin.audit.action.${action}`]).toBeTruthy();
      expect(messages.en[`admin.audit.action.${action}`]).toBeTruthy();
    }
    expect(t('admin.audit.action.user.update')).toBe('Sửa người dùng');
  });
});

describe('detailLines()', () => {
  it('shows a role change before → after with the roles named', () => {
    expect(detailLines(t, { before: { role: 'inspector', active: true }, after: { role: 'ward_officer', active: false } }))
      .toEqual(['Vai trò: Cán bộ kiểm tra → Cán bộ phường/xã', 'Đang hoạt động: có → không']);
  });
  it('shows a target as percentages, an import by its counts, an unknown field by its name', () => {
    expect(detailLines(t, { period: '2024', before: null, after: 0.8 })).toEqual(['Mục tiêu: trống → 80%', 'Kỳ: 2024']);
    expect(detailLines(t, { rows: 2, created: 1, via: 'cli', sha256: 'ab' })).toEqual(['Số dòng: 2', 'Thêm mới: 1', 'sha256: ab']);
    expect(detailLines(t, { reason: 'invalid_credentials' })).toEqual(['Lý do: sai tên đăng nhập hoặc mật khẩu']);
  });
});

describe('listAudit()', () => {
  it('sends only the filters that are set, a page at a time', async () => {
    await listAudit({ action: 'user.update', actor: '', since: '2026-01-01', cursor: '' });
    expect(fake.apiRequest).toHaveBeenCalledWith('GET', '/admin/audit', { query: { limit: 50, action: 'user.update', since: '2026-01-01' } });
  });
});
