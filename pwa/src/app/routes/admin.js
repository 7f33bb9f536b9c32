// The admin screens' routes and tabs, merged into main.js's tables.
// A route: {pattern, name, screen, tab?, roles}. A tab: {tab, href, labelKey, icon, roles}.
export const routes = [];
export const tabs = [];
