import { API_PREFIX } from './constants.js';

/** True for paths the server owns (`/api` and everything under `/api/`). */
export function isApiPath(pathname) {
  return pathname === API_PREFIX.slice(0, -1) || pathname.startsWith(API_PREFIX);
}

/**
 * Navigation denylist for the service worker: these are never answered with the app shell.
 * Regular expressions, as Workbox's NavigationRoute expects them.
 */
export const APP_SHELL_DENYLIST = [/^\/api(?:\/|$)/];

/** Whether a navigation to `pathname` should be answered with the cached app shell. */
export function servesAppShell(pathname) {
  return !APP_SHELL_DENYLIST.some((re) => re.test(pathname));
}

/** The API docs page, its files and the OpenAPI document: the only /api/ responses the
 * service worker keeps (for reading offline); nothing else under /api/. */
export function isApiDocsPath(pathname) {
  return pathname === '/api/docs' || pathname.startsWith('/api/docs/') || pathname === '/api/v1/openapi.json';
}
