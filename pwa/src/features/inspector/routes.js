// The inspector feature as the shell sees it before its code is loaded: URLs, who may open them,
// the tabs. The screens and styles come with ./index.js, its own chunk, loaded on first use
// (app/main.js) and precached by the service worker for every phone: this is the field app.
// A route: {pattern, name, tab?, roles}; ./index.js's `screens` has one screen per route name.
const INSPECTOR = ['inspector'];

export const name = 'inspector';
export const load = () => import('./index.js');

export const routes = [
  { pattern: '/markets', name: 'markets', tab: 'markets', roles: INSPECTOR },
  { pattern: '/visit/new', name: 'visit-new', tab: 'markets', roles: INSPECTOR },
  { pattern: '/visits', name: 'visits', tab: 'visits', roles: INSPECTOR },
  { pattern: '/visits/:id', name: 'visit', tab: 'visits', roles: INSPECTOR },
  { pattern: '/visits/:id/edit', name: 'visit-edit', tab: 'visits', roles: INSPECTOR },
];

export const tabs = [
  { tab: 'markets', href: '/markets', labelKey: 'nav.markets', icon: 'store', roles: INSPECTOR },
  { tab: 'visits', href: '/visits', labelKey: 'nav.visits', icon: 'list', roles: INSPECTOR, badge: true },
];
