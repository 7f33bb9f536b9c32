// Test support for the data layer: an in-memory IndexedDB (fake-indexeddb) and a small fake of
// the HTTP API v1 (DESIGN §5) behind a fetch function. Only the network is faked: the data layer
// under test runs unchanged against IndexedDB.
import 'fake-indexeddb/auto';

import form from '../../../shared_schema/forms/market_visit-2023.1.json';
import { deleteDb } from '../../src/data/db.js';
import { createApi } from '../../src/data/api.js';
import { ruleErrors } from '../../src/shared/formValidator.js';

export { form };

export const OK_ANSWERS = Object.freeze({ stalls_total: 40, stalls_using_nondegradable: 0, signage_present: true, outreach_held: false });

export const resetDb = () => deleteDb();

export const draft = (overrides = {}) => ({
  market_id: 1,
  answers: { ...OK_ANSWERS },
  observed_at: '2023-03-01T08:30:00+07:00',
  location: { lat: 21.03, lon: 105.85, accuracy_m: 12 },
  photos: [],
  ...overrides,
});

export async function fakePhoto(text = 'photo') {
  const bytes = new TextEncoder().encode(`\xff\xd8${text}`);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  const sha256 = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
  return { blob: new Blob([bytes], { type: 'image/jpeg' }), sha256, type: 'image/jpeg', size: bytes.length };
}

const canonical = (value) =>
  JSON.stringify(value, (key, v) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]])) : v));

const json = (status, body) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
const fail = (status, code, message = code, fields) => json(status, { error: { code, message, ...(fields ? { fields } : {}) } });

/**
 * The fake server. State: users, markets, org units, visits, applied mutations, a change log.
 * Faults: server.faults.push({path, kind}) — kind 'network' (no answer), 'lost' (handled, then
 * the answer is lost), or an HTTP status number; each fault is used once, first match wins.
 */
export function createServer() {
  const s = {
    requests: [],
    faults: [],
    tokens: new Map([['good-token', 7]]),
    users: { inspector: { id: 7, username: 'inspector', display_name: 'Thanh tra', role: 'inspector', org_unit_id: 10 }, other: { id: 8, username: 'other', display_name: 'Người khác', role: 'inspector', org_unit_id: 10 }, officer: { id: 9, username: 'officer', display_name: 'Cán bộ phường', role: 'ward_officer', org_unit_id: 10 }, city: { id: 11, username: 'city', display_name: 'Thành phố', role: 'city_officer', org_unit_id: null } },
    orgUnits: new Map([[10, { id: 10, code: 'HN', name: 'Hà Nội', level: 'city', parent_id: null }]]),
    markets: new Map([1, 2, 3].map((id) => [id, { id, code: `M${id}`, name: `Chợ ${id}`, org_unit_id: 10, address: '', lat: 21, lon: 105.8, market_class: '3', opened_on: null, closed_on: null }])),
    visits: new Map(),
    applied: new Map(), // mutation id → {hash, result}
    attachments: new Map(),
    log: [], // change log: {seq, entity, id}
    purgedThrough: 0,
  };
  s.log.push(...[...s.orgUnits.keys()].map((id) => ({ entity: 'org_unit', id })), ...[...s.markets.keys()].map((id) => ({ entity: 'market', id })));
  s.log.forEach((e, i) => (e.seq = i + 1));
  const change = (entity, id) => s.log.push({ seq: s.log.length + 1, entity, id });
  const current = (entity, id) => {
    const table = { org_unit: s.orgUnits, market: s.markets, visit: s.visits, form: new Map([[`market_visit@${form.version}`, form]]) }[entity];
    const data = table.get(id);
    return data ? { entity, op: 'upsert', id, rev: data.rev ?? 1, data: structuredClone(data) } : { entity, op: 'delete', id, rev: 0, data: null };
  };

  s.setMarket = (market) => {
    s.markets.set(market.id, market);
    change('market', market.id);
  };
  s.deleteMarket = (id) => {
    s.markets.delete(id);
    change('market', id);
  };
  /** A ward officer's decision: bumps rev, sets status, logs a change. */
  s.review = (visitId, decision, comment = 'Bổ sung ảnh') => {
    const v = s.visits.get(visitId);
    const status = { approve: 'approved', return: 'returned', reject: 'rejected' }[decision];
    Object.assign(v, { rev: v.rev + 1, status, review: { decision, comment, reviewer_id: 3, decided_at: '2023-03-02T01:00:00Z' } });
    change('visit', visitId);
  };
  /** Puts a submitted visit on the server as if an inspector had sent it (review tests). */
  s.addVisit = (id, overrides = {}) => {
    s.visits.set(id, { id, rev: 1, market_id: 1, inspector_id: 7, device_id: 'd', form_version: form.version, observed_at: '2023-03-01T08:30:00+07:00', received_at: '2023-03-01T02:00:00Z', answers: { ...OK_ANSWERS }, location: null, attachments: [], missing_attachments: [], compliant: true, distance_m: null, status: 'submitted', review: null, ...overrides });
    change('visit', id);
  };
  s.expireCursors = () => (s.purgedThrough = s.log.length);

  function upsert(userId, data) {
    const existing = s.visits.get(data.id);
    if (!s.markets.has(Number(data.market_id))) return { status: 'rejected', error: { code: 'validation_failed', message: 'Some fields are not valid.', fields: { market_id: ['Unknown market.'] } } };
    const answerErrors = ruleErrors(form, data.answers);
    if (Object.keys(answerErrors).length) {
      const fields = Object.fromEntries(Object.entries(answerErrors).map(([k, v]) => [`answers.${k}`, v]));
      return { status: 'rejected', error: { code: 'validation_failed', message: 'Some fields are not valid.', fields } };
    }
    const base = { market_id: Number(data.market_id), form_version: data.form_version, observed_at: data.observed_at, answers: data.answers, location: data.location, attachments: data.attachments, missing_attachments: data.attachments.filter((a) => !s.attachments.has(a)), compliant: data.answers.stalls_using_nondegradable === 0, distance_m: null };
    if (data.base_rev === null) {
      if (existing) return { status: 'conflict', record: structuredClone(existing), error: { code: 'already_exists', message: 'exists' } };
      s.visits.set(data.id, { id: data.id, rev: 1, inspector_id: userId, device_id: 'd', received_at: '2023-03-01T02:00:00Z', status: 'submitted', review: null, ...base });
    } else {
      if (!existing) return { status: 'rejected', error: { code: 'not_found', message: 'There is no such visit of yours to edit.' } };
      if (!['submitted', 'returned'].includes(existing.status)) return { status: 'conflict', record: structuredClone(existing), error: { code: 'locked', message: 'locked' } };
      if (existing.rev !== data.base_rev) return { status: 'conflict', record: structuredClone(existing), error: { code: 'stale_rev', message: 'stale' } };
      Object.assign(existing, base, { rev: existing.rev + 1, status: 'submitted' });
    }
    change('visit', data.id);
    return { status: 'applied', record: structuredClone(s.visits.get(data.id)) };
  }

  const REVIEW = { approve: [['submitted'], 'approved'], return: [['submitted'], 'returned'], reject: [['submitted'], 'rejected'], reopen: [['approved', 'rejected'], 'submitted'] };

  function decide(userId, data) {
    const v = s.visits.get(data.visit_id);
    if (!v) return { status: 'rejected', error: { code: 'not_found', message: 'There is no such visit in your area.' } };
    if (data.decision !== 'approve' && !data.comment) return { status: 'rejected', error: { code: 'validation_failed', message: 'Some fields are not valid.', fields: { comment: ['A comment is required.'] } } };
    if (v.rev !== data.base_rev) return { status: 'conflict', record: structuredClone(v), error: { code: 'stale_rev', message: 'Someone changed or decided this visit first.' } };
    const [from, to] = REVIEW[data.decision];
    if (!from.includes(v.status)) return { status: 'conflict', record: structuredClone(v), error: { code: 'invalid_transition', message: 'invalid' } };
    Object.assign(v, { rev: v.rev + 1, status: to, review: { decision: data.decision, comment: data.comment ?? null, reviewer_id: userId, decided_at: '2023-03-02T01:00:00Z' } });
    change('visit', v.id);
    return { status: 'applied', record: structuredClone(v) };
  }

  function push(userId, body) {
    if (body.mutations.length > (s.maxMutations ?? 500)) return fail(413, 'too_many_mutations');
    const results = body.mutations.map((m) => {
      const hash = canonical({ type: m.type, data: m.data });
      const seen = s.applied.get(m.id);
      if (seen) return seen.hash === hash ? { ...seen.result, status: 'duplicate' } : { id: m.id, status: 'rejected', record: null, error: { code: 'mutation_id_reused', message: 'reused' } };
      const outcome = m.type === 'review.decide' ? decide(userId, m.data) : upsert(userId, m.data);
      const result = { id: m.id, record: null, ...outcome };
      if (outcome.status === 'applied') s.applied.set(m.id, { hash, result });
      return result;
    });
    return json(200, { results });
  }

  function pull(url) {
    const cursor = url.searchParams.get('cursor');
    const limit = Number(url.searchParams.get('limit') ?? 500);
    let changes;
    let after;
    if (!cursor) {
      after = s.log.length;
      changes = [current('form', `market_visit@${form.version}`), ...[...s.orgUnits.keys()].map((id) => current('org_unit', id)), ...[...s.markets.keys()].map((id) => current('market', id)), ...[...s.visits.keys()].map((id) => current('visit', id))];
      return json(200, { changes, cursor: `inc:${after}`, has_more: false });
    }
    after = Number(cursor.split(':')[1]);
    if (after < s.purgedThrough) return fail(410, 'cursor_expired', 'This cursor is too old; pull again from scratch.');
    const rows = s.log.filter((e) => e.seq > after).slice(0, limit);
    const latest = new Map(rows.map((e) => [`${e.entity}:${e.id}`, e]));
    changes = [...latest.values()].map((e) => current(e.entity, e.id));
    const next = rows.length ? rows.at(-1).seq : after;
    return json(200, { changes, cursor: `inc:${next}`, has_more: s.log.some((e) => e.seq > next) });
  }

  async function handle(method, url, init) {
    const path = url.pathname.replace(/^\/api\/v1/, '');
    if (method === 'POST' && path === '/auth/token') {
      const body = JSON.parse(init.body);
      const user = s.users[body.username];
      if (!user || body.password !== 'pw') return fail(401, 'invalid_credentials', 'Wrong username or password.');
      const token = `tok-${user.id}-${s.tokens.size}`;
      s.tokens.set(token, user.id);
      return json(201, { token, expires_at: '2099-01-01T00:00:00Z', user });
    }
    const userId = s.tokens.get((init.headers?.Authorization ?? '').replace('Bearer ', ''));
    if (!userId) return fail(401, 'unauthorized', 'Sign in again.');
    if (method === 'DELETE' && path === '/auth/token') return new Response(null, { status: 204 });
    const photo = /^\/attachments\/([0-9a-f]{64})$/.exec(path);
    if (photo && method === 'HEAD') return new Response(null, { status: s.attachments.has(photo[1]) ? 200 : 404 });
    if (photo && method === 'PUT') {
      const bytes = new Uint8Array(await init.body.arrayBuffer());
      const digest = Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)), (b) => b.toString(16).padStart(2, '0')).join('');
      if (digest !== photo[1]) return fail(422, 'hash_mismatch');
      const known = s.attachments.has(digest);
      s.attachments.set(digest, { type: init.headers['Content-Type'], bytes });
      return json(known ? 200 : 201, { sha256: digest });
    }
    if (method === 'POST' && path === '/sync/push') return push(userId, JSON.parse(init.body));
    if (method === 'GET' && path === '/sync/pull') return pull(url);
    return fail(404, 'not_found');
  }

  s.fetch = async (input, init = {}) => {
    const method = init.method ?? 'GET';
    const url = new URL(input, 'http://phone.test');
    const path = url.pathname.replace(/^\/api\/v1/, '');
    s.requests.push({ method, path, body: typeof init.body === 'string' ? JSON.parse(init.body) : init.body, headers: init.headers });
    const index = s.faults.findIndex((f) => !f.path || f.path === path);
    const fault = index >= 0 ? s.faults.splice(index, 1)[0] : null;
    if (fault?.kind === 'network') throw new TypeError('Failed to fetch');
    if (typeof fault?.kind === 'number') return fail(fault.kind, `http_${fault.kind}`, 'injected');
    const response = await handle(method, url, init);
    if (fault?.kind === 'lost') throw new TypeError('Failed to fetch (answer lost)');
    return response;
  };
  s.api = createApi({ fetch: (...args) => s.fetch(...args) });
  s.pushes = () => s.requests.filter((r) => r.path === '/sync/push');
  return s;
}
