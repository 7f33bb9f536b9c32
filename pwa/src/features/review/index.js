// The review screens' routes and tabs, merged into main.js's tables.
// A route: {pattern, name, screen, tab?, roles}. A tab: {tab, href, labelKey, icon, roles}.
import './review.css';

import { reviewRules } from '../../shared/reviewRules.js';
import reviewQueueScreen from './screens/queue.js';
import reviewVisitScreen from './screens/visit.js';

const REVIEWERS = reviewRules.reviewerRoles; // shared_schema/review.json

export const routes = [
  { pattern: '/review', name: 'review', screen: reviewQueueScreen, tab: 'review', roles: REVIEWERS },
  { pattern: '/review/visits/:id', name: 'review-visit', screen: reviewVisitScreen, tab: 'review', roles: REVIEWERS },
];

export const tabs = [{ tab: 'review', href: '/review', labelKey: 'nav.review', icon: 'inbox', roles: REVIEWERS }];
