// The city screens, loaded by the shell when a reader of the figures opens one (./routes.js says
// which URLs); a ward officer's screens show their own unit's figures. Their strings join
// i18n.js's table when this chunk loads.
import { h, replaceChildren } from '../../shared/dom.js';
import { addMessages } from '../../shared/i18n.js';
import messages from './messages.js';
import './city.css';
import './trend.css';
import './print.css';
import './report.css';
import cityDashboard from './screens/dashboard.js';
import cityMarkets from './screens/markets.js';
import cityReport from './screens/report.js';

addMessages(messages);

/**
 * A screen whose module is loaded on first use (its own chunk, cached with the rest of the city
 * feature by the service worker): the map and its boundaries stay out of the other screens' load.
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

/** One screen per route name of ./routes.js. */
export const screens = {
  city: cityDashboard,
  'city-markets': cityMarkets,
  'city-map': lazyScreen(() => import('./screens/map.js')),
  'city-report': cityReport,
};
