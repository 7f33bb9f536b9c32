// Shared pieces of the admin screens that decide what the admin reads.
import { describe, expect, it, vi } from 'vitest';

vi.mock('../../src/data/index.js', () => ({ apiRequest: vi.fn(), getDeviceId: vi.fn() }));

import { day, formErrors } from '../../src/features/admin/screens/common.js';
import { t as translate } from '../../src/shared/i18n.js';
import '../allMessages.js'; // the features' strings too

const t = (key, params) => translate('vi', key, params);

describe('day()', () => {
  it('writes calendar days day first, untouched by time zones', () => {
    expect(day('2024-06-30')).toBe('30/06/2024');
    expect(day('2025-07-01')).toBe('01/07/2025');
    expect(day(null)).toBe('');
  });
});

describe('formErrors()', () => {
  it('puts a taken username at its field, in Vietnamese', () => {
    const err = { status: 409, code: 'user_exists', message: "user 'lan' already exists", fields: { username: ['Already taken.'] } };
    expect(formErrors(t, err, ['username', 'password'])).toEqual({
      fields: { username: ['Tên đăng nhập này đã có người dùng.'] },
      general: ['Một số ô chưa hợp lệ — xem thông báo ở từng ô.'],
    });
  });

  it("keeps the server's words for fields it names, and says the rest above the form", () => {
    const err = { status: 422, code: 'weak_password', message: 'Too short', fields: { password: ['At least 10 characters.'], extra: ['Unknown field.'] } };
    expect(formErrors(t, err, ['password'])).toEqual({
      fields: { password: ['At least 10 characters.'] },
      general: ['Một số ô chưa hợp lệ — xem thông báo ở từng ô.', 'Unknown field.'],
    });
  });

  it('explains errors without fields', () => {
    expect(formErrors(t, { status: 409, code: 'last_admin', message: 'x' }, ['role']).general).toEqual([
      'Đây là quản trị viên cuối cùng còn hoạt động — phải giữ ít nhất một.',
    ]);
    expect(formErrors(t, { name: 'NetworkError', code: 'network_error', status: 0 }, []).general[0]).toMatch(/^Không kết nối được máy chủ/);
  });
});
