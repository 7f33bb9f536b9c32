// saveVisit / editVisit: validation, one durable transaction, outbox order, edit rules.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { OK_ANSWERS, draft, fakePhoto, form, resetDb } from './helpers.js';
import validExamples from '../../../shared_schema/examples/answers_valid.json';
import invalidExamples from '../../../shared_schema/examples/answers_invalid.json';
import { S, closeDb, openDb, write } from '../../src/data/db.js';
import { StorageFullError, ValidationError, VisitNotEditableError } from '../../src/data/errors.js';
import { claimBatch, listOutbox } from '../../src/data/outbox.js';
import { editVisit, getVisit, listVisits, saveVisit } from '../../src/data/visits.js';

function expand(value) {
  if (Array.isArray(value)) return value.map(expand);
  if (value !== null && typeof value === 'object') {
    if (Object.keys(value).sort().join() === '$repeat,times') return value.$repeat.repeat(value.times);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expand(v)]));
  }
  return value;
}

beforeEach(resetDb);
afterEach(() => vi.restoreAllMocks());

describe('saveVisit validation (shared_schema examples)', () => {
  it.each(validExamples.map((e) => [e.name, e]))('valid %s is saved', async (_name, example) => {
    const id = await saveVisit(draft({ answers: expand(example.answers) }));
    const visit = await getVisit(id);
    expect(visit.state).toBe('pending');
    expect(visit.answers).toEqual(expand(example.answers));
    const [mutation] = await listOutbox();
    expect(mutation.data.answers).toEqual(expand(example.answers));
  });

  it.each(invalidExamples.map((e) => [e.name, e]))('invalid %s is refused, nothing stored', async (_name, example) => {
    const error = await saveVisit(draft({ answers: expand(example.answers) })).catch((err) => err);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.errors[example.expect.field].map((e) => e.rule)).toContain(example.expect.rule);
    expect(error.fields[example.expect.field][0]).toBeTypeOf('string');
    expect(await listVisits()).toEqual([]);
    expect(await listOutbox()).toEqual([]);
  });

  it('refuses a missing market, a time without offset, bad location and too many photos', async () => {
    const photos = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => fakePhoto(`p${n}`)));
    const error = await saveVisit(draft({ market_id: null, observed_at: '2023-03-01T08:30:00', location: { lat: 200, lon: 0 }, photos })).catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(Object.keys(error.fields).sort()).toEqual(['location', 'market_id', 'observed_at', 'photos']);
    expect(await listVisits()).toEqual([]);
  });
});

describe('saveVisit', () => {
  it('writes photo, visit and mutation; durable across a fresh openDb', async () => {
    const photo = await fakePhoto();
    const id = await saveVisit(draft({ photos: [photo] }));
    await closeDb(); // as if the app was killed and started again
    const db = await openDb();
    const visit = await db.get(S.visits, id);
    expect(visit).toMatchObject({ id, state: 'pending', rev: null, market_id: 1, photos: [photo.sha256] });
    const stored = await db.get(S.photos, photo.sha256);
    expect(stored).toMatchObject({ sha256: photo.sha256, type: 'image/jpeg', size: photo.size, uploaded: false });
    expect(await stored.blob.text()).toBe(await photo.blob.text());
    const [mutation] = await db.getAll(S.outbox);
    expect(mutation).toMatchObject({ type: 'visit.upsert', visitId: id, attempts: 0 });
    expect(mutation.data).toEqual({
      id,
      base_rev: null,
      market_id: 1,
      form_version: form.version,
      observed_at: '2023-03-01T08:30:00+07:00',
      answers: OK_ANSWERS,
      location: { lat: 21.03, lon: 105.85, accuracy_m: 12 },
      attachments: [photo.sha256],
    });
    expect(mutation.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('keeps the outbox in save order (seq), whatever the ids', async () => {
    const ids = [];
    for (let i = 0; i < 12; i += 1) ids.push(await saveVisit(draft({ answers: { ...OK_ANSWERS, stalls_total: 10 + i } })));
    const outbox = await listOutbox();
    expect(outbox.map((m) => m.visitId)).toEqual(ids);
    expect(outbox.map((m) => m.seq)).toEqual([...outbox.map((m) => m.seq)].sort((a, b) => a - b));
    expect((await claimBatch(5)).map((m) => m.visitId)).toEqual(ids.slice(0, 5));
  });

  it('fills observed_at with local time and offset when absent', async () => {
    const id = await saveVisit(draft({ observed_at: undefined }));
    expect((await getVisit(id)).observed_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
  });

  it('saving the same id twice (double tap) keeps one visit and one create', async () => {
    const id = crypto.randomUUID();
    await Promise.all([saveVisit(draft({ id })), saveVisit(draft({ id, answers: { ...OK_ANSWERS, stalls_total: 41 } }))]);
    expect((await listVisits()).length).toBe(1);
    const outbox = await listOutbox();
    expect(outbox).toHaveLength(1);
    expect(outbox[0].data.base_rev).toBeNull();
  });

  it('a full disk throws StorageFullError and writes nothing', async () => {
    const photo = await fakePhoto();
    const real = IDBObjectStore.prototype.put;
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function put(...args) {
      if (this.name === S.photos) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return real.apply(this, args);
    });
    await expect(saveVisit(draft({ photos: [photo] }))).rejects.toBeInstanceOf(StorageFullError);
    vi.restoreAllMocks();
    const db = await openDb();
    expect(await db.getAll(S.visits)).toEqual([]);
    expect(await db.getAll(S.outbox)).toEqual([]);
    expect(await db.getAll(S.photos)).toEqual([]);
    expect(await db.get(S.meta, 'outboxSeq')).toBeUndefined();
  });
});

describe('editVisit', () => {
  it('folds an edit into a create that was never sent', async () => {
    const id = await saveVisit(draft());
    const photo = await fakePhoto('new');
    await editVisit(id, { answers: { ...OK_ANSWERS, stalls_using_nondegradable: 3 }, photos: [photo] });
    const outbox = await listOutbox();
    expect(outbox).toHaveLength(1);
    expect(outbox[0].data).toMatchObject({ base_rev: null, answers: { stalls_using_nondegradable: 3 }, attachments: [photo.sha256] });
    expect((await getVisit(id)).photos.map((p) => p.sha256)).toEqual([photo.sha256]);
  });

  it('never changes a mutation that may have reached the server: queues a new one on its rev', async () => {
    const id = await saveVisit(draft());
    const [sent] = await claimBatch(); // sent once: the answer never came
    await editVisit(id, { answers: { ...OK_ANSWERS, stalls_total: 99 } });
    const outbox = await listOutbox();
    expect(outbox).toHaveLength(2);
    expect(outbox[0]).toMatchObject({ id: sent.id, data: sent.data });
    expect(outbox[1].data).toMatchObject({ base_rev: 1, answers: { stalls_total: 99 } });
  });

  it('editing a returned visit uses the server rev', async () => {
    const id = await saveVisit(draft());
    await write([S.outbox, S.visits], async (tx) => {
      await tx.objectStore(S.outbox).clear();
      const visit = await tx.objectStore(S.visits).get(id);
      await tx.objectStore(S.visits).put({ ...visit, state: 'returned', rev: 3 });
    });
    await editVisit(id, { answers: { ...OK_ANSWERS, notes: 'Đã bổ sung' } });
    const [mutation] = await listOutbox();
    expect(mutation.data).toMatchObject({ id, base_rev: 3, answers: { notes: 'Đã bổ sung' } });
    expect((await getVisit(id)).state).toBe('pending');
  });

  it('keeps unchanged fields and already stored photos', async () => {
    const photo = await fakePhoto();
    const id = await saveVisit(draft({ photos: [photo] }));
    const visit = await getVisit(id);
    await editVisit(id, { answers: { ...OK_ANSWERS, stalls_total: 50 }, photos: visit.photos });
    const [mutation] = await listOutbox();
    expect(mutation.data).toMatchObject({ market_id: 1, observed_at: '2023-03-01T08:30:00+07:00', attachments: [photo.sha256] });
  });

  it('refuses approved/rejected visits and invalid answers, changing nothing', async () => {
    const id = await saveVisit(draft());
    await expect(editVisit(id, { answers: { ...OK_ANSWERS, stalls_total: 0 } })).rejects.toBeInstanceOf(ValidationError);
    await write([S.visits], async (tx) => {
      const visit = await tx.objectStore(S.visits).get(id);
      await tx.objectStore(S.visits).put({ ...visit, state: 'approved', rev: 2 });
    });
    await expect(editVisit(id, { answers: OK_ANSWERS })).rejects.toBeInstanceOf(VisitNotEditableError);
    await expect(editVisit('nope', {})).rejects.toBeInstanceOf(VisitNotEditableError);
    expect((await listOutbox())[0].data.answers).toEqual(OK_ANSWERS);
  });
});
