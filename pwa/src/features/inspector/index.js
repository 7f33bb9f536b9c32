// The inspector's screens: routes and tabs merged into main.js's tables, and the count of visits
// that need the inspector (the "Lượt kiểm tra" tab badge).
// A route: {pattern, name, screen, tab?, roles}. A tab: {tab, href, labelKey, icon, roles}.
import './inspector.css';

import marketsScreen from './screens/markets.js';
import visitDetailScreen from './screens/visitDetail.js';
import visitFormScreen from './screens/visitForm.js';
import visitsScreen from './screens/visits.js';
import { listVisits } from './store.js';
import { needsAction } from './visitModel.js';

const INSPECTOR = ['inspector'];

export const routes = [
  { pattern: '/markets', name: 'markets', screen: marketsScreen, tab: 'markets', roles: INSPECTOR },
  { pattern: '/visit/new', name: 'visit-new', screen: visitFormScreen, tab: 'markets', roles: INSPECTOR },
  { pattern: '/visits', name: 'visits', screen: visitsScreen, tab: 'visits', roles: INSPECTOR },
  { pattern: '/visits/:id', name: 'visit', screen: visitDetailScreen, tab: 'visits', roles: INSPECTOR },
  { pattern: '/visits/:id/edit', name: 'visit-edit', screen: visitFormScreen, tab: 'visits', roles: INSPECTOR },
];

export const tabs = [
  { tab: 'markets', href: '/markets', labelKey: 'nav.markets', icon: 'store', roles: INSPECTOR },
  { tab: 'visits', href: '/visits', labelKey: 'nav.visits', icon: 'list', roles: INSPECTOR, badge: true },
];

/** How many of the inspector's visits need them (returned, refused, in conflict). */
export async function actionCount() {
  return (await listVisits()).filter((v) => needsAction(v.state)).length;
}
