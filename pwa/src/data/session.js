// Sign-in of this phone (DESIGN §5: POST/DELETE /auth/token). The token is per device: the
// server records the device id made here once and kept in meta for the life of the install.
//
// Signing out (or a 401) only forgets the token. The outbox, the visits and the photos stay:
// an inspector whose token expired in the field must not lose a morning's visits. Mutations
// carry the id of the user who made them and are pushed only with that user's token (outbox.js).
import { createApi } from './api.js';
import { S, openDb, write } from './db.js';

let defaultApi = null;
const api = (given) => given ?? (defaultApi ??= createApi());

/** This install's device id (a UUID made on first use, never changed). */
export async function getDeviceId() {
  const existing = await (await openDb()).get(S.meta, 'deviceId');
  if (existing) return existing;
  // get-or-create inside one transaction: two tabs starting together agree on one id.
  return write([S.meta], async (tx) => {
    const meta = tx.objectStore(S.meta);
    let id = await meta.get('deviceId');
    if (!id) {
      id = crypto.randomUUID();
      await meta.put(id, 'deviceId');
    }
    return id;
  });
}

/**
 * POST /auth/token. Resolves {user, token, expiresAt, deviceId}; rejects with ApiError
 * (401 invalid_credentials, otp_required / invalid_otp / otp_already_used for a user with
 * two-factor sign-in, 429 rate_limited, …) or NetworkError. `otp`: the 6-digit code of the
 * authenticator app or a recovery code. The user carries `totp` {enabled, required} from the
 * answer. When another user signs in on this phone, the pull cursor is dropped, so the next
 * sync lists that user's visible set from scratch (and removes what the previous user could see).
 */
export async function login(username, password, { api: given, otp } = {}) {
  const deviceId = await getDeviceId();
  // No device_name: the server names the phone from its User-Agent ("Android · Chrome") or
  // keeps the name its user gave it earlier.
  const json = { username, password, device_id: deviceId };
  if (otp) json.otp = otp;
  const { data: answer } = await api(given).request('POST', '/auth/token', { json });
  if (!answer?.token || !answer?.user) throw new TypeError('login: the server answer has no token/user');
  const data = answer.totp ? { ...answer, user: { ...answer.user, totp: answer.totp } } : answer;
  await write([S.meta], async (tx) => {
    const meta = tx.objectStore(S.meta);
    const previous = await meta.get('user');
    if (previous && previous.id !== data.user.id) await meta.delete('cursor');
    await meta.put(data.token, 'token');
    await meta.put(data.expires_at ?? null, 'tokenExpiresAt');
    await meta.put(data.user, 'user');
    await meta.delete('signedOut');
    await meta.put(data.device_name ?? null, 'deviceName');
  });
  return { user: data.user, token: data.token, expiresAt: data.expires_at ?? null, deviceId };
}

/** Keeps the signed-in user's second-factor state {enabled, required} after it changed. */
export async function setTotpState(totp) {
  return write([S.meta], async (tx) => {
    const meta = tx.objectStore(S.meta);
    const user = await meta.get('user');
    if (!user) return null;
    const updated = { ...user, totp };
    await meta.put(updated, 'user');
    return updated;
  });
}

/** Revokes the token on the server if it can (best effort) and forgets it here. Local data stays. */
export async function logout({ api: given } = {}) {
  const token = await (await openDb()).get(S.meta, 'token');
  await write([S.meta], async (tx) => {
    const meta = tx.objectStore(S.meta);
    await meta.delete('token');
    await meta.delete('tokenExpiresAt');
    await meta.delete('user');
  });
  if (token) {
    try {
      await api(given).request('DELETE', '/auth/token', { token, timeoutMs: 10_000 });
    } catch {
      /* offline or already revoked: the token expires on its own */
    }
  }
}

/** {user, token, expiresAt, deviceId} while signed in, else null (never signed in, signed out, or 401). */
export async function currentSession() {
  const db = await openDb();
  const [token, user, expiresAt, deviceId] = await Promise.all(
    ['token', 'user', 'tokenExpiresAt', 'deviceId'].map((key) => db.get(S.meta, key)),
  );
  if (!token || !user) return null;
  return { user, token, expiresAt: expiresAt ?? null, deviceId: deviceId ?? null };
}

/** Why this phone was signed out: the server's 401 code (token_revoked, token_expired…) or null. */
export async function signedOutReason() {
  return (await (await openDb()).get(S.meta, 'signedOut')) ?? null;
}

/** {deviceId, deviceName}: this phone as the server names it (the name may be null before sign-in). */
export async function deviceInfo() {
  const db = await openDb();
  const [deviceId, deviceName] = await Promise.all([db.get(S.meta, 'deviceId'), db.get(S.meta, 'deviceName')]);
  return { deviceId: deviceId ?? null, deviceName: deviceName ?? null };
}

/** Renames this phone (PATCH /me/devices/<device id>) → the new name. */
export async function renameDevice(name, { api: given } = {}) {
  const db = await openDb();
  const [token, deviceId] = await Promise.all([db.get(S.meta, 'token'), db.get(S.meta, 'deviceId')]);
  const { data } = await api(given).request('PATCH', `/me/devices/${encodeURIComponent(deviceId)}`, {
    token,
    json: { device_name: name },
  });
  await write([S.meta], (tx) => tx.objectStore(S.meta).put(data.device_name, 'deviceName'));
  return data.device_name;
}
