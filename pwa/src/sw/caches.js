import { CACHE_PREFIX, CACHE_VERSION } from '../shared/constants.js';

/** True for a cache this app created under a different CACHE_VERSION. */
export function isStaleCacheName(name, prefix = CACHE_PREFIX, version = CACHE_VERSION) {
  return name.startsWith(`${prefix}-`) && !name.endsWith(`-${version}`);
}

/** Deletes this app's caches from other versions; leaves everybody else's alone. */
export async function deleteStaleCaches(cacheStorage) {
  const names = await cacheStorage.keys();
  await Promise.all(names.filter((n) => isStaleCacheName(n)).map((n) => cacheStorage.delete(n)));
}
