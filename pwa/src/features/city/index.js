// The city screens' routes and tabs, merged into main.js's tables.
// A route: {pattern, name, screen, tab?, roles}. A tab: {tab, href, labelKey, icon, roles}.
// Ward officers may open these pages for their own unit (the server scopes every figure);
// a ward officer's tab shows their own unit's figures.
import './city.css';
import './report.css';
import cityDashboard from './screens/dashboard.js';
import cityMarkets from './screens/markets.js';
import cityReport from './screens/report.js';

const READERS = ['city_officer', 'admin', 'ward_officer'];

export const routes = [
  { pattern: '/city', name: 'city', screen: cityDashboard, tab: 'city', roles: READERS },
  { pattern: '/city/markets', name: 'city-markets', screen: cityMarkets, tab: 'city', roles: READERS },
  { pattern: '/city/report', name: 'city-report', screen: cityReport, tab: 'city', roles: READERS },
];

export const tabs = [
  { tab: 'city', href: '/city', labelKey: 'city.tab', icon: 'target', roles: READERS },
];
