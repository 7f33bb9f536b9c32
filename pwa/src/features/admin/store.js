// The admin screens' adapter to the server: online calls to /api/v1/admin/* (admins work at a
// desk with a network; nothing here is queued offline), plus the pure checks and conversions the
// screens share (periods, percent ↔ 0..1, form checks, the API's error shape, the unit tree).
import { apiBlob, apiRequest, getDeviceId } from '../../data/index.js';
import { saveBlob } from '../../shared/dom.js';
import { MARKET_CLASSES, ROLES } from '../../shared/enums.js';
import { fold } from '../../shared/text.js';

export { MARKET_CLASSES, ROLES }; // the API's values, from shared_schema/enums.json
export const SCOPED_ROLES = ['inspector', 'ward_officer']; // they must belong to an org unit
// DESIGN §11: the importers' columns, in this order.
export const IMPORT_COLUMNS = {
  markets: ['code', 'name', 'org_unit_code', 'address', 'lat', 'lon', 'market_class', 'opened_on', 'closed_on'],
  org_units: ['code', 'name', 'level', 'parent_code', 'valid_from', 'valid_to'],
};
export const PAGE_SIZE = 50;

const data = async (promise) => (await promise).data;

/** This browser's device id (to mark "this device" in the list), or null. */
export async function thisDeviceId() {
  try {
    return await getDeviceId();
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------- API calls

/** {users, total}; filters: q, role, org_unit_id, active (true/false). */
export const listUsers = (filters = {}) => data(apiRequest('GET', '/admin/users', { query: cleanQuery(filters) }));
export const getUser = (id) => data(apiRequest('GET', `/admin/users/${encodeURIComponent(id)}`));
export const createUser = (body) => data(apiRequest('POST', '/admin/users', { json: body }));
export const updateUser = (id, changes) => data(apiRequest('PATCH', `/admin/users/${encodeURIComponent(id)}`, { json: changes }));
export const resetPassword = (id, password, revokeDevices = false) =>
  data(apiRequest('POST', `/admin/users/${encodeURIComponent(id)}/password`, { json: { password, revoke_devices: revokeDevices } }));

/** Removes a user's second factor (a lost phone): they sign in with the password alone. */
export const resetTotp = (id) => apiRequest('DELETE', `/admin/users/${encodeURIComponent(id)}/totp`);

/** {devices, total}; filters: user_id, active, limit, offset. */
export const listDevices = (filters = {}) => data(apiRequest('GET', '/admin/devices', { query: cleanQuery(filters) }));
export const revokeDevice = (id) => data(apiRequest('POST', `/admin/devices/${encodeURIComponent(id)}/revoke`));

/** {markets, total}; filters: q, org_unit_id, market_class, open, limit, offset. */
export const listMarkets = (filters = {}) => data(apiRequest('GET', '/admin/markets', { query: cleanQuery(filters) }));
export const getMarket = (id) => data(apiRequest('GET', `/admin/markets/${encodeURIComponent(id)}`));
export const updateMarket = (id, changes) => data(apiRequest('PATCH', `/admin/markets/${encodeURIComponent(id)}`, { json: changes }));

/** {org_units, total}: every unit, flat (see unitTree). */
export const listOrgUnits = () => data(apiRequest('GET', '/admin/org-units'));

/** {dry_run, rows, created, updated}; a bad file rejects with ApiError whose fields are "line N". */
export function importCsv(kind, file, { dryRun }) {
  const path = kind === 'markets' ? '/admin/markets/import' : '/admin/org-units/import';
  const body = new FormData();
  body.append('file', file, file.name || 'import.csv');
  return data(apiRequest('POST', path, { body, query: dryRun ? { dry_run: 1 } : {}, timeoutMs: 120_000 }));
}

/** {events, cursor, has_more}, newest first; filters: action, actor, target_type, since, until, cursor. */
export const listAudit = (filters = {}) => data(apiRequest('GET', '/admin/audit', { query: cleanQuery({ limit: PAGE_SIZE, ...filters }) }));

/** GET /admin/audit.csv with the token and the same filters, saved as a file; its name. */
export async function downloadAuditCsv(filters = {}) {
  const { blob, filename } = await apiBlob('/admin/audit.csv', { query: cleanQuery(filters) });
  const name = filename || 'audit.csv';
  saveBlob(blob, name);
  return name;
}

export const listTargets = () => data(apiRequest('GET', '/admin/targets'));
// The A4 report's letterhead (issuer, number prefix, recipient): read by the city screens too.
export const getReportSettings = () => data(apiRequest('GET', '/reports/settings'));
export const setReportSettings = (body) => data(apiRequest('PUT', '/reports/settings', { json: body }));
export const getAdminSettings = () => data(apiRequest('GET', '/admin/settings'));
export const setSupportContact = (text) => data(apiRequest('PUT', '/admin/settings', { json: { support_contact: text } }));
/** `percent` 0..100 as typed; stored as 0..1. */
export const setTarget = (period, percent, orgUnitId = null) =>
  data(apiRequest('PUT', `/admin/targets/${encodeURIComponent(period)}`, { json: { target: percentToTarget(percent), org_unit_id: orgUnitId } }));

/** Drops empty filters; booleans become 1/0 (what the server's query parser reads). */
export function cleanQuery(filters) {
  const query = {};
  for (const [key, value] of Object.entries(filters)) {
    if (value === '' || value === null || value === undefined) continue;
    query[key] = typeof value === 'boolean' ? (value ? 1 : 0) : value;
  }
  return query;
}

// ---------------------------------------------------------------- periods and targets

const PERIOD = /^\d{4}(-Q[1-4]|-(0[1-9]|1[0-2]))?$/; // as server/admin/schemas.py

/** "2023-q2 " → "2023-Q2" (what people type), then checked. null when it is not a period. */
export function normalizePeriod(text) {
  const value = String(text ?? '').trim().toUpperCase();
  return PERIOD.test(value) ? value : null;
}

/** "95" / "95,5" / 95 → 0.95 / 0.955; null unless 0..100. */
export function percentToTarget(percent) {
  const text = String(percent ?? '').trim().replace(',', '.');
  if (!/^\d+(\.\d+)?$/.test(text)) return null;
  const value = Number(text);
  if (!(value >= 0 && value <= 100)) return null;
  return Math.round(value * 1000) / 100000; // at most 3 decimals of a percent, no 0.1+0.2 noise
}

/** 0.955 → 95.5 (for display and the edit form). */
export function targetToPercent(target) {
  return Math.round(Number(target) * 100000) / 1000;
}

/** {period?, target?} of message keys for the target form. */
export function checkTargetForm({ period, percent }) {
  const errors = {};
  if (!normalizePeriod(period)) errors.period = 'admin.error.period';
  if (percentToTarget(percent) === null) errors.target = 'admin.error.percent';
  return errors;
}

// ---------------------------------------------------------------- users

const USERNAME = /^[A-Za-z0-9._-]{1,64}$/;
export const MIN_PASSWORD = 10; // as the server's MIN_LENGTH (server/auth/passwords.py): the help text said 8

export function checkPassword(password) {
  if (!password) return 'admin.error.required';
  if (password.length < MIN_PASSWORD) return 'admin.error.passwordShort';
  return null;
}

/** Message keys by field for the new-user form (the server checks again). */
export function checkNewUser({ username, role, orgUnitId, password }) {
  const errors = {};
  if (!username) errors.username = 'admin.error.required';
  else if (!USERNAME.test(username)) errors.username = 'admin.error.username';
  if (!ROLES.includes(role)) errors.role = 'admin.error.required';
  if (SCOPED_ROLES.includes(role) && !orgUnitId) errors.org_unit_id = 'admin.error.unitNeeded';
  const weak = checkPassword(password);
  if (weak) errors.password = weak;
  return errors;
}

/** Message keys by field for a change of role / unit. */
export function checkUserChange({ role, orgUnitId }) {
  return SCOPED_ROLES.includes(role) && !orgUnitId ? { org_unit_id: 'admin.error.unitNeeded' } : {};
}

// ---------------------------------------------------------------- markets

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function number(text) {
  const value = String(text ?? '').trim().replace(',', '.');
  return value === '' ? null : Number(value);
}

/**
 * The PATCH body for a market edit: only what changed, typed as the API wants. Returns
 * {changes, errors} where errors are message keys by field.
 * @param {object} market as the server sent it
 * @param {object} form the form's strings: name, address, lat, lon, market_class, org_unit_id, opened_on, closed_on,
 *   org_unit_from (the day the new unit takes effect; sent only with a unit change, and only when
 *   set: the server refuses fields it does not know)
 */
export function marketChanges(market, form) {
  const errors = {};
  const next = {
    name: String(form.name ?? '').trim(),
    address: String(form.address ?? '').trim() || null,
    lat: number(form.lat),
    lon: number(form.lon),
    market_class: form.market_class,
    org_unit_id: form.org_unit_id ? Number(form.org_unit_id) : market.org_unit_id,
    opened_on: form.opened_on || null,
    closed_on: form.closed_on || null,
  };
  if (!next.name) errors.name = 'admin.error.required';
  if (next.lat !== null && !(next.lat >= -90 && next.lat <= 90)) errors.lat = 'admin.error.lat';
  if (next.lon !== null && !(next.lon >= -180 && next.lon <= 180)) errors.lon = 'admin.error.lon';
  if (!errors.lat && !errors.lon && (next.lat === null) !== (next.lon === null)) {
    errors[next.lat === null ? 'lat' : 'lon'] = 'admin.error.latLonBoth';
  }
  if (!MARKET_CLASSES.includes(next.market_class)) errors.market_class = 'admin.error.required';
  for (const key of ['opened_on', 'closed_on']) {
    if (next[key] && !DATE.test(next[key])) errors[key] = 'admin.error.date';
  }
  if (!errors.opened_on && !errors.closed_on && next.opened_on && next.closed_on && next.closed_on < next.opened_on) {
    errors.closed_on = 'admin.error.closedBeforeOpened';
  }
  const changes = {};
  for (const [key, value] of Object.entries(next)) {
    if (value !== (market[key] ?? null)) changes[key] = value;
  }
  const from = String(form.org_unit_from ?? '').trim();
  if ('org_unit_id' in changes && from) {
    if (DATE.test(from)) changes.org_unit_from = from;
    else errors.org_unit_from = 'admin.error.date';
  }
  return { changes, errors };
}

/** Today in Hanoi as YYYY-MM-DD: the default closing date. */
export { hanoiToday } from '../../shared/format.js';

// ---------------------------------------------------------------- the API's error shape

/**
 * Splits an ApiError for a form: `fields` {field: [messages]} for the fields the form has
 * (the server names them as the form does), `other` the messages of anything else.
 */
export function fieldErrors(err, known = []) {
  const fields = {};
  const other = [];
  for (const [key, messages] of Object.entries(err?.fields ?? {})) {
    const list = [].concat(messages).map(String);
    if (known.includes(key)) fields[key] = list;
    else other.push(...list);
  }
  return { fields, other };
}

/** An import's refusal as [{line, messages}] in line order ("line 3" → 3; "file" → 0). */
export function lineErrors(err) {
  return Object.entries(err?.fields ?? {})
    .map(([key, messages]) => {
      const match = /^line (\d+)$/.exec(key);
      return { line: match ? Number(match[1]) : 0, messages: [].concat(messages).map(String) };
    })
    .sort((a, b) => a.line - b.line);
}

/** A message key for errors that need no field: network, signed out, refused, conflicts. */
export function errorKey(err) {
  if (!err) return null;
  if (err.name === 'NetworkError' || err.code === 'network_error') return 'admin.error.network';
  if (err.status === 401) return 'admin.error.signedOut';
  if (err.status === 403) return 'admin.error.forbidden';
  if (err.status === 404) return 'admin.error.notFound';
  const known = { user_exists: 'admin.error.userExists', last_admin: 'admin.error.lastAdmin', conflict: 'admin.error.conflict' };
  return known[err.code] ?? null;
}

// ---------------------------------------------------------------- org units

/** The units in tree order (parents first, children by code) with their depth. */
export function unitTree(units) {
  const byParent = new Map();
  const ids = new Set(units.map((u) => u.id));
  for (const unit of units) {
    const parent = ids.has(unit.parent_id) ? unit.parent_id : null;
    if (!byParent.has(parent)) byParent.set(parent, []);
    byParent.get(parent).push(unit);
  }
  for (const list of byParent.values()) list.sort((a, b) => String(a.code).localeCompare(String(b.code)));
  const out = [];
  const walk = (parent, depth) => {
    for (const unit of byParent.get(parent) ?? []) {
      out.push({ unit, depth });
      walk(unit.id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

/** "Phường Phố Huế — Quận Hai Bà Trưng" (the parent tells apart wards of the same name). */
export function unitLabel(unit, byId) {
  if (!unit) return '';
  const parent = byId.get(unit.parent_id);
  return parent && parent.level !== 'city' ? `${unit.name} — ${parent.name}` : unit.name;
}

/** Units whose code or label matches the query (with or without diacritics), in tree order. */
export function searchUnits(units, query) {
  const byId = new Map(units.map((u) => [u.id, u]));
  const words = fold(query ?? '').split(/\s+/).filter(Boolean);
  return unitTree(units)
    .map(({ unit, depth }) => ({ unit, depth, label: unitLabel(unit, byId) }))
    .filter(({ unit, label }) => {
      const hay = fold(`${unit.code} ${label}`);
      return words.every((w) => hay.includes(w));
    });
}
