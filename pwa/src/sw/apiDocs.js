// /api/docs (Swagger UI, served by the app) and the OpenAPI document it reads open offline once
// seen: network first, so a newer server's document wins, and the last copy when the server
// cannot be reached. No other /api/ response is ever cached: they carry people's data.
import { registerRoute } from 'workbox-routing';
import { NetworkFirst } from 'workbox-strategies';

import { CACHE_PREFIX, CACHE_VERSION } from '../shared/constants.js';
import { isApiDocsPath } from '../shared/routes.js';

export const API_DOCS_CACHE = `${CACHE_PREFIX}-apidocs-${CACHE_VERSION}`;
const NETWORK_TIMEOUT_SECONDS = 5;

export function routeApiDocs(origin) {
  registerRoute(
    ({ url, request }) => request.method === 'GET' && url.origin === origin && isApiDocsPath(url.pathname),
    new NetworkFirst({ cacheName: API_DOCS_CACHE, networkTimeoutSeconds: NETWORK_TIMEOUT_SECONDS }),
  );
}
