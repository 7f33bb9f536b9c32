// Danh sách chợ: every market of the unit and period with its status and evidence (observed at,
// inspector, reviewer, decided at), filtered by status from the URL; each evidence opens the
// visit's review page with its photos.
import { h, icon, redraw, replaceChildren } from '../../../shared/dom.js';
import { loadMarkets } from '../store.js';
import { formatCount, periodLabel } from './format.js';
import { filterMarkets, partitionMarkets } from './model.js';
import { cityHref, readQuery } from './period.js';
import { placeFor } from './place.js';
import { breadcrumb, finalBadge, marketTable, marketsHref, problemNote, title } from './widgets.js';

const STATUSES = ['', 'compliant', 'non_compliant', 'not_assessed', 'pending_review'];

export default function cityMarkets(ctx, { query }) {
  const view = readQuery(query);
  const status = STATUSES.includes(view.status) ? view.status : '';
  const root = h('section', { class: 'screen city', 'aria-labelledby': 'screen-title' });
  const state = { loading: true, result: null, error: null, place: null, search: '' };
  let alive = true;
  let synced = ctx.app.status?.lastSyncedAt ?? null;
  const placeOfResult = () => placeFor(ctx, state.result?.data
    ? { org_unit: state.result.data.org_unit, period: state.result.data.period, breakdown: [] } : null);

  async function load() {
    try {
      state.result = await loadMarkets({ period: view.period.id, orgUnit: view.orgUnit, status });
      state.error = null;
    } catch (err) {
      state.error = err;
    }
    if (!alive) return;
    state.place = await placeOfResult();
    state.loading = false;
    if (alive) redraw(root, draw);
  }

  function matches(item) {
    const needle = state.search.trim().toLocaleLowerCase('vi');
    if (!needle) return true;
    return [item.market?.name, item.market?.code, item.ward?.name, item.district?.name]
      .some((text) => String(text ?? '').toLocaleLowerCase('vi').includes(needle));
  }

  function draw() {
    const { t, lang } = ctx;
    const body = state.result?.data;
    const head = [
      title(t('city.markets.title')),
      h('a', { class: 'link', href: cityHref('/city', { period: view.period.id, org_unit: view.orgUnit }) }, icon('back'), t('city.back')),
    ];
    if (state.loading) {
      replaceChildren(root, head, h('p', { class: 'empty' }, t('city.loading')));
      return;
    }
    if (!body) {
      replaceChildren(root, head, problemNote(t, state.error, { retry: load }));
      return;
    }
    const items = filterMarkets(body.markets, status);
    const shown = items.filter(matches);
    const counts = partitionMarkets(body.markets);
    const filters = h('nav', { class: 'row chips-nav', 'aria-label': t('city.markets.filter') },
      STATUSES.map((s) => h('a', { class: 'btn btn--small btn--ghost', href: marketsHref(view.period, view.orgUnit, s), 'aria-current': s === status ? 'page' : null },
        t(s ? `city.status.${s}` : 'city.markets.all'))));
    const search = h('input', { id: 'city-market-search', class: 'input', type: 'search', value: state.search, placeholder: t('city.markets.searchHint') });
    search.addEventListener('input', () => {
      state.search = search.value;
      redraw(root, draw);
    });
    replaceChildren(root,
      head,
      breadcrumb(ctx, state.place.path, body.org_unit, (id) => marketsHref(view.period, id, status)),
      state.result.stale ? problemNote(t, null, { stale: true, fetchedAt: state.result.fetchedAt, retry: load }) : null,
      h('p', { class: 'city-period' }, t('city.markets.scope', { period: periodLabel(t, view.period), unit: body.org_unit?.name ?? '' })),
      finalBadge(t, body),
      filters,
      h('div', { class: 'field' }, h('label', { class: 'field__label', htmlFor: 'city-market-search' }, t('city.markets.search')), search),
      h('p', { class: 'count', role: 'status' }, t('city.markets.count', { shown: formatCount(shown.length, lang), total: formatCount(items.length, lang) }),
        status === '' ? ` — ${t('city.markets.split', { ok: formatCount(counts.compliant.length, lang), bad: formatCount(counts.nonCompliant.length, lang), none: formatCount(counts.notAssessed.length, lang) })}` : null),
      shown.length ? marketTable(ctx, shown) : h('p', { class: 'empty' }, t('city.list.none')));
  }

  load();
  return {
    root,
    draw: () => redraw(root, draw),
    onStatus(s) {
      if (s.online && state.result?.stale) load();
      else if (!s.syncing && s.lastSyncedAt !== synced) {
        // A pull finished: the replica may now hold the units the pickers offer (a first
        // sign-in lands here while its first sync is still filling the replica).
        synced = s.lastSyncedAt;
        if (state.loading) return;
        placeOfResult().then((place) => {
          if (!alive || state.loading) return;
          state.place = place;
          redraw(root, draw);
        });
      }
    },
    destroy() {
      alive = false;
    },
  };
}
