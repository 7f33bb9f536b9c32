// The city screens' routes and tabs, merged into main.js's tables.
// A route: {pattern, name, screen, tab?, roles}. A tab: {tab, href, labelKey, icon, roles}.
// Ward officers may open these pages for their own unit (the server scopes every figure);
// a ward officer's tab shows their own unit's figures.
import { h, replaceChildren } from '../../shared/dom.js';
import './city.css';
import './report.css';
import cityDashboard from './screens/dashboard.js';
import cityMarkets from './screens/markets.js';
import cityReport from './screens/report.js';

const READERS = ['city_officer', 'admin', 'ward_officer'];

/**
 * A screen whose module is loaded on first use (its own chunk, precached by the service worker):
 * the map and its boundaries stay out of every other screen's first load.
 */
function lazyScreen(load) {
  return (ctx, args) => {
    const root = h('section', { class: 'screen city' }, h('p', { class: 'empty' }, ctx.t('city.loading')));
    let inner = null;
    let alive = true;
    load().then((mod) => {
      if (!alive) return;
      inner = mod.default(ctx, args);
      replaceChildren(root, inner.root);
    }, (err) => {
      if (alive) replaceChildren(root, h('p', { class: 'banner banner--bad', role: 'alert' }, ctx.t('city.error.other', { message: String(err?.message ?? err) })));
    });
    return {
      root,
      draw: () => inner?.draw?.(),
      onStatus: (status) => inner?.onStatus?.(status),
      destroy() {
        alive = false;
        inner?.destroy?.();
      },
    };
  };
}

export const routes = [
  { pattern: '/city', name: 'city', screen: cityDashboard, tab: 'city', roles: READERS },
  { pattern: '/city/markets', name: 'city-markets', screen: cityMarkets, tab: 'city', roles: READERS },
  { pattern: '/city/map', name: 'city-map', screen: lazyScreen(() => import('./screens/map.js')), tab: 'city', roles: READERS },
  { pattern: '/city/report', name: 'city-report', screen: cityReport, tab: 'city', roles: READERS },
];

export const tabs = [
  { tab: 'city', href: '/city', labelKey: 'city.tab', icon: 'target', roles: READERS },
];
