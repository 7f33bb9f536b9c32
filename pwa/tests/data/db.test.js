// The IndexedDB schema and its migrations: version 1 as designed, and an upgrade to a
// (hypothetical) version 2 that keeps every record; a failing upgrade keeps the old version.
import { openDB } from 'idb';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import { draft, resetDb } from './helpers.js';
import { DB_NAME, DB_VERSION, MIGRATIONS, S, closeDb, openDb, upgradeWith, write } from '../../src/data/db.js';
import { StorageFullError } from '../../src/data/errors.js';
import { listOutbox } from '../../src/data/outbox.js';
import { getDeviceId } from '../../src/data/session.js';
import { getVisit, saveVisit } from '../../src/data/visits.js';

beforeEach(resetDb);

// What a version 2 could look like: visits get an index by market, and every visit row a
// `schema` field, written by walking the existing rows inside the upgrade transaction.
async function v2(db, tx) {
  const visits = tx.objectStore(S.visits);
  visits.createIndex('market_id', 'market_id');
  let cursor = await visits.openCursor();
  while (cursor) {
    await cursor.update({ ...cursor.value, schema: 2 });
    cursor = await cursor.continue();
  }
}

describe('schema v1', () => {
  it('has the stores and indexes the data layer relies on', async () => {
    const db = await openDb();
    expect(DB_VERSION).toBe(1);
    expect(db.version).toBe(1);
    expect([...db.objectStoreNames].sort()).toEqual(['forms', 'markets', 'meta', 'orgUnits', 'outbox', 'photos', 'visits']);
    const tx = db.transaction([S.outbox, S.visits, S.photos]);
    expect(tx.objectStore(S.outbox).keyPath).toBe('id');
    expect([...tx.objectStore(S.outbox).indexNames].sort()).toEqual(['seq', 'visitId']);
    expect(tx.objectStore(S.outbox).index('seq').unique).toBe(true);
    expect(tx.objectStore(S.visits).keyPath).toBe('id');
    expect(tx.objectStore(S.photos).keyPath).toBe('sha256');
  });

  it('makes the device id once', async () => {
    const [a, b] = await Promise.all([getDeviceId(), getDeviceId()]);
    await closeDb();
    expect(a).toBe(b);
    expect(await getDeviceId()).toBe(a);
    expect(a).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('write() aborts the whole transaction when the callback throws', async () => {
    await expect(
      write([S.meta], async (tx) => {
        await tx.objectStore(S.meta).put('x', 'probe');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await (await openDb()).get(S.meta, 'probe')).toBeUndefined();
  });

  it('write() turns a quota failure at commit into StorageFullError', async () => {
    const spy = vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(() => {
      throw new DOMException('full', 'QuotaExceededError');
    });
    await expect(write([S.meta], (tx) => tx.objectStore(S.meta).put(1, 'k'))).rejects.toBeInstanceOf(StorageFullError);
    spy.mockRestore();
  });
});

describe('migrations', () => {
  it('an upgrade from version 1 to 2 keeps every record', async () => {
    const id = await saveVisit(draft());
    const outboxBefore = await listOutbox();
    await closeDb();

    const db = await openDB(DB_NAME, 2, { upgrade: upgradeWith([...MIGRATIONS, v2]) });
    expect(db.version).toBe(2);
    const visit = await db.get(S.visits, id);
    expect(visit).toMatchObject({ id, state: 'pending', schema: 2 });
    expect(await db.getAllFromIndex(S.visits, 'market_id', 1)).toHaveLength(1);
    expect(await db.getAll(S.outbox)).toEqual(outboxBefore);
    db.close();
  });

  it('a fresh install runs every migration in turn', async () => {
    await closeDb();
    const db = await openDB(DB_NAME, 2, { upgrade: upgradeWith([...MIGRATIONS, v2]) });
    expect([...db.transaction(S.visits).store.indexNames].sort()).toEqual(['market_id', 'state']);
    db.close();
  });

  it('a failing migration leaves the database at its old version with its data', async () => {
    const id = await saveVisit(draft());
    await closeDb();
    const broken = async (db, tx) => {
      await tx.objectStore(S.visits).clear();
      throw new Error('bug in migration');
    };
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    await expect(openDB(DB_NAME, 2, { upgrade: upgradeWith([...MIGRATIONS, broken]) })).rejects.toBeTruthy();
    error.mockRestore();
    expect((await openDb()).version).toBe(1);
    expect(await getVisit(id)).toMatchObject({ id, state: 'pending' });
  });
});
