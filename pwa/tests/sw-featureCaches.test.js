// The service worker's split of the injected manifest (src/sw/featureCaches.js): entries the
// build tagged with features wait for a user of such a role; the rest is precached at install.
import { describe, expect, it } from 'vitest';

import { featureCacheName, splitManifest } from '../src/sw/featureManifest.js';
import { isStaleCacheName } from '../src/sw/caches.js';

describe('splitManifest()', () => {
  it('precaches untagged entries for everyone and groups the tagged ones by feature', () => {
    const { everyone, byFeature } = splitManifest([
      { url: 'index.html', revision: 'abc' },
      'favicon.svg',
      { url: 'assets/inspector-1.js', revision: null },
      { url: 'assets/review-2.js', revision: null, features: ['review'] },
      { url: 'assets/shared-3.js', revision: null, features: ['review', 'city'] },
      { url: 'assets/wards-4.geojson', revision: null, features: ['city'] },
    ]);
    expect(everyone).toEqual([
      { url: 'index.html', revision: 'abc' }, 'favicon.svg', { url: 'assets/inspector-1.js', revision: null },
    ]);
    expect(Object.fromEntries(byFeature)).toEqual({
      review: [{ url: 'assets/review-2.js', revision: null }, { url: 'assets/shared-3.js', revision: null }],
      city: [{ url: 'assets/shared-3.js', revision: null }, { url: 'assets/wards-4.geojson', revision: null }],
    });
  });

  it('names each feature cache within this version, so a new cache layout drops them', () => {
    expect(featureCacheName('city')).toBe('cho-xanh-feature-city-v1');
    expect(isStaleCacheName(featureCacheName('city'))).toBe(false);
    expect(isStaleCacheName('cho-xanh-feature-city-v0')).toBe(true);
  });
});
