// The account screen as the shell sees it before its code is loaded: everyone's two-factor
// sign-in and signing out, reached from the top bar's account link. A user whose role must enrol
// is sent here until they have (app/main.js). The screen comes with ./index.js, its own chunk,
// precached by the service worker for every phone.
export { mustEnrol } from './enrol.js';

export const ACCOUNT_PATH = '/account';

export const name = 'account';
export const load = () => import('./index.js');

export const routes = [{ pattern: ACCOUNT_PATH, name: 'account' }];

export const tabs = [];
