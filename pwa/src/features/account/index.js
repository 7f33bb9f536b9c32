// The account screen, loaded by the shell when it is opened (./routes.js).
import './account.css';

import accountScreen from './screens/account.js';

/** One screen per route name of ./routes.js. */
export const screens = { account: accountScreen };
