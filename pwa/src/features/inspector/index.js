// The inspector's screens, loaded by the shell when an inspector opens one (./routes.js says
// which URLs), and the count of visits that need the inspector (the "Lượt kiểm tra" tab badge).
// Their strings stay in i18n.js's first table: the review screens reuse some of them.
import './inspector.css';

import marketsScreen from './screens/markets.js';
import visitDetailScreen from './screens/visitDetail.js';
import visitFormScreen from './screens/visitForm.js';
import visitsScreen from './screens/visits.js';
import { listVisits } from './store.js';
import { needsAction } from './visitModel.js';

/** One screen per route name of ./routes.js. */
export const screens = {
  markets: marketsScreen,
  'visit-new': visitFormScreen,
  visits: visitsScreen,
  visit: visitDetailScreen,
  'visit-edit': visitFormScreen,
};

/** How many of the inspector's visits need them (returned, refused, in conflict). */
export async function actionCount() {
  return (await listVisits()).filter((v) => needsAction(v.state)).length;
}
