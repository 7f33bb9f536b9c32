// The admin feature as the shell sees it before its code is loaded: URLs, who may open them,
// the tabs. The screens, their strings and styles come with ./index.js, its own chunk, loaded on
// first use (app/main.js); the service worker caches it when an admin signs in (src/sw).
// A route: {pattern, name, tab?, roles}; ./index.js's `screens` has one screen per route name.
// Every admin view has its own URL; the server checks the role again on every call.
const ADMIN = ['admin'];

export const name = 'admin';
export const load = () => import('./index.js');

// Fixed paths before the ":id" ones (the first match wins).
export const routes = [
  { pattern: '/admin/users', name: 'admin-users', tab: 'admin-users', roles: ADMIN },
  { pattern: '/admin/users/new', name: 'admin-user-new', tab: 'admin-users', roles: ADMIN },
  { pattern: '/admin/users/:id', name: 'admin-user', tab: 'admin-users', roles: ADMIN },
  { pattern: '/admin/devices', name: 'admin-devices', tab: 'admin-devices', roles: ADMIN },
  { pattern: '/admin/markets', name: 'admin-markets', tab: 'admin-markets', roles: ADMIN },
  { pattern: '/admin/markets/import', name: 'admin-markets-import', tab: 'admin-markets', roles: ADMIN },
  { pattern: '/admin/markets/:id', name: 'admin-market', tab: 'admin-markets', roles: ADMIN },
  { pattern: '/admin/org-units', name: 'admin-org-units', tab: 'admin-org-units', roles: ADMIN },
  { pattern: '/admin/org-units/import', name: 'admin-org-units-import', tab: 'admin-org-units', roles: ADMIN },
  { pattern: '/admin/targets', name: 'admin-targets', tab: 'admin-targets', roles: ADMIN },
  { pattern: '/admin/settings', name: 'admin-settings', tab: 'admin-settings', roles: ADMIN },
  { pattern: '/admin/audit', name: 'admin-audit', tab: 'admin-audit', roles: ADMIN },
];

export const tabs = [
  { tab: 'admin-users', href: '/admin/users', labelKey: 'admin.nav.users', icon: 'users', roles: ADMIN },
  { tab: 'admin-devices', href: '/admin/devices', labelKey: 'admin.nav.devices', icon: 'device', roles: ADMIN },
  { tab: 'admin-markets', href: '/admin/markets', labelKey: 'admin.nav.markets', icon: 'store', roles: ADMIN },
  { tab: 'admin-org-units', href: '/admin/org-units', labelKey: 'admin.nav.units', icon: 'map', roles: ADMIN },
  { tab: 'admin-targets', href: '/admin/targets', labelKey: 'admin.nav.targets', icon: 'target', roles: ADMIN },
  { tab: 'admin-settings', href: '/admin/settings', labelKey: 'admin.nav.settings', icon: 'edit', roles: ADMIN },
  { tab: 'admin-audit', href: '/admin/audit', labelKey: 'admin.nav.audit', icon: 'clock', roles: ADMIN },
];
