/// <reference lib="webworker" />
// Service worker entry. Keep it thin: wiring only; behaviour grows in modules beside it.
//
// - precaches the files Vite built (the list is injected at build time into self.__WB_MANIFEST),
//   except the review, city and admin features': those are cached when a user of such a role
//   signs in (featureCaches.js)
// - answers navigations with the cached app shell (index.html), except under /api/
// - never caches /api/ responses (they go to the network), except the API docs page and the
//   OpenAPI document it reads, kept for offline reading (apiDocs.js)
// - cache names are versioned (see ../shared/constants.js) and stale ones are deleted

import { clientsClaim, setCacheNameDetails } from 'workbox-core';
import {
  cleanupOutdatedCaches,
  createHandlerBoundToURL,
  precacheAndRoute,
} from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';

import { CACHE_PREFIX, CACHE_VERSION } from '../shared/constants.js';
import { APP_SHELL_DENYLIST } from '../shared/routes.js';
import { routeApiDocs } from './apiDocs.js';
import { listenForBackgroundSync } from './backgroundSync.js';
import { deleteStaleCaches } from './caches.js';
import { setUpFeatureCaches, splitManifest } from './featureCaches.js';

setCacheNameDetails({ prefix: CACHE_PREFIX, suffix: CACHE_VERSION });

const { everyone, byFeature } = splitManifest(self.__WB_MANIFEST);
precacheAndRoute(everyone);
cleanupOutdatedCaches();
setUpFeatureCaches(self, byFeature);

registerRoute(
  new NavigationRoute(createHandlerBoundToURL('index.html'), { denylist: APP_SHELL_DENYLIST }),
);

// A waiting worker takes over only when the page asks (the user pressed "Cập nhật"), so a
// half-filled survey form is never reloaded under the inspector's feet.
self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'SKIP_WAITING') self.skipWaiting();
});

routeApiDocs(self.location.origin);
listenForBackgroundSync(self);

self.addEventListener('activate', (event) => {
  event.waitUntil(deleteStaleCaches(self.caches));
});

// The first install controls the already-open page at once (there is nothing older to replace).
clientsClaim();
