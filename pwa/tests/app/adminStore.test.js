// The admin adapter: the requests it sends, and the checks and conversions the screens rely on.
import { beforeEach, describe, expect, it, vi } from 'vitest';

const fake = vi.hoisted(() => ({
  apiRequest: vi.fn(async () => ({ status: 200, data: { ok: true } })),
  getDeviceId: vi.fn(async () => 'this-phone'),
}));
vi.mock('../../src/data/index.js', () => fake);

import * as admin from '../../src/features/admin/store.js';

beforeEach(() => fake.apiRequest.mockClear());

describe('requests', () => {
  it('lists users with only the filters that are set, booleans as 1/0', async () => {
    await admin.listUsers({ q: 'lan', role: '', org_unit_id: null, active: false });
    expect(fake.apiRequest).toHaveBeenCalledWith('GET', '/admin/users', { query: { q: 'lan', active: 0 } });
  });

  it('sets a target typed as a percent as 0..1, city-wide by default', async () => {
    await admin.setTarget('2024-Q2', '95,5');
    expect(fake.apiRequest).toHaveBeenCalledWith('PUT', '/admin/targets/2024-Q2', { json: { target: 0.955, org_unit_id: null } });
    await admin.setTarget('2024', 100, 7);
    expect(fake.apiRequest).toHaveBeenLastCalledWith('PUT', '/admin/targets/2024', { json: { target: 1, org_unit_id: 7 } });
  });

  it('uploads a CSV as multipart, dry run only when asked', async () => {
    const file = new File(['code,name\n'], 'cho.csv', { type: 'text/csv' });
    await admin.importCsv('markets', file, { dryRun: true });
    const [method, path, options] = fake.apiRequest.mock.calls[0];
    expect([method, path, options.query]).toEqual(['POST', '/admin/markets/import', { dry_run: 1 }]);
    expect(options.body.get('file').name).toBe('cho.csv');
    await admin.importCsv('org_units', file, { dryRun: false });
    expect(fake.apiRequest.mock.calls[1].slice(0, 2)).toEqual(['POST', '/admin/org-units/import']);
    expect(fake.apiRequest.mock.calls[1][2].query).toEqual({});
  });

  it('revokes a device and resets a password on their own paths', async () => {
    await admin.revokeDevice(12);
    expect(fake.apiRequest).toHaveBeenCalledWith('POST', '/admin/devices/12/revoke');
    await admin.resetPassword(3, 'mật khẩu mới', true);
    expect(fake.apiRequest).toHaveBeenLastCalledWith('POST', '/admin/users/3/password', { json: { password: 'mật khẩu mới', revoke_devices: true } });
  });
});

describe('periods and percents', () => {
  it.each([
    ['2024', '2024'],
    [' 2024-q3 ', '2024-Q3'],
    ['2024-03', '2024-03'],
    ['2024-Q5', null],
    ['2024-13', null],
    ['24', null],
    ['2024-3', null],
    ['', null],
  ])('normalizePeriod(%j) → %j', (text, expected) => {
    expect(admin.normalizePeriod(text)).toBe(expected);
  });

  it.each([
    ['0', 0],
    ['100', 1],
    ['95', 0.95],
    ['95,5', 0.955],
    ['33.3', 0.333],
    [57, 0.57],
    ['100.1', null],
    ['-1', null],
    ['abc', null],
    ['', null],
    ['1e2', null],
  ])('percentToTarget(%j) → %j', (percent, expected) => {
    expect(admin.percentToTarget(percent)).toBe(expected);
  });

  it('shows stored targets as percents without float noise', () => {
    expect(admin.targetToPercent(0.955)).toBe(95.5);
    expect(admin.targetToPercent(0.07)).toBe(7);
    expect(admin.targetToPercent(1)).toBe(100);
  });

  it('names the fields of a bad target form', () => {
    expect(admin.checkTargetForm({ period: '2024-Q2', percent: '90' })).toEqual({});
    expect(admin.checkTargetForm({ period: 'Q2', percent: '190' })).toEqual({ period: 'admin.error.period', target: 'admin.error.percent' });
  });
});

describe('user forms', () => {
  const good = { username: 'lan.nguyen', role: 'inspector', orgUnitId: 5, password: 'đủ dài rồi' };

  it('accepts a complete new user', () => {
    expect(admin.checkNewUser(good)).toEqual({});
    expect(admin.checkNewUser({ ...good, role: 'city_officer', orgUnitId: null })).toEqual({});
  });

  it('asks for as many characters as the server does (10)', () => {
    expect(admin.checkNewUser({ ...good, password: 'chín ký t' })).toEqual({ password: 'admin.error.passwordShort' });
  });

  it('names every missing or wrong field', () => {
    expect(admin.checkNewUser({ username: 'Lan Nguyễn', role: 'inspector', orgUnitId: null, password: 'ngắn' })).toEqual({
      username: 'admin.error.username',
      org_unit_id: 'admin.error.unitNeeded',
      password: 'admin.error.passwordShort',
    });
    expect(admin.checkNewUser({ username: '', role: 'boss', orgUnitId: 1, password: '' })).toEqual({
      username: 'admin.error.required', role: 'admin.error.required', password: 'admin.error.required',
    });
  });

  it('needs a unit for ward officers changed from city roles', () => {
    expect(admin.checkUserChange({ role: 'ward_officer', orgUnitId: null })).toEqual({ org_unit_id: 'admin.error.unitNeeded' });
    expect(admin.checkUserChange({ role: 'admin', orgUnitId: null })).toEqual({});
  });
});

describe('market edits', () => {
  const market = {
    id: 1, name: 'Chợ Hôm', address: null, lat: 21.01, lon: 105.85, market_class: '3', org_unit_id: 4,
    opened_on: '2000-01-01', closed_on: null,
  };
  const formOf = (m) => ({ ...m, lat: String(m.lat), lon: String(m.lon), address: m.address ?? '', closed_on: m.closed_on ?? '' });

  it('sends only what changed, typed', () => {
    expect(admin.marketChanges(market, formOf(market))).toEqual({ changes: {}, errors: {} });
    const form = { ...formOf(market), name: ' Chợ Hôm – Đức Viên ', lat: '21,0153', closed_on: '2024-06-30', org_unit_id: 9 };
    expect(admin.marketChanges(market, form)).toEqual({
      changes: { name: 'Chợ Hôm – Đức Viên', lat: 21.0153, org_unit_id: 9, closed_on: '2024-06-30' }, errors: {},
    });
  });

  it('sends "Hiệu lực từ ngày" only with a unit change, and only when set', () => {
    const moved = { ...formOf(market), org_unit_id: 9 };
    expect(admin.marketChanges(market, moved).changes).toEqual({ org_unit_id: 9 });
    expect(admin.marketChanges(market, { ...moved, org_unit_from: '2025-07-01' }).changes).toEqual({ org_unit_id: 9, org_unit_from: '2025-07-01' });
    expect(admin.marketChanges(market, { ...formOf(market), org_unit_from: '2025-07-01' }).changes).toEqual({});
    expect(admin.marketChanges(market, { ...moved, org_unit_from: '1/7/2025' }).errors).toEqual({ org_unit_from: 'admin.error.date' });
  });

  it('names bad fields as the server would', () => {
    const { errors } = admin.marketChanges(market, { ...formOf(market), name: ' ', lat: '95', closed_on: '1999-12-31' });
    expect(errors).toEqual({ name: 'admin.error.required', lat: 'admin.error.lat', closed_on: 'admin.error.closedBeforeOpened' });
    expect(admin.marketChanges(market, { ...formOf(market), lon: '' }).errors).toEqual({ lon: 'admin.error.latLonBoth' });
    expect(admin.marketChanges(market, { ...formOf(market), lat: '', lon: '' }).changes).toEqual({ lat: null, lon: null });
  });

  it('closes on today in Hanoi', () => {
    expect(admin.hanoiToday(new Date('2024-03-31T17:30:00Z'))).toBe('2024-04-01');
    expect(admin.hanoiToday(new Date('2024-03-31T16:59:00Z'))).toBe('2024-03-31');
  });
});

describe("the API's error shape", () => {
  it('puts field messages next to the form fields, the rest in a box', () => {
    const err = { status: 422, code: 'validation_failed', fields: { username: ['Already taken.'], extra: 'Unknown field.' } };
    expect(admin.fieldErrors(err, ['username', 'password'])).toEqual({ fields: { username: ['Already taken.'] }, other: ['Unknown field.'] });
  });

  it('lists import errors by line number', () => {
    const err = { fields: { 'line 12': ['bad lat'], 'line 3': ['unknown org_unit_code', 'bad class'], file: ['x'] } };
    expect(admin.lineErrors(err)).toEqual([
      { line: 0, messages: ['x'] },
      { line: 3, messages: ['unknown org_unit_code', 'bad class'] },
      { line: 12, messages: ['bad lat'] },
    ]);
  });

  it('has a sentence for errors without a field', () => {
    expect(admin.errorKey({ name: 'NetworkError', code: 'network_error' })).toBe('admin.error.network');
    expect(admin.errorKey({ status: 401, code: 'token_revoked' })).toBe('admin.error.signedOut');
    expect(admin.errorKey({ status: 409, code: 'last_admin' })).toBe('admin.error.lastAdmin');
    expect(admin.errorKey({ status: 422, code: 'validation_failed' })).toBeNull();
  });
});

describe('org units', () => {
  const units = [
    { id: 3, code: 'HN-BD-01', name: 'Phường Phúc Xá', level: 'ward', parent_id: 2 },
    { id: 1, code: 'HN', name: 'Thành phố Hà Nội', level: 'city', parent_id: null },
    { id: 4, code: 'HN-HK', name: 'Quận Hoàn Kiếm', level: 'district', parent_id: 1 },
    { id: 2, code: 'HN-BD', name: 'Quận Ba Đình', level: 'district', parent_id: 1 },
    { id: 5, code: 'HN-HK-02', name: 'Phường Đồng Xuân', level: 'ward', parent_id: 4 },
  ];

  it('orders the tree parents first, children by code, with depths', () => {
    expect(admin.unitTree(units).map(({ unit, depth }) => `${depth}:${unit.code}`)).toEqual([
      '0:HN', '1:HN-BD', '2:HN-BD-01', '1:HN-HK', '2:HN-HK-02',
    ]);
  });

  it('finds units with or without diacritics, labelled with their district', () => {
    expect(admin.searchUnits(units, 'dong xuan').map((r) => r.label)).toEqual(['Phường Đồng Xuân — Quận Hoàn Kiếm']);
    expect(admin.searchUnits(units, 'hn-bd').map((r) => r.unit.id)).toEqual([2, 3]);
    expect(admin.searchUnits(units, '')).toHaveLength(5);
    expect(admin.searchUnits(units, 'Quận Ba Đình')[0].label).toBe('Quận Ba Đình'); // no "— Thành phố"
  });
});
