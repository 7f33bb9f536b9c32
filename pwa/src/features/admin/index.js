// The admin screens' routes and tabs, merged into main.js's tables.
// A route: {pattern, name, screen, tab?, roles}. A tab: {tab, href, labelKey, icon, roles}.
// Every admin view has its own URL; the server checks the role again on every call.
import './admin.css';

import auditScreen from './screens/audit.js';
import devicesScreen from './screens/devices.js';
import { marketsImportScreen, orgUnitsImportScreen } from './screens/importCsv.js';
import marketEditScreen from './screens/marketEdit.js';
import adminMarketsScreen from './screens/markets.js';
import orgUnitsScreen from './screens/orgUnits.js';
import settingsScreen from './screens/settings.js';
import targetsScreen from './screens/targets.js';
import userEditScreen from './screens/userEdit.js';
import { userNewScreen, usersScreen } from './screens/users.js';

const ADMIN = ['admin'];

// Fixed paths before the ":id" ones (the first match wins).
export const routes = [
  { pattern: '/admin/users', name: 'admin-users', screen: usersScreen, tab: 'admin-users', roles: ADMIN },
  { pattern: '/admin/users/new', name: 'admin-user-new', screen: userNewScreen, tab: 'admin-users', roles: ADMIN },
  { pattern: '/admin/users/:id', name: 'admin-user', screen: userEditScreen, tab: 'admin-users', roles: ADMIN },
  { pattern: '/admin/devices', name: 'admin-devices', screen: devicesScreen, tab: 'admin-devices', roles: ADMIN },
  { pattern: '/admin/markets', name: 'admin-markets', screen: adminMarketsScreen, tab: 'admin-markets', roles: ADMIN },
  { pattern: '/admin/markets/import', name: 'admin-markets-import', screen: marketsImportScreen, tab: 'admin-markets', roles: ADMIN },
  { pattern: '/admin/markets/:id', name: 'admin-market', screen: marketEditScreen, tab: 'admin-markets', roles: ADMIN },
  { pattern: '/admin/org-units', name: 'admin-org-units', screen: orgUnitsScreen, tab: 'admin-org-units', roles: ADMIN },
  { pattern: '/admin/org-units/import', name: 'admin-org-units-import', screen: orgUnitsImportScreen, tab: 'admin-org-units', roles: ADMIN },
  { pattern: '/admin/targets', name: 'admin-targets', screen: targetsScreen, tab: 'admin-targets', roles: ADMIN },
  { pattern: '/admin/settings', name: 'admin-settings', screen: settingsScreen, tab: 'admin-settings', roles: ADMIN },
  { pattern: '/admin/audit', name: 'admin-audit', screen: auditScreen, tab: 'admin-audit', roles: ADMIN },
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
