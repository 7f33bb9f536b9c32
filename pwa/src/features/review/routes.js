// The review feature as the shell sees it before its code is loaded: URLs, who may open them,
// the tab. The screens, their strings and styles come with ./index.js, its own chunk, loaded on
// first use (app/main.js); the service worker caches it when a reviewer signs in (src/sw).
// A route: {pattern, name, tab?, roles}; ./index.js's `screens` has one screen per route name.
import { reviewRules } from '../../shared/reviewRules.js';

const REVIEWERS = reviewRules.reviewerRoles; // shared_schema/review.json

export const name = 'review';
export const load = () => import('./index.js');

export const routes = [
  { pattern: '/review', name: 'review', tab: 'review', roles: REVIEWERS },
  { pattern: '/review/visits/:id', name: 'review-visit', tab: 'review', roles: REVIEWERS },
];

export const tabs = [{ tab: 'review', href: '/review', labelKey: 'nav.review', icon: 'inbox', roles: REVIEWERS }];
