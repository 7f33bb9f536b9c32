// The admin screens, loaded by the shell when an admin opens one (./routes.js says which URLs).
// Their strings join i18n.js's table when this chunk loads.
import './admin.css';

import { addMessages } from '../../shared/i18n.js';
import auditMessages from './auditMessages.js';
import dataMessages from './dataMessages.js';
import messages from './messages.js';
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

addMessages(messages);
addMessages(auditMessages);
addMessages(dataMessages);

/** One screen per route name of ./routes.js. */
export const screens = {
  'admin-users': usersScreen,
  'admin-user-new': userNewScreen,
  'admin-user': userEditScreen,
  'admin-devices': devicesScreen,
  'admin-markets': adminMarketsScreen,
  'admin-markets-import': marketsImportScreen,
  'admin-market': marketEditScreen,
  'admin-org-units': orgUnitsScreen,
  'admin-org-units-import': orgUnitsImportScreen,
  'admin-targets': targetsScreen,
  'admin-settings': settingsScreen,
  'admin-audit': auditScreen,
};
