// The phone's IndexedDB database `cho-xanh`: what the inspector recorded (visits, photos, the
// outbox of mutations not yet settled by the server) and the replica pulled from the server
// (markets, orgUnits, forms). DESIGN §5.
//
// Schema changes go through MIGRATIONS only: entry n takes the database from version n to n+1
// and must keep the data (copy or transform it, never drop a store with user data in it). A
// released entry is never edited, so every phone, however old its database, walks the same path.
// An app update opens the database at a higher version; if a migration throws, the upgrade
// transaction is aborted and the database stays, untouched, at its old version.
import { openDB, deleteDB } from 'idb';

import { StorageFullError, isQuotaError } from './errors.js';

export const DB_NAME = 'cho-xanh';

/** Store names, so a typo is a ReferenceError rather than a NotFoundError at run time. */
export const S = Object.freeze({
  meta: 'meta',
  outbox: 'outbox',
  visits: 'visits',
  photos: 'photos',
  markets: 'markets',
  orgUnits: 'orgUnits',
  forms: 'forms',
});

export const MIGRATIONS = Object.freeze([
  // 0 → 1: the first schema.
  function v1(db) {
    // key → value: deviceId, token, user, cursor, lastSyncedAt, backoff, outboxSeq, fullPull.
    db.createObjectStore(S.meta);
    // Mutations not yet settled by the server. `seq` (a counter kept in meta) fixes the push
    // order: createdAt can tie or go backwards when the phone's clock is corrected.
    const outbox = db.createObjectStore(S.outbox, { keyPath: 'id' });
    outbox.createIndex('seq', 'seq', { unique: true });
    outbox.createIndex('visitId', 'visitId');
    // The phone's view of each visit (recorded here or pulled).
    const visits = db.createObjectStore(S.visits, { keyPath: 'id' });
    visits.createIndex('state', 'state');
    // Photo bytes by content hash: one copy however many visits (or edits) list it.
    db.createObjectStore(S.photos, { keyPath: 'sha256' });
    // Replica rows are {id, rev, data, epoch}; `data` is exactly what pull sent.
    const markets = db.createObjectStore(S.markets, { keyPath: 'id' });
    markets.createIndex('org_unit_id', 'data.org_unit_id');
    db.createObjectStore(S.orgUnits, { keyPath: 'id' });
    db.createObjectStore(S.forms, { keyPath: 'id' });
  },
]);

export const DB_VERSION = MIGRATIONS.length;

/**
 * Runs migrations[oldVersion .. newVersion-1] inside the versionchange transaction. A migration
 * may be async, but may only await IndexedDB requests of `tx` (anything else lets the
 * transaction commit half-way).
 */
export async function runMigrations(migrations, db, oldVersion, newVersion, tx) {
  for (let version = oldVersion; version < newVersion; version += 1) {
    await migrations[version](db, tx);
  }
}

/** openDB options that apply `migrations` and abort the whole upgrade if one fails. */
export function upgradeWith(migrations) {
  return (db, oldVersion, newVersion, tx) => {
    tx.done.catch(() => {}); // an abort is reported through openDB's own rejection
    runMigrations(migrations, db, oldVersion, newVersion ?? migrations.length, tx).catch((err) => {
      console.error('cho-xanh: database upgrade failed, keeping the old version', err);
      try {
        tx.abort();
      } catch {
        /* already finished */
      }
    });
  };
}

let connection = null; // Promise<IDBPDatabase>: one connection per page, shared by every caller

/** The database, opened (and upgraded) once per page. */
export function openDb() {
  if (!connection) {
    const opening = openDB(DB_NAME, DB_VERSION, {
      upgrade: upgradeWith(MIGRATIONS),
      // A newer version of the app (another tab, or the page after an SW update) wants to
      // upgrade: let go so it is not blocked; our next call reopens (and finds the new version).
      blocking: () => {
        closeDb();
      },
      terminated: () => {
        connection = null;
      },
    });
    connection = opening;
    opening.catch(() => {
      if (connection === opening) connection = null;
    });
  }
  return connection;
}

/** Closes the shared connection; the next openDb() opens a fresh one. */
export async function closeDb() {
  const current = connection;
  connection = null;
  if (current) {
    const db = await current.catch(() => null);
    db?.close();
  }
}

/** Deletes the whole database. Tests only: the app never throws user data away. */
export async function deleteDb() {
  await closeDb();
  await deleteDB(DB_NAME);
}

/**
 * Runs fn(tx) in one readwrite transaction over `stores` and resolves with its result only
 * after the transaction has COMPLETED (committed). Anything thrown aborts the transaction, so
 * nothing is half-written; a full disk becomes StorageFullError. `durability: 'strict'` asks the
 * browser to flush to disk before reporting completion (Chrome's default is 'relaxed').
 */
export async function write(stores, fn, { durability = 'strict' } = {}) {
  const db = await openDb();
  let tx = null;
  try {
    tx = db.transaction(stores, 'readwrite', { durability });
    const result = await fn(tx);
    await tx.done;
    return result;
  } catch (err) {
    if (tx) {
      try {
        tx.abort();
      } catch {
        /* already finished or aborted */
      }
      await tx.done.catch(() => {});
    }
    if (isQuotaError(err)) throw new StorageFullError({ cause: err });
    throw err;
  }
}

/** Runs fn(tx) in one readonly transaction: a consistent snapshot across `stores`. */
export async function read(stores, fn) {
  const db = await openDb();
  const tx = db.transaction(stores, 'readonly');
  const result = await fn(tx);
  await tx.done;
  return result;
}

export async function getMeta(key) {
  return (await openDb()).get(S.meta, key);
}

export async function setMeta(key, value) {
  return write([S.meta], (tx) => tx.objectStore(S.meta).put(value, key), { durability: 'relaxed' });
}

export async function deleteMeta(key) {
  return write([S.meta], (tx) => tx.objectStore(S.meta).delete(key));
}
