// The app's screens by feature: every feature's routes and tabs (features/<name>/routes.js),
// the route table main.js shows from, each role's home, and the loading of a feature's screens
// (its index.js, a chunk of its own) on first use.
import loginScreen from './login.js';
import { cacheFeatures } from './sw-register.js';
// Only each feature's table of routes here: a static import of a feature's index.js (or anything
// under review/, city/ or admin/ but routes.js) would put its code in every phone's first load,
// and pwa/tests/roleChunks.test.js fails.
import * as inspector from '../features/inspector/routes.js';
import * as account from '../features/account/routes.js';
import * as admin from '../features/admin/routes.js';
import * as city from '../features/city/routes.js';
import * as review from '../features/review/routes.js';

export const FEATURES = [inspector, review, admin, city, account];
const withFeature = (feature, list) => list.map((item) => ({ ...item, feature }));

// Every screen has a URL; `roles` says who may open it (the server checks again on every call).
export const ROUTES = [
  { pattern: '/', name: 'home' },
  { pattern: '/login', name: 'login', screen: loginScreen, public: true },
  ...FEATURES.flatMap((feature) => withFeature(feature, feature.routes)),
];

export const TABS = [inspector, city, review, admin].flatMap((feature) => withFeature(feature, feature.tabs));

/** The features whose screens `role` may open (a route without roles is everyone's). */
export function featuresFor(role) {
  return FEATURES.filter((feature) => feature.routes.some((route) => !route.roles || route.roles.includes(role)));
}

/** name → the loaded module of a feature ({screens, …}); loading: name → its promise. */
export const loaded = new Map();
const loading = new Map();

/** The feature's module, loaded once; rejects when its chunk cannot be had (offline, not cached). */
export function loadFeature(feature) {
  if (!loading.has(feature.name)) {
    const promise = feature.load().then((mod) => {
      loaded.set(feature.name, mod);
      return mod;
    });
    // A failed load (no network, not cached yet) is tried again on the next visit to the screen.
    promise.catch(() => loading.delete(feature.name));
    loading.set(feature.name, promise);
  }
  return loading.get(feature.name);
}

// Where each role lands after signing in: its main job (DESIGN §1); other tabs stay one tap away.
const HOME = { inspector: '/markets', ward_officer: '/review', city_officer: '/city', admin: '/admin/users' };

/** The first screen for `role`: its home, else its first tab, else the sign-in page. */
export function homeFor(role) {
  return HOME[role] ?? TABS.find((tab) => tab.roles.includes(role))?.href ?? '/login';
}


/**
 * What the "ready offline" line says (app: main.js's state): the service worker's state, and for a
 * signed-in user whose screens are not in the first precache (review, city, admin), whether the
 * worker has cached them.
 */
export function offlineState(app) {
  return app.offlineReady === 'ready' ? app.featuresOffline : app.offlineReady;
}

/**
 * Loads the screens of `role` (the tabs show once they are here) and has the service worker keep
 * their chunks for offline use: the precache holds the shell and the inspector's screens only, so
 * that an inspector's first visit downloads no other role's code. onChange() redraws.
 */
export async function prepareRole(role, app, onChange) {
  const features = featuresFor(role);
  Promise.all(features.map(loadFeature)).then(onChange, () => {});
  app.featuresOffline = 'checking';
  onChange();
  const cached = await cacheFeatures(features.map((feature) => feature.name));
  app.featuresOffline = cached ? 'ready' : 'error';
  onChange();
}
