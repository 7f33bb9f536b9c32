// Chọn chợ: search with or without diacritics, recently visited on top, nearest first; markets
// not visited for N days are marked "Cần kiểm tra" and can be listed alone (the list comes from
// GET /markets/overdue when online and is kept for offline use; it never holds the picker up).
import { h, icon, replaceChildren } from '../../../shared/dom.js';
import { draftMarketIds } from '../drafts.js';
import { getPosition, positionErrorKey } from '../location.js';
import {
  compactOverdue,
  dueMarkets,
  indexMarkets,
  lastVisitTimes,
  orderMarkets,
} from '../marketList.js';
import * as visitStore from '../store.js';
import { marketRow } from './marketRow.js';

const PAGE = 60; // rows drawn at once; "show more" adds the next page

// Kept while the app is open, so coming back to the list keeps the search and the position.
const memory = { query: '', position: null, positionAt: 0, onlyDue: false };
const POSITION_FRESH_MS = 2 * 60 * 1000;

const todayText = () => {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

export default function marketsScreen(ctx) {
  const { store } = ctx;
  const userId = ctx.app.session?.user?.id ?? null;
  const root = h('section', { class: 'screen', 'aria-labelledby': 'screen-title' });
  const state = {
    loading: true,
    entries: [],
    lastVisits: new Map(),
    geo: memory.position ? 'ok' : 'idle', // idle | locating | ok | error
    geoError: null,
    limit: PAGE,
    overdue: visitStore.cachedOverdue(userId) ?? null, // kept copy: marks work offline at once
    due: new Map(),
  };
  let listEl = null;
  let countEl = null;
  let geoEl = null;
  let dueEl = null;
  let timer = 0;
  let lastSyncSeen = ctx.app.status.lastSyncedAt;

  async function load() {
    try {
      const [{ markets, orgUnits }, visits] = await Promise.all([store.loadPlaces(), visitStore.listVisits()]);
      const lastVisits = lastVisitTimes(visits);
      // A sync that changed nothing the list shows does not redraw it under the inspector's thumb.
      const signature = `${markets.length}|${orgUnits.length}|${[...lastVisits].join(',')}`;
      if (!state.loading && signature === state.signature) return;
      state.signature = signature;
      state.entries = indexMarkets(markets, orgUnits, todayText());
      state.lastVisits = lastVisits;
      state.due = dueMarkets(state.overdue, lastVisits, Date.now());
      state.loadError = '';
    } catch (err) {
      state.entries = [];
      state.loadError = String(err?.message ?? err);
    }
    state.loading = false;
    drawList();
  }

  /** In the background: the picker is drawn from what the phone holds, whatever happens here. */
  async function refreshOverdue(force = false) {
    const overdue = await visitStore.refreshOverdue(userId, compactOverdue, { force });
    if (!overdue || overdue === state.overdue) return;
    state.overdue = overdue;
    state.due = dueMarkets(overdue, state.lastVisits, Date.now());
    if (!state.loading) drawList();
  }

  async function locate(manual = false) {
    state.manual = manual;
    state.geoError = null;
    state.geo = 'locating';
    drawGeo();
    try {
      const fix = await getPosition({ highAccuracy: false });
      memory.position = { lat: fix.lat, lon: fix.lon };
      memory.positionAt = Date.now();
      state.geo = 'ok';
    } catch (err) {
      state.geo = memory.position ? 'ok' : 'error'; // an earlier fix still orders the list
      state.geoError = positionErrorKey(err);
    }
    drawGeo();
    drawList();
  }

  function drawGeo() {
    if (!geoEl) return;
    const { t } = ctx;
    const text =
      state.geo === 'locating'
        ? t('markets.geo.locating')
        : state.geo === 'ok'
          ? t('markets.geo.nearest')
          : state.geo === 'error'
            ? t('markets.geo.failed')
            : t('markets.geo.byName');
    replaceChildren(
      geoEl,
      h('span', { class: 'geo-line__text' }, icon('pin'), ' ', text),
      state.geo === 'locating'
        ? null
        : h('button', { type: 'button', class: 'btn btn--ghost btn--small', onclick: () => locate(true) },
            t(state.geo === 'ok' ? 'markets.geo.refresh' : 'markets.geo.locate')),
      // Why there is no fix, once the inspector asked for one (not on the automatic try).
      state.geoError && state.manual && state.geo !== 'locating' ? h('p', { class: 'hint geo-line__why' }, t(state.geoError)) : null,
    );
  }

  let drafts = new Set();

  // One market of the list (./marketRow.js), with what this screen knows about it.
  const row = (item, recent) => marketRow(ctx, item, { recent, hasDraft: drafts.has(item.entry.id), lastVisitDue: state.due.get(item.entry.id) });

  function drawDueFilter(dueCount) {
    if (!dueEl) return;
    const { t } = ctx;
    if (!dueCount && !memory.onlyDue) {
      replaceChildren(dueEl);
      return;
    }
    replaceChildren(
      dueEl,
      h('button', {
        type: 'button',
        class: 'btn btn--ghost btn--small',
        'aria-pressed': String(memory.onlyDue),
        onclick: () => {
          memory.onlyDue = !memory.onlyDue;
          state.limit = PAGE;
          drawList();
        },
      }, icon(memory.onlyDue ? 'check' : 'filter'), ' ', t('markets.due.filter', { count: dueCount })),
      h('span', { class: 'hint' }, t('markets.due.hint', { days: state.overdue?.days ?? 30 })),
    );
  }

  function drawList() {
    if (!listEl) return;
    const { t } = ctx;
    if (state.loading) {
      replaceChildren(listEl, h('p', { class: 'empty' }, t('markets.loading')));
      countEl.textContent = '';
      return;
    }
    if (!state.entries.length) {
      const offline = !ctx.app.status.online;
      replaceChildren(
        listEl,
        h('div', { class: 'empty' },
          h('p', null, t(ctx.app.status.syncing ? 'markets.emptySyncing' : offline ? 'markets.emptyOffline' : 'markets.empty')),
          state.loadError ? h('p', { class: 'hint' }, state.loadError) : null,
        ),
      );
      countEl.textContent = '';
      return;
    }
    drafts = draftMarketIds();
    const position = state.geo === 'ok' ? memory.position : null;
    const { recent, others, total, dueCount } = orderMarkets(state.entries, {
      query: memory.query,
      position,
      lastVisits: state.lastVisits,
      due: state.due,
      onlyDue: memory.onlyDue,
    });
    drawDueFilter(dueCount);
    countEl.textContent = memory.query
      ? t('markets.countFound', { count: total })
      : t('markets.count', { count: total });
    if (!total && memory.onlyDue) {
      replaceChildren(listEl, h('p', { class: 'empty' }, t('markets.due.none')));
      return;
    }
    if (!total) {
      replaceChildren(listEl, h('p', { class: 'empty' }, t('markets.noMatch', { query: memory.query })));
      return;
    }
    const shown = others.slice(0, state.limit);
    replaceChildren(
      listEl,
      recent.length
        ? [h('h3', { class: 'list-title' }, t('markets.recent')), h('ul', { class: 'markets' }, recent.map((i) => row(i, true)))]
        : null,
      shown.length
        ? [
            h('h3', { class: 'list-title' },
              t(memory.onlyDue ? 'markets.due.title' : position ? 'markets.nearest' : 'markets.all')),
            h('ul', { class: 'markets' }, shown.map((i) => row(i, false))),
          ]
        : null,
      others.length > shown.length
        ? h('button', {
            type: 'button',
            class: 'btn btn--ghost btn--block',
            onclick: () => {
              state.limit += PAGE;
              drawList();
            },
          }, t('markets.more', { count: others.length - shown.length }))
        : null,
    );
  }

  function draw() {
    const { t } = ctx;
    const search = h('input', {
      id: 'market-search',
      type: 'search',
      class: 'search__input',
      value: memory.query,
      autocomplete: 'off',
      autocorrect: 'off',
      spellcheck: 'false',
      enterkeyhint: 'search',
      placeholder: t('markets.searchPlaceholder'),
      'aria-describedby': 'market-count',
      'aria-controls': 'market-list',
      oninput: (event) => {
        clearTimeout(timer);
        const value = event.target.value;
        timer = setTimeout(() => {
          memory.query = value;
          state.limit = PAGE;
          drawList();
        }, 120);
      },
      onkeydown: (event) => {
        if (event.key === 'Enter') event.target.blur(); // closes the keyboard to show the list
      },
    });
    geoEl = h('div', { class: 'geo-line', role: 'status' });
    dueEl = h('div', { class: 'geo-line' });
    countEl = h('p', { id: 'market-count', class: 'count', role: 'status' });
    listEl = h('div', { id: 'market-list', class: 'market-list' });
    replaceChildren(
      root,
      h('h2', { id: 'screen-title', class: 'screen__title', tabindex: '-1' }, t('markets.title')),
      h('div', { class: 'search', role: 'search' },
        h('label', { class: 'field__label', htmlFor: 'market-search' }, t('markets.searchLabel')),
        h('div', { class: 'search__box' }, icon('search', 'search__icon'), search),
      ),
      geoEl,
      dueEl,
      countEl,
      listEl,
    );
    drawGeo();
    drawList();
  }

  function onStatus(status) {
    // The first pull has brought the markets: load them.
    if (status.lastSyncedAt !== lastSyncSeen && !status.syncing) {
      lastSyncSeen = status.lastSyncedAt;
      load();
      refreshOverdue();
    } else if (!state.entries.length) drawList();
  }

  draw();
  load();
  refreshOverdue();
  if (!memory.position || Date.now() - memory.positionAt > POSITION_FRESH_MS) locate();
  return { root, titleKey: 'markets.title', draw, onStatus, destroy: () => clearTimeout(timer) };
}
