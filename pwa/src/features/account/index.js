// The account screen (everyone): two-factor sign-in and signing out. Reached from the top bar's
// account link; a user whose role must enrol is sent here until they have (main.js).
import './account.css';

import accountScreen from './screens/account.js';

export { mustEnrol } from './totp.js';

export const ACCOUNT_PATH = '/account';

export const routes = [{ pattern: ACCOUNT_PATH, name: 'account', screen: accountScreen }];
