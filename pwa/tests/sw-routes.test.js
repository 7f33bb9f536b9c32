import { describe, expect, it } from 'vitest';

import { isStaleCacheName } from '../src/sw/caches.js';
import { isApiDocsPath, isApiPath, servesAppShell } from '../src/shared/routes.js';

describe('app shell routing', () => {
  it.each(['/', '/index.html', '/markets/42', '/visits/new', '/apiary', '/api-docs'])(
    'serves the app shell for %s',
    (path) => {
      expect(servesAppShell(path)).toBe(true);
      expect(isApiPath(path)).toBe(false);
    },
  );

  it.each(['/api', '/api/', '/api/v1/health', '/api/v1/reports/compliance.csv'])(
    'leaves %s to the server',
    (path) => {
      expect(servesAppShell(path)).toBe(false);
      expect(isApiPath(path)).toBe(true);
    },
  );
});

describe('cache versioning', () => {
  it('marks only this app’s caches of other versions as stale', () => {
    expect(isStaleCacheName('cho-xanh-precache-v2-v0', 'cho-xanh', 'v1')).toBe(true);
    expect(isStaleCacheName('cho-xanh-precache-v2-v1', 'cho-xanh', 'v1')).toBe(false);
    expect(isStaleCacheName('cho-xanh-runtime-v1', 'cho-xanh', 'v1')).toBe(false);
    expect(isStaleCacheName('someone-else-v0', 'cho-xanh', 'v1')).toBe(false);
  });
});

describe('what the service worker keeps from /api/', () => {
  it.each(['/api/docs', '/api/docs/docs.js', '/api/docs/swagger-ui-bundle.js', '/api/v1/openapi.json'])(
    'keeps %s for reading the API docs offline',
    (path) => expect(isApiDocsPath(path)).toBe(true),
  );

  it.each(['/api/v1/sync/pull', '/api/v1/indicator', '/api/v1/visits/x', '/api/docsx', '/api/v1/openapi.jsonx', '/'])(
    'never keeps %s',
    (path) => expect(isApiDocsPath(path)).toBe(false),
  );
});
