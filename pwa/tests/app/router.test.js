import { describe, expect, it } from 'vitest';

import { compile, matchRoute, routablePath } from '../../src/shared/router.js';

const routes = [
  { pattern: '/', name: 'home' },
  { pattern: '/login', name: 'login' },
  { pattern: '/markets', name: 'markets' },
  { pattern: '/visit/new', name: 'visit-new' },
  { pattern: '/visits', name: 'visits' },
  { pattern: '/visits/:id', name: 'visit' },
  { pattern: '/visits/:id/edit', name: 'visit-edit' },
];

const name = (path) => matchRoute(routes, path)?.route.name ?? null;

describe('matchRoute()', () => {
  it.each([
    ['/', 'home'],
    ['/login', 'login'],
    ['/markets', 'markets'],
    ['/markets/', 'markets'],
    ['/visit/new', 'visit-new'],
    ['/visits', 'visits'],
    ['/visits/abc', 'visit'],
    ['/visits/abc/edit', 'visit-edit'],
    ['/visits/abc/other', null],
    ['/nope', null],
  ])('%s → %s', (path, expected) => {
    expect(name(path)).toBe(expected);
  });

  it('decodes params', () => {
    const id = '3f2b8c1e-0000-4000-8000-000000000001';
    expect(matchRoute(routes, `/visits/${id}/edit`).params).toEqual({ id });
    expect(matchRoute(routes, '/visits/a%20b').params).toEqual({ id: 'a b' });
    expect(matchRoute(routes, '/visits/%E0%A4%A').params).toEqual({ id: '%E0%A4%A' });
  });

  it('escapes literal parts', () => {
    expect(compile('/a.b').re.test('/aXb')).toBe(false);
  });
});

describe('routablePath()', () => {
  const origin = 'https://cho.example';
  it('takes the app’s own screens', () => {
    expect(routablePath('/visit/new?market=12', origin)).toBe('/visit/new?market=12');
    expect(routablePath('https://cho.example/visits', origin)).toBe('/visits');
  });
  it('leaves the API, files and other sites to the browser', () => {
    expect(routablePath('/api/v1/health', origin)).toBeNull();
    expect(routablePath('/api', origin)).toBeNull();
    expect(routablePath('/favicon.svg', origin)).toBeNull();
    expect(routablePath('https://other.example/markets', origin)).toBeNull();
  });
});
