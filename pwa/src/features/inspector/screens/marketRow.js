// One market of the picker's list: name, class, place, "due for inspection" since when, a draft
// waiting, the last visit (in the recent list), the distance. A pure renderer of the screen's facts.
import { h, icon } from '../../../shared/dom.js';
import { formatDistance, formatWhen } from '../../../shared/format.js';
import { marketBadge } from '../../../shared/marketClass.js';

/**
 * @param item {entry: {id, market, wardName, districtName}, due, lastVisitAt, distance_m}
 * @param options {recent: boolean, hasDraft: boolean, lastVisitDue: time of the last visit
 *   the due list knows, or null when never visited}
 */
export function marketRow({ t, lang }, item, { recent, hasDraft, lastVisitDue }) {
  const { market, wardName, districtName } = item.entry;
  const place = [wardName, districtName].filter(Boolean).join(' · ');
  return h(
    'li',
    { class: 'market' },
    h(
      'a',
      { class: 'market__link', href: `/visit/new?market=${encodeURIComponent(market.id)}` },
      h('span', { class: 'market__main' },
        h('span', { class: 'market__title' },
          h('span', { class: 'market__name' }, market.name), ' ', marketBadge(t, market.market_class)),
        place ? h('span', { class: 'market__meta' }, place) : null,
        item.due
          ? h('span', { class: 'market__meta market__due' },
              h('span', { class: 'chip chip--warn' }, icon('clock'), t('markets.due.badge')),
              ' ',
              lastVisitDue
                ? t('markets.due.since', { when: formatWhen(new Date(lastVisitDue)) })
                : t('markets.due.never'))
          : null,
        hasDraft
          ? h('span', { class: 'market__draft' }, icon('edit'), t('markets.draft'))
          : null,
        recent && item.lastVisitAt
          ? h('span', { class: 'market__recent' }, t('markets.lastVisit', { when: formatWhen(new Date(item.lastVisitAt)) }))
          : null,
      ),
      item.distance_m !== null
        ? h('span', { class: 'market__distance' }, formatDistance(item.distance_m, lang))
        : null,
      icon('chevron', 'market__chevron'),
    ),
  );
}
