// Values shared by the page (src/app) and the service worker (src/sw).
// Keep this module free of DOM and of service-worker globals.

/** Prefix of every Cache Storage entry this app owns. */
export const CACHE_PREFIX = 'cho-xanh';

/**
 * Bump when the layout of the caches changes (not for ordinary releases: precached files
 * are revisioned by Workbox). The service worker deletes `cho-xanh-*` caches of other versions.
 */
export const CACHE_VERSION = 'v1';

/** Base path of the HTTP API (DESIGN.md §5). Responses under it are never cached by the SW. */
export const API_BASE = '/api/v1';

/** Anything under this prefix belongs to the server, never to the app shell. */
export const API_PREFIX = '/api/';

/** localStorage key of the chosen UI language. */
export const LANG_STORAGE_KEY = 'cho-xanh.lang';

// Background Sync tag shared by the page (registers it) and the service worker (answers it).
export const SYNC_TAG = 'cho-xanh-sync';

// The page's message asking the service worker to cache a role's feature chunks (src/sw).
export const CACHE_FEATURES = 'CACHE_FEATURES';
