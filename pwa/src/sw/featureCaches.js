// The review, city and admin screens (and the city map's boundaries) are not in the precache:
// an inspector's phone never downloads them (issue #15, a first load that fits 3G). The build
// tags their files in the injected manifest with `features` (pwa/vite-plugins/featureChunks.js); the
// page asks for a role's features when such a user signs in or opens the app signed in
// (app/features.js), and they are kept in one cache per feature. Like the precache, they are
// keyed by URL and revision (Workbox's PrecacheController), fetched again by a new worker's
// install when that feature's cache exists, and pruned of other builds' files on activation.
import { PrecacheController } from 'workbox-precaching';
import { registerRoute } from 'workbox-routing';

import { CACHE_FEATURES } from '../shared/constants.js';
import { featureCacheName } from './featureManifest.js';

export { featureCacheName, splitManifest } from './featureManifest.js';

/**
 * Wires the feature caches into the worker `scope`: the route that answers their files, the
 * page's CACHE_FEATURES message, and the install and activate steps.
 * @param {Map<string, object[]>} byFeature from splitManifest()
 */
export function setUpFeatureCaches(scope, byFeature) {
  const controllers = new Map();
  const cacheKeys = new Map(); // absolute URL → cache key (its revision, if any)
  for (const [feature, entries] of byFeature) {
    const controller = new PrecacheController({ cacheName: featureCacheName(feature) });
    controller.addToCacheList(entries);
    controllers.set(feature, controller);
    for (const [url, key] of controller.getURLsToCacheKeys()) cacheKeys.set(url, key);
  }

  /** Fetches what this feature's cache lacks (nothing, when it is up to date). */
  async function cacheFeature(feature) {
    const cache = await scope.caches.open(featureCacheName(feature));
    for (const [url, key] of controllers.get(feature).getURLsToCacheKeys()) {
      if (await cache.match(key)) continue;
      // A revisioned URL (not content-hashed) must not come from the HTTP cache; as Workbox does.
      const response = await fetch(url, { credentials: 'same-origin', cache: key === url ? 'default' : 'reload' });
      if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
      await cache.put(key, response);
    }
  }

  /** The features this phone has cached before (their caches exist). */
  async function featuresInUse() {
    const names = [...controllers.keys()];
    const held = await Promise.all(names.map((feature) => scope.caches.has(featureCacheName(feature))));
    return names.filter((_, i) => held[i]);
  }

  // A feature's file: from whichever feature cache holds it (one file may serve two features),
  // else from the network.
  registerRoute(
    ({ url, request }) => request.method === 'GET' && cacheKeys.has(url.href),
    async ({ url, request }) => (await scope.caches.match(cacheKeys.get(url.href))) ?? fetch(request),
  );

  scope.addEventListener('message', (event) => {
    if (event.data?.type !== CACHE_FEATURES) return;
    const port = event.ports?.[0];
    const wanted = (event.data.features ?? []).filter((feature) => controllers.has(feature));
    event.waitUntil(
      Promise.all(wanted.map(cacheFeature)).then(
        () => port?.postMessage({ ok: true }),
        (err) => port?.postMessage({ ok: false, error: String(err?.message ?? err) }),
      ),
    );
  });

  // A new version: the phone keeps the features it had, in their new build, before it takes over.
  scope.addEventListener('install', (event) => {
    event.waitUntil(featuresInUse().then((features) => Promise.all(features.map(cacheFeature))));
  });

  // Then other builds' files go, as the precache's do.
  scope.addEventListener('activate', (event) => {
    event.waitUntil(featuresInUse().then((features) => Promise.all(features.map(async (feature) => {
      const expected = new Set(controllers.get(feature).getURLsToCacheKeys().values());
      const cache = await scope.caches.open(featureCacheName(feature));
      for (const request of await cache.keys()) {
        if (!expected.has(request.url)) await cache.delete(request);
      }
    }))));
  });
}
