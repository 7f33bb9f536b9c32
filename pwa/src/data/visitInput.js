// Turns what the form screen hands over into the exact `data` of a visit.upsert mutation
// (DESIGN §5.1), or refuses it with ValidationError. Checking here what the server would refuse
// means a visit the inspector was told is "saved" is not bounced back as `refused` later for
// something the phone could have said on the spot. Pure functions, no IndexedDB.
import { validateAnswers } from '../shared/formValidator.js';
import { ValidationError } from './errors.js';

export const MAX_PHOTOS = 5;
export const PHOTO_TYPES = Object.freeze(['image/jpeg', 'image/png', 'image/webp']);
const SHA256 = /^[0-9a-f]{64}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ZONED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

const pad = (n) => String(Math.abs(Math.trunc(n))).padStart(2, '0');

/** ISO 8601 in the phone's local time WITH its offset, e.g. 2023-03-01T08:30:00+07:00 (the server refuses times without one). */
export function localIso(date = new Date()) {
  const offset = -date.getTimezoneOffset();
  const local = new Date(date.getTime() + offset * 60_000).toISOString().slice(0, 19);
  return `${local}${offset >= 0 ? '+' : '-'}${pad(offset / 60)}:${pad(offset % 60)}`;
}

export const isUuid = (value) => typeof value === 'string' && UUID.test(value);

function observedAt(value, errors) {
  if (value === undefined || value === null || value === '') return localIso();
  if (value instanceof Date && !Number.isNaN(value.getTime())) return localIso(value);
  if (typeof value === 'string' && ZONED.test(value) && !Number.isNaN(Date.parse(value))) return value;
  errors.observed_at = ['Thời điểm kiểm tra không hợp lệ (cần có múi giờ, ví dụ +07:00).'];
  return null;
}

function marketId(value, errors) {
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
  if (typeof value === 'string' && /^\d+$/.test(value) && Number(value) > 0) return Number(value);
  errors.market_id = ['Hãy chọn chợ.'];
  return null;
}

function location(value, errors) {
  if (value === undefined || value === null) return null;
  const { lat, lon } = value;
  const accuracy = value.accuracy_m ?? value.accuracy ?? null;
  const ok =
    Number.isFinite(lat) && Math.abs(lat) <= 90 && Number.isFinite(lon) && Math.abs(lon) <= 180 &&
    (accuracy === null || (Number.isFinite(accuracy) && accuracy >= 0));
  if (!ok) {
    errors.location = ['Vị trí không hợp lệ.'];
    return null;
  }
  // Only the contract's keys: the mutation is hashed by the server, extra keys are noise.
  return { lat, lon, accuracy_m: accuracy === null ? null : Math.min(accuracy, 100_000) };
}

/**
 * photos: prepared photos {blob, sha256, type, size}, photos already stored ({sha256} or the
 * objects getVisit returned), or bare sha256 strings. → {shas, newPhotos}
 */
function photos(list, errors) {
  const shas = [];
  const newPhotos = [];
  for (const item of list ?? []) {
    const sha = typeof item === 'string' ? item : item?.sha256;
    if (typeof sha !== 'string' || !SHA256.test(sha)) {
      errors.photos = ['Ảnh không hợp lệ.'];
      continue;
    }
    if (shas.includes(sha)) continue; // the same picture twice: the server refuses duplicates
    shas.push(sha);
    if (item && typeof item === 'object' && item.blob instanceof Blob) {
      const type = item.type || item.blob.type;
      if (!PHOTO_TYPES.includes(type)) errors.photos = ['Chỉ nhận ảnh JPEG, PNG hoặc WebP.'];
      newPhotos.push({ sha256: sha, blob: item.blob, type, size: item.size ?? item.blob.size });
    }
  }
  if (shas.length > MAX_PHOTOS) errors.photos = [`Tối đa ${MAX_PHOTOS} ảnh.`];
  return { shas, newPhotos };
}

/**
 * Checks a whole visit (after merging an edit) against `form` and the contract.
 * @returns {{fields: {market_id, form_version, observed_at, answers, location, attachments}, newPhotos}}
 * @throws {ValidationError}
 */
export function checkVisit(form, draft) {
  const errors = {};
  const answerErrors = validateAnswers(form, draft.answers);
  for (const [field, list] of Object.entries(answerErrors)) errors[field] = list.map((e) => e.message_vi);
  const fields = {
    market_id: marketId(draft.market_id, errors),
    form_version: form.version,
    observed_at: observedAt(draft.observed_at, errors),
    answers: draft.answers,
    location: location(draft.location, errors),
    attachments: [],
  };
  const { shas, newPhotos } = photos(draft.photos, errors);
  fields.attachments = shas;
  if (Object.keys(errors).length) throw new ValidationError(errors, answerErrors);
  // A deep copy: the screen may keep mutating its draft object after the save.
  return { fields: structuredClone(fields), newPhotos };
}
