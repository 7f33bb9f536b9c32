// The pure half of featureCaches.js (no Workbox, no worker globals: the tests import it): the
// feature caches' names and the split of the injected precache manifest.
import { CACHE_PREFIX, CACHE_VERSION } from '../shared/constants.js';

export const featureCacheName = (feature) => `${CACHE_PREFIX}-feature-${feature}-${CACHE_VERSION}`;

/**
 * The injected manifest split in two: `everyone`'s entries (precached at install) and each
 * feature's (`byFeature`: name → entries without the tag).
 */
export function splitManifest(entries) {
  const everyone = [];
  const byFeature = new Map();
  for (const entry of entries) {
    if (typeof entry === 'string' || !entry.features?.length) {
      everyone.push(entry);
      continue;
    }
    const { features, ...plain } = entry;
    for (const feature of features) {
      if (!byFeature.has(feature)) byFeature.set(feature, []);
      byFeature.get(feature).push(plain);
    }
  }
  return { everyone, byFeature };
}
