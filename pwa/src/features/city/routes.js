// The city feature as the shell sees it before its code is loaded: URLs, who may open them, the
// tab. The screens, their strings and styles come with ./index.js, its own chunk, loaded on first
// use (app/main.js); the service worker caches it when a reader of the figures signs in (src/sw).
// A route: {pattern, name, tab?, roles}; ./index.js's `screens` has one screen per route name.
// Ward officers may open these pages for their own unit (the server scopes every figure).
const READERS = ['city_officer', 'admin', 'ward_officer'];

export const name = 'city';
export const load = () => import('./index.js');

export const routes = [
  { pattern: '/city', name: 'city', tab: 'city', roles: READERS },
  { pattern: '/city/markets', name: 'city-markets', tab: 'city', roles: READERS },
  { pattern: '/city/map', name: 'city-map', tab: 'city', roles: READERS },
  { pattern: '/city/report', name: 'city-report', tab: 'city', roles: READERS },
];

export const tabs = [
  { tab: 'city', href: '/city', labelKey: 'city.tab', icon: 'target', roles: READERS },
];
