// Recording and editing visits. Every save writes the photos, the visit and its mutation in ONE
// IndexedDB transaction and resolves only once that transaction has committed: when the screen
// says "Đã lưu", the visit survives a crash, a reload or a service-worker update. If anything
// fails (a full disk included) the transaction aborts and nothing of it is kept.
import { reviewRules } from '../shared/reviewRules.js';
import { S, openDb, read, write } from './db.js';
import { ValidationError, VisitNotEditableError } from './errors.js';
import { enqueue, mutationsOf } from './outbox.js';
import { getForm } from './reference.js';
import { checkVisit, isUuid } from './visitInput.js';

/** States (DESIGN §6 as the phone sees it). `refused`: the server rejected the mutation. */
export const STATES = Object.freeze(['pending', 'sent', 'returned', 'approved', 'rejected', 'conflict', 'refused']);
/** Approved and rejected visits are locked for inspectors (DESIGN §6; shared_schema/review.json). */
export const LOCKED_STATES = reviewRules.lockedStatuses;
const EDITABLE = ['market_id', 'observed_at', 'answers', 'location', 'photos'];
const STORES = [S.meta, S.outbox, S.visits, S.photos];

async function formFor(version) {
  const form = await getForm(version ?? undefined);
  if (!form) throw new ValidationError({ form_version: [`Chưa có mẫu phiếu phiên bản ${version}: hãy đồng bộ.`] });
  return form;
}

async function currentUserId() {
  return (await (await openDb()).get(S.meta, 'user'))?.id ?? null;
}

/** Stores new photo blobs (once per hash; an existing row keeps its `uploaded` flag). */
async function putPhotos(tx, photos) {
  const store = tx.objectStore(S.photos);
  for (const photo of photos) {
    if ((await store.getKey(photo.sha256)) !== undefined) continue;
    await store.put({ ...photo, uploaded: false, createdAt: new Date().toISOString() });
  }
}

/** The visit row's copy of the checked fields (the photo list is the `attachments`). */
const visitFields = ({ attachments, ...rest }) => ({ ...rest, photos: attachments });

/**
 * Records a new visit, durably. draft: {id?, market_id, answers, observed_at?, location?,
 * photos: [{blob, sha256, type, size}], form_version?}. Saving again with the same id (a double
 * tap) edits that visit instead of making a second one.
 * @returns {Promise<string>} the visit id
 * @throws {ValidationError} invalid answers or fields (nothing stored)
 * @throws {StorageFullError} the phone is full (nothing stored)
 */
export async function saveVisit(draft) {
  const id = draft.id ?? crypto.randomUUID();
  if (!isUuid(id)) throw new ValidationError({ id: ['Mã lượt kiểm tra không hợp lệ.'] });
  if (draft.id && (await (await openDb()).getKey(S.visits, id)) !== undefined) return editVisit(id, draft);
  const form = await formFor(draft.form_version);
  const { fields, newPhotos } = checkVisit(form, draft);
  const userId = await currentUserId();
  try {
    await write(STORES, async (tx) => {
      await putPhotos(tx, newPhotos);
      const now = new Date().toISOString();
      await tx.objectStore(S.visits).add({
        id,
        userId,
        ...visitFields(fields),
        rev: null,
        state: 'pending',
        record: null,
        review: null,
        error: null,
        held: [],
        createdAt: now,
        updatedAt: now,
      });
      await enqueue(tx, { type: 'visit.upsert', data: { id, base_rev: null, ...fields }, visitId: id, userId });
    });
  } catch (err) {
    // Another save of this id committed first (two taps, two tabs): make this one an edit.
    if (err?.name === 'ConstraintError' && draft.id) return editVisit(id, draft);
    throw err;
  }
  return id;
}

/**
 * Changes a visit that is still on the phone (pending), sent (submitted), returned, refused or
 * in conflict. changes: any of {market_id, observed_at, answers, location, photos}; photos is
 * the whole new list (kept ones as returned by getVisit, new ones as from preparePhoto).
 *
 * If the visit's last queued mutation was never sent, its data is replaced (one create, not a
 * create and an edit). Otherwise a new mutation is queued whose base_rev is the rev the server
 * will have by then: the visit's server rev, or the rev the queued mutation will produce.
 * @returns {Promise<string>} the visit id
 */
export async function editVisit(id, changes = {}) {
  const before = await (await openDb()).get(S.visits, id);
  if (!before) throw new VisitNotEditableError('Không tìm thấy lượt kiểm tra này.', null);
  const form = await formFor(before.form_version);
  const userId = (await currentUserId()) ?? before.userId ?? null;
  await write(STORES, async (tx) => {
    const visits = tx.objectStore(S.visits);
    const visit = await visits.get(id);
    if (LOCKED_STATES.includes(visit.state)) {
      throw new VisitNotEditableError('Lượt kiểm tra đã được duyệt hoặc từ chối, không sửa được nữa.', visit.state);
    }
    const draft = Object.fromEntries(EDITABLE.map((key) => [key, visit[key]]));
    for (const key of EDITABLE) if (changes[key] !== undefined) draft[key] = changes[key];
    const { fields, newPhotos } = checkVisit(form, draft);
    await putPhotos(tx, newPhotos);
    const last = (await mutationsOf(tx, id)).at(-1);
    if (last && last.attempts === 0 && last.type === 'visit.upsert') {
      await tx.objectStore(S.outbox).put({ ...last, data: { id, base_rev: last.data.base_rev, ...fields } });
    } else {
      const baseRev = last ? (last.data.base_rev ?? 0) + 1 : visit.rev;
      await enqueue(tx, { type: 'visit.upsert', data: { id, base_rev: baseRev, ...fields }, visitId: id, userId });
    }
    await visits.put({ ...visit, ...visitFields(fields), state: 'pending', error: null, updatedAt: new Date().toISOString() });
  });
  return id;
}

/** A visit row with its photos resolved to {sha256, type, size, blob|null, uploaded, failed}. */
async function withPhotos(tx, visit) {
  const store = tx.objectStore(S.photos);
  const photos = [];
  for (const sha256 of visit.photos ?? []) {
    const row = await store.get(sha256);
    // No row: a photo only the server has (the visit was recorded on another phone).
    photos.push(
      row
        ? { sha256, type: row.type, size: row.size, blob: row.blob, uploaded: !!row.uploaded, failed: row.failed ?? null }
        : { sha256, type: null, size: null, blob: null, uploaded: true, failed: null },
    );
  }
  return { ...visit, photos };
}

/**
 * Every visit on the phone, newest observation first: {id, market_id, form_version,
 * observed_at, answers, location, photos:[…], rev, state, record, review, error, held, …}.
 */
export async function listVisits() {
  return read([S.visits, S.photos], async (tx) => {
    const rows = await tx.objectStore(S.visits).getAll();
    const visits = [];
    for (const row of rows) visits.push(await withPhotos(tx, row));
    const when = (v) => Date.parse(v.observed_at) || 0; // offsets differ: compare instants, not text
    return visits.sort((a, b) => when(b) - when(a) || String(a.id).localeCompare(String(b.id)));
  });
}

/** One visit (as in listVisits), or null. */
export async function getVisit(id) {
  return read([S.visits, S.photos], async (tx) => {
    const row = await tx.objectStore(S.visits).get(id);
    return row ? withPhotos(tx, row) : null;
  });
}
