// An in-memory stand-in for src/data/index.js with the same function names, for looking at the
// screens (screenshot builds alias ../data/index.js to this file). Never part of the app bundle.
// ?fake=<scenario> in the page URL picks a scenario: empty, offline, expired, lowstorage, syncing.

const scenario = new URLSearchParams(globalThis.location?.search ?? '').get('fake') ?? 'default';

export class StorageFullError extends Error {
  constructor() {
    super('Bộ nhớ điện thoại đã đầy');
    this.name = 'StorageFullError';
  }
}

const units = [
  { id: 1, code: 'HN', name: 'Thành phố Hà Nội', level: 'city', parent_id: null },
  { id: 10, code: 'HN-HBT', name: 'Quận Hai Bà Trưng', level: 'district', parent_id: 1 },
  { id: 11, code: 'HN-HK', name: 'Quận Hoàn Kiếm', level: 'district', parent_id: 1 },
  { id: 12, code: 'HN-BD', name: 'Quận Ba Đình', level: 'district', parent_id: 1 },
  { id: 100, code: 'HN-HBT-01', name: 'Phường Phố Huế', level: 'ward', parent_id: 10 },
  { id: 101, code: 'HN-HK-02', name: 'Phường Đồng Xuân', level: 'ward', parent_id: 11 },
  { id: 102, code: 'HN-HK-01', name: 'Phường Hàng Bạc', level: 'ward', parent_id: 11 },
  { id: 103, code: 'HN-BD-03', name: 'Phường Ngọc Hà', level: 'ward', parent_id: 12 },
  { id: 104, code: 'HN-HBT-02', name: 'Phường Bách Khoa', level: 'ward', parent_id: 10 },
];

const named = [
  ['Chợ Hôm', 100, 21.0165, 105.8515, '1'],
  ['Chợ Đồng Xuân', 101, 21.0385, 105.8495, '1'],
  ['Chợ Hàng Da', 102, 21.0312, 105.8468, '2'],
  ['Chợ Bắc Qua', 101, 21.0392, 105.8503, '2'],
  ['Chợ Ngọc Hà', 103, 21.0382, 105.8262, '3'],
  ['Chợ Bách Khoa', 104, 21.0052, 105.8468, '2'],
  ['Chợ Mơ', 104, 20.9962, 105.8515, '1'],
  ['Chợ Hoàng Hoa Thám', 103, 21.0431, 105.8218, 'unclassified'],
];
const markets = named.map(([name, org, lat, lon, cls], i) => ({
  id: i + 1,
  code: `M${String(i + 1).padStart(3, '0')}`,
  name,
  org_unit_id: org,
  address: '',
  lat,
  lon,
  market_class: cls,
  opened_on: '2000-01-01',
  closed_on: null,
}));
for (let i = 0; i < 40; i += 1) {
  markets.push({
    id: 100 + i,
    code: `X${i}`,
    name: `Chợ dân sinh số ${i + 1}`,
    org_unit_id: [100, 101, 102, 103, 104][i % 5],
    address: '',
    lat: 21.0 + (i % 7) * 0.006,
    lon: 105.8 + (i % 11) * 0.005,
    market_class: ['3', '3', '2', 'unclassified'][i % 4],
    opened_on: '2000-01-01',
    closed_on: null,
  });
}

const day = (d, h = 8, m = 30) => new Date(2023, 2, d, h, m).toISOString();
const base = { stalls_total: 40, alternatives: ['paper_bag'], signage_present: true, outreach_held: true };
let visits = [
  { id: 'v1', market_id: 1, state: 'returned', observed_at: day(6), answers: { ...base, stalls_using_nondegradable: 3 }, location: { lat: 21.0166, lon: 105.8514, accuracy_m: 9 }, photos: [], review: { decision: 'return', comment: 'Thiếu ảnh biển tuyên truyền ở cổng chính. Chụp bổ sung rồi gửi lại.' } },
  { id: 'v2', market_id: 2, state: 'pending', observed_at: day(8), answers: { ...base, stalls_using_nondegradable: 0 }, location: null, photos: [] },
  { id: 'v3', market_id: 3, state: 'sent', observed_at: day(7), answers: { ...base, stalls_using_nondegradable: 5 }, location: null, photos: [] },
  { id: 'v4', market_id: 5, state: 'approved', observed_at: day(2), answers: { ...base, stalls_using_nondegradable: 0 }, location: null, photos: [], review: { decision: 'approve', comment: '' } },
  { id: 'v5', market_id: 6, state: 'rejected', observed_at: day(1), answers: { ...base, stalls_using_nondegradable: 12 }, location: null, photos: [], review: { decision: 'reject', comment: 'Kiểm tra trùng với lượt ngày 28/02.' } },
  { id: 'v6', market_id: 7, state: 'refused', observed_at: day(4), answers: { ...base, stalls_using_nondegradable: 1 }, location: null, photos: [], error: { code: 'validation_failed', message: 'Chợ không thuộc địa bàn được giao.', fields: { market_id: ['Market is outside your scope.'] } } },
];
if (scenario === 'empty') visits = [];

let session = scenario === 'loggedout' || scenario === 'expired' ? null : { user: { id: 7, username: 'kiemtra01', display_name: 'Nguyễn Thị Lan', role: 'inspector' }, token: 't' };
if (scenario === 'expired') {
  try {
    localStorage.setItem('cho-xanh.user', JSON.stringify({ id: 7, username: 'kiemtra01', display_name: 'Nguyễn Thị Lan' }));
  } catch {
    /* ignore */
  }
}

let status = {
  online: scenario !== 'offline' && scenario !== 'expired',
  syncing: scenario === 'syncing',
  progress: scenario === 'syncing' ? { done: 2, total: 5 } : null,
  pending: visits.filter((v) => v.state === 'pending').length + (scenario === 'expired' ? 2 : 0),
  lastSyncedAt: day(8, 8, 42),
  lastError: null,
  needsLogin: scenario === 'expired',
};
const listeners = new Set();
const emit = () => listeners.forEach((cb) => cb({ ...status }));
const later = (value, ms = 30) => new Promise((resolve) => setTimeout(() => resolve(value), ms));

export function currentSession() {
  return later(session, 5);
}
export async function login(username, password) {
  await later(null, 300);
  if (!navigator.onLine) throw Object.assign(new TypeError('Failed to fetch'), { name: 'NetworkError', code: 'network_error' });
  if (username === 'locked') throw Object.assign(new Error('Too many'), { status: 429, code: 'rate_limited' });
  if (password !== 'demo') throw Object.assign(new Error('bad'), { status: 401, code: 'invalid_credentials' });
  session = { user: { id: 7, username, display_name: 'Nguyễn Thị Lan', role: 'inspector' }, token: 't' };
  status = { ...status, needsLogin: false, online: true };
  emit();
  return session.user;
}
export async function logout() {
  session = null;
}
export const listMarkets = () => later(scenario === 'nomarkets' ? [] : markets);
export const listOrgUnits = () => later(units);
export const getForm = () => later(null);
export const listVisits = () => later(visits.map((v) => ({ ...v })));
export const getVisit = (id) => later(visits.find((v) => v.id === id) ?? null);
export async function preparePhoto(file) {
  const blob = new Blob([await file.arrayBuffer()], { type: 'image/jpeg' });
  return { blob, sha256: `${Math.random().toString(16).slice(2)}`.padEnd(64, '0'), type: 'image/jpeg', size: blob.size };
}
export async function saveVisit(draft) {
  await later(null, 200);
  if (scenario === 'full') throw new StorageFullError();
  const id = `v${visits.length + 1}`;
  visits.push({ ...draft, id, state: 'pending' });
  status = { ...status, pending: status.pending + 1 };
  emit();
  return id;
}
export async function editVisit(id, changes) {
  await later(null, 200);
  const v = visits.find((x) => x.id === id);
  Object.assign(v, changes, { state: 'pending' });
  emit();
}
export function subscribe(cb) {
  listeners.add(cb);
  cb({ ...status });
  return () => listeners.delete(cb);
}
export async function syncNow() {
  status = { ...status, syncing: true, progress: { done: 0, total: 3 } };
  emit();
  for (let i = 1; i <= 3; i += 1) {
    await later(null, 400);
    status = { ...status, progress: { done: i, total: 3 } };
    emit();
  }
  status = { ...status, syncing: false, progress: null, lastSyncedAt: new Date().toISOString() };
  emit();
}
export function startAutoSync() {}
export const requestPersistence = () => later(true);
export const storageEstimate = () => later({ usage: 1, quota: 2, low: scenario === 'lowstorage' });
