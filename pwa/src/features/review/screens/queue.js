// Duyệt: the officer's queue, built from the phone's replica of their area (so it works with no
// signal), with filters kept in the URL, counts, bulk approval of the filtered set with a
// summary first and the results after, and the audit CSV.
import { h, icon, redraw, replaceChildren } from '../../../shared/dom.js';
import { formatNumber, formatWhen } from '../../../shared/format.js';
import * as review from '../store.js';
import {
  STATUS_FILTERS, applyFilters, bulkCandidates, filterOptions, filtersToQuery, parseFilters, summarize,
} from './queueModel.js';
import {
  complianceChip, farChip, marketName, outcomeNote, personName, rememberQueueHref, statusChip, statusTone, usage, waitingChip,
} from './parts.js';

const PAGE = 50; // cards drawn at a time: a cheap phone stays smooth with hundreds queued
let lastBatchId = null; // the bulk approval whose results are shown (kept while the page lives)

export default function reviewQueueScreen(ctx, { query }) {
  const { t } = ctx;
  const root = h('section', { class: 'screen review', 'aria-labelledby': 'screen-title' });
  const state = {
    loading: true, all: [], names: new Map(), people: {}, filters: parseFilters(query), shown: PAGE,
    confirming: null, batch: null, csvBusy: false, error: '', moreOpen: false,
  };
  const parts = { source: h('div'), list: h('div', { class: 'review-list' }), bulk: h('div', { class: 'review-bulk' }), form: null };
  let lastSignature = '';

  async function load() {
    try {
      const [all, { markets }, people] = await Promise.all([review.listItems(), ctx.store.loadPlaces(), review.people()]);
      state.all = all;
      state.names = new Map(markets.map((m) => [String(m.id), m.name]));
      state.people = people;
      state.batch = lastBatchId ? await review.batch(lastBatchId) : null;
      state.error = '';
    } catch (err) {
      state.error = String(err?.message ?? err);
    }
    const first = state.loading;
    state.loading = false;
    if (first) draw();
    else drawResults();
  }

  function setFilters(patch) {
    state.filters = { ...state.filters, ...patch };
    state.shown = PAGE;
    state.confirming = null;
    const href = `/review${filtersToQuery(state.filters)}`;
    history.replaceState(null, '', href); // every view has a URL, without rebuilding the form
    rememberQueueHref(href);
    drawResults();
  }

  // ------------------------------------------------------------------ filters

  function select(id, label, value, options, onchange) {
    return h('div', { class: 'field review-filter' },
      h('label', { class: 'field__label', for: id }, label),
      h('select', { id, class: 'input', onchange: (e) => onchange(e.target.value) },
        options.map((o) => h('option', { value: o.value, selected: o.value === value ? true : null }, o.label))));
  }

  function filterForm() {
    const f = state.filters;
    const { counts } = applyFilters(state.all, f);
    const opts = filterOptions(state.all, (id) => marketName(t, state.names, id), (id) => personName(t, state.people, id));
    const check = (id, key, label) =>
      h('label', { class: 'choice review-check', for: id },
        h('input', { id, type: 'checkbox', class: 'choice__input', checked: f[key], onchange: (e) => setFilters({ [key]: e.target.checked }) }),
        h('span', null, label));
    const date = (id, key, label) =>
      h('div', { class: 'field review-filter' },
        h('label', { class: 'field__label', for: id }, label),
        h('input', { id, type: 'date', class: 'input', value: f[key], onchange: (e) => setFilters({ [key]: e.target.value }) }));
    const active = ['market', 'inspector', 'from', 'to', 'nc', 'far'].filter((key) => f[key]).length;
    return h('form', { class: 'review-filters', 'aria-label': t('review.filters'), onsubmit: (e) => e.preventDefault() },
      select('rq-status', t('review.filter.status'), f.status,
        STATUS_FILTERS.map((s) => ({ value: s, label: t('review.statusCount', { label: t(`review.status.${s}`), count: counts[s] }) })),
        (status) => setFilters({ status })),
      // The rest folds away on a phone; it opens by itself while one of them is in use.
      h('details', { class: 'review-more', open: state.moreOpen || active > 0 ? true : null, ontoggle: (e) => { state.moreOpen = e.target.open; } },
        h('summary', { class: 'review-more__summary' }, icon('filter'),
          h('span', null, active ? t('review.moreFiltersActive', { count: active }) : t('review.moreFilters'))),
        h('div', { class: 'review-more__body' },
          select('rq-market', t('review.filter.market'), f.market,
            [{ value: '', label: t('review.filter.anyMarket') }, ...opts.markets.map((m) => ({ value: m.id, label: m.name }))],
            (market) => setFilters({ market })),
          select('rq-inspector', t('review.filter.inspector'), f.inspector,
            [{ value: '', label: t('review.filter.anyInspector') }, ...opts.inspectors.map((p) => ({ value: p.id, label: p.name }))],
            (inspector) => setFilters({ inspector })),
          h('div', { class: 'review-dates' }, date('rq-from', 'from', t('review.filter.from')), date('rq-to', 'to', t('review.filter.to'))),
          check('rq-nc', 'nc', t('review.filter.nc')),
          check('rq-far', 'far', t('review.filter.far')),
          active ? h('a', { class: 'link review-clear', href: '/review' }, t('review.filter.clear')) : null)));
  }

  // ------------------------------------------------------------------ list

  function card(item) {
    const { lang } = ctx;
    const href = `/review/visits/${encodeURIComponent(item.id)}`;
    const tone = item.outcome?.status === 'conflict' || item.outcome?.status === 'rejected' ? 'bad' : statusTone(item.status);
    return h('li', { class: `visit visit--${tone} review-card`, dataset: { id: item.id } },
      h('div', { class: 'visit__head' },
        h('a', { class: 'visit__name', href }, marketName(t, state.names, item.market_id)),
        statusChip(t, item.status)),
      h('p', { class: 'visit__meta' },
        [formatWhen(item.observed_at), personName(t, state.people, item.inspector_id), usage(t, lang, item.answers)].filter(Boolean).join(' · ')),
      h('p', { class: 'review-chips' }, complianceChip(t, item.compliant), farChip(t, lang, item), waitingChip(t, item.waiting)),
      outcomeNote(t, item.outcome));
  }

  function drawList(items) {
    const shown = items.slice(0, state.shown);
    const more = items.length - shown.length;
    const empty = state.all.length === 0
      ? t(ctx.app.status.lastSyncedAt ? 'review.emptyReplica' : 'review.neverSynced')
      : t(state.filters.status === 'submitted' ? 'review.emptyQueue' : 'review.empty');
    replaceChildren(parts.list,
      h('p', { class: 'count', role: 'status' }, t('review.count', { count: formatNumber(items.length, ctx.lang) })),
      items.length ? h('ul', { class: 'visits' }, shown.map(card)) : h('p', { class: 'empty' }, empty),
      more > 0
        ? h('button', { type: 'button', id: 'rq-more', class: 'btn btn--ghost btn--block', onclick: () => { state.shown += PAGE; redraw(root, drawResults); } },
          t('review.more', { count: formatNumber(Math.min(more, PAGE), ctx.lang) }))
        : null);
  }

  // ------------------------------------------------------------------ bulk approval

  async function confirmBulk() {
    const ids = state.confirming.ids;
    try {
      const result = await review.bulkApprove(ids);
      lastBatchId = result.batchId;
      state.confirming = null;
      ctx.flash(t('bulk.queued', { count: result.queued }), 'ok');
      await load();
      document.getElementById('rq-batch')?.focus();
    } catch (err) {
      ctx.flash(t(ctx.store.isStorageFull(err) ? 'rv.error.storage_full' : 'rv.error.other', { message: err?.message ?? err }), 'bad');
    }
  }

  function bulkPanel(items) {
    const { lang } = ctx;
    const n = (count) => formatNumber(count, lang);
    const panels = [];
    const b = state.batch;
    if (b) {
      const settled = b.applied + b.duplicate + b.conflict + b.rejected;
      panels.push(h('div', { id: 'rq-batch', class: 'note note--block note--info review-batch', role: 'status', tabindex: '-1' },
        h('p', { class: 'note__title' }, t(b.waiting ? 'bulk.result.titleWaiting' : 'bulk.result.title', { done: n(settled), total: n(b.total) })),
        h('ul', { class: 'plain' },
          h('li', null, t('bulk.result.applied', { count: n(b.applied + b.duplicate) })),
          h('li', null, t('bulk.result.conflict', { count: n(b.conflict) })),
          h('li', null, t('bulk.result.rejected', { count: n(b.rejected) })),
          b.waiting ? h('li', null, t('bulk.result.waiting', { count: n(b.waiting) })) : null,
          b.skipped ? h('li', null, t('bulk.result.skipped', { count: n(b.skipped) })) : null),
        b.conflict ? h('p', null, t('bulk.result.conflictHelp')) : null,
        h('button', { type: 'button', class: 'btn btn--small btn--ghost', onclick: () => { lastBatchId = null; state.batch = null; drawResults(); } }, t('bulk.result.close'))));
    }
    const candidates = state.filters.status === 'submitted' ? bulkCandidates(items) : [];
    if (state.confirming) {
      const s = state.confirming.summary;
      panels.push(h('div', { class: 'card review-confirm', role: 'group', 'aria-labelledby': 'rq-confirm-title' },
        h('h3', { id: 'rq-confirm-title', class: 'list-title', tabindex: '-1' }, t('bulk.title')),
        h('p', null, t('bulk.intro', { count: n(s.visits) })),
        h('ul', { class: 'review-summary' },
          h('li', null, t('bulk.visits', { count: n(s.visits) })),
          h('li', null, t('bulk.markets', { count: n(s.markets) })),
          h('li', null, t('bulk.inspectors', { count: n(s.inspectors) })),
          h('li', { class: s.nonCompliant ? 'review-summary__warn' : null }, t('bulk.nonCompliant', { count: n(s.nonCompliant) })),
          h('li', { class: s.far ? 'review-summary__warn' : null }, t('bulk.far', { count: n(s.far) })),
          h('li', null, t('bulk.noLocation', { count: n(s.noLocation) }))),
        h('p', { class: 'hint' }, t('bulk.hint')),
        h('div', { class: 'row' },
          h('button', { type: 'button', class: 'btn btn--primary', onclick: confirmBulk }, icon('check'), t('bulk.confirm', { count: n(s.visits) })),
          h('button', { type: 'button', class: 'btn btn--ghost', onclick: () => { state.confirming = null; drawResults(); document.getElementById('rq-bulk')?.focus(); } }, t('bulk.cancel')))));
    } else if (candidates.length > 1) {
      panels.push(h('button', {
        type: 'button', id: 'rq-bulk', class: 'btn btn--secondary btn--block',
        onclick: () => {
          state.confirming = { ids: candidates.map((c) => c.id), summary: summarize(candidates) };
          drawResults();
          document.getElementById('rq-confirm-title')?.focus();
        },
      }, icon('check'), t('bulk.button', { count: n(candidates.length) })));
    }
    replaceChildren(parts.bulk, panels);
  }

  /** Where the list comes from: the phone's copy, as of the last sync (offline: said loudly). */
  function drawSource() {
    const status = ctx.app.status;
    replaceChildren(parts.source, !status.online
      ? h('p', { class: 'note note--warn' }, icon('alert'), ' ', t('review.offline'))
      : h('p', { class: 'hint' }, status.lastSyncedAt ? t('review.replicaAsOf', { time: formatWhen(status.lastSyncedAt) }) : t('review.neverSynced')));
  }

  function drawResults({ form = true } = {}) {
    const { items } = applyFilters(state.all, state.filters);
    drawSource();
    bulkPanel(items);
    drawList(items);
    if (form && parts.form) {
      // Counts in the status options follow the other filters.
      const fresh = filterForm();
      const active = document.activeElement?.id;
      parts.form.replaceWith(fresh);
      parts.form = fresh;
      if (active && fresh.querySelector(`#${active}`)) document.getElementById(active).focus({ preventScroll: true });
    }
  }

  // ------------------------------------------------------------------ CSV

  async function downloadCsv() {
    if (!ctx.app.status.online) return ctx.flash(t('review.csvOffline'), 'warn');
    state.csvBusy = true;
    draw();
    try {
      const file = await review.downloadDecisionsCsv();
      ctx.flash(t('review.csvDone', { file }), 'ok');
    } catch (err) {
      ctx.flash(t(err?.name === 'NetworkError' ? 'review.csvOffline' : 'review.csvFailed', { message: err?.message ?? err }), 'bad');
    }
    state.csvBusy = false;
    redraw(root, draw);
  }

  function draw() {
    const title = h('h2', { id: 'screen-title', class: 'screen__title', tabindex: '-1' }, t('review.title'));
    if (state.loading) return replaceChildren(root, title, h('p', { class: 'empty' }, t('review.loading')));
    parts.form = filterForm();
    replaceChildren(root, title, parts.source, state.error ? h('p', { class: 'error-box', role: 'alert' }, state.error) : null,
      parts.form, parts.bulk, parts.list,
      h('div', { class: 'review-footer' },
        h('button', { type: 'button', id: 'rq-csv', class: 'btn btn--ghost', disabled: state.csvBusy, onclick: downloadCsv },
          icon('download'), t(state.csvBusy ? 'review.csvBusy' : 'review.csv'))));
    drawResults({ form: false });
  }

  function onStatus(s) {
    const signature = `${s.syncing}|${s.pending}|${s.lastSyncedAt}|${s.online}`;
    if (signature === lastSignature) return;
    const wasOnline = lastSignature.endsWith('|true');
    lastSignature = signature;
    drawSource();
    if (s.online && !wasOnline) review.refreshPeople().then((ok) => ok && load());
    if (!s.syncing) load();
  }

  const s0 = ctx.app.status;
  lastSignature = `${s0.syncing}|${s0.pending}|${s0.lastSyncedAt}|${s0.online}`;
  rememberQueueHref(`/review${filtersToQuery(state.filters)}`);
  draw();
  load();
  if (s0.online) review.refreshPeople().then((ok) => ok && load());
  return { root, titleKey: 'review.title', draw: () => redraw(root, draw), onStatus };
}
