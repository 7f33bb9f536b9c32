// The reviewer's offline evidence (issue #14): the queue's photos, newest visits first, within
// the budget; what left the queue is dropped; no signal keeps what is cached.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { NetworkError } from '../../src/data/errors.js';
import { cachedPhoto, evidencePlan, refreshEvidence } from '../../src/data/evidence.js';

class FakeCache {
  constructor() {
    this.entries = new Map();
  }
  async match(key) {
    const hit = this.entries.get(String(key));
    return hit ? hit.clone() : undefined;
  }
  async put(key, response) {
    this.entries.set(String(key), response);
  }
  async keys() {
    return [...this.entries.keys()].map((url) => ({ url }));
  }
  async delete(request) {
    return this.entries.delete(request.url ?? String(request));
  }
}

let cache;
beforeEach(() => {
  cache = new FakeCache();
  globalThis.caches = { open: async () => cache, delete: async () => cache.entries.clear() };
});
afterEach(() => {
  delete globalThis.caches;
});

const visit = (id, observedAt, attachments, status = 'submitted') => ({ id, status, observed_at: observedAt, attachments, missing_attachments: [] });
const photo = (sha, size = 100) => new Blob([new Uint8Array(size)], { type: 'image/jpeg' });

describe('evidencePlan()', () => {
  it('keeps the queue only, newest visit first, up to the photo budget', () => {
    const items = [
      visit('old', '2023-03-01T08:00:00+07:00', ['a1', 'a2']),
      visit('new', '2023-03-05T08:00:00+07:00', ['b1']),
      visit('done', '2023-03-06T08:00:00+07:00', ['c1'], 'approved'),
    ];
    expect(evidencePlan(items)).toEqual(['b1', 'a1', 'a2']);
    expect(evidencePlan(items, { photos: 2, bytes: 1e9 })).toEqual(['b1', 'a1']);
  });
});

describe('refreshEvidence()', () => {
  it('fetches what the queue shows, drops what left it, stays within the bytes', async () => {
    const fetched = [];
    const fetchPhoto = async (sha) => {
      fetched.push(sha);
      return photo(sha, 100);
    };
    await refreshEvidence([visit('v1', '2023-03-01', ['a', 'b']), visit('v2', '2023-03-02', ['c'])], fetchPhoto, { photos: 10, bytes: 250 });
    expect(fetched).toEqual(['c', 'a', 'b']);
    expect(await cachedPhoto('c')).not.toBeNull();
    expect(await cachedPhoto('a')).not.toBeNull();
    expect(await cachedPhoto('b')).toBeNull(); // 300 bytes would pass the 250-byte budget

    // v2 was approved: its photo goes; a is not fetched again.
    fetched.length = 0;
    const result = await refreshEvidence([visit('v1', '2023-03-01', ['a', 'b'])], fetchPhoto, { photos: 10, bytes: 250 });
    expect(fetched).toEqual(['b']);
    expect(result).toMatchObject({ kept: 2, fetched: 1 });
    expect(await cachedPhoto('c')).toBeNull();
  });

  it('keeps the cached photos when the network fails half-way', async () => {
    await refreshEvidence([visit('v1', '2023-03-01', ['a'])], async (sha) => photo(sha));
    const result = await refreshEvidence([visit('v2', '2023-03-02', ['z']), visit('v1', '2023-03-01', ['a'])], async () => {
      throw new NetworkError();
    });
    expect(result).toMatchObject({ kept: 1, failed: 1 });
    expect(await cachedPhoto('a')).not.toBeNull();
  });
});
