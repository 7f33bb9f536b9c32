// The review screens, loaded by the shell when a reviewer opens one (./routes.js says which
// URLs). Their strings join i18n.js's table when this chunk loads.
import './review.css';

import { addMessages } from '../../shared/i18n.js';
import messages from './messages.js';
import reviewQueueScreen from './screens/queue.js';
import reviewVisitScreen from './screens/visit.js';

addMessages(messages);

/** One screen per route name of ./routes.js. */
export const screens = {
  review: reviewQueueScreen,
  'review-visit': reviewVisitScreen,
};
