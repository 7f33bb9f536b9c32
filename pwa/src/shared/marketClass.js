// A market's class badge ("Hạng 1", …, "Chưa phân hạng"), shown by the inspector's picker and
// form and by the admin's market list.
import { h } from './dom.js';
import { MARKET_CLASSES } from './enums.js';

export { MARKET_CLASSES };

/** i18n key of a market class badge ("Hạng 1", …, "Chưa phân hạng"). */
export function classKey(marketClass) {
  return MARKET_CLASSES.includes(String(marketClass))
    ? `market.class.${marketClass}`
    : 'market.class.unclassified';
}

export function marketBadge(t, marketClass) {
  const key = classKey(marketClass);
  return h('span', { class: `badge badge--class-${key.split('.').pop()}` }, t(key));
}
