// One visit for the officer: the answers with the form's labels, the location check, photos,
// the decision history, and the decision itself (queued in the outbox, so it works offline).
import { h, icon, redraw, replaceChildren } from '../../../shared/dom.js';
import { formatDistance, formatNumber, formatWhen } from '../../../shared/format.js';
import { buildFormModel } from '../../../shared/formModel.js';
import * as review from '../store.js';
import { placeSketch } from './placeSketch.js';
import { changedSinceDecision, decisionsOf, latestVersion, versionsSection } from './versions.js';
import { FAR_M, isFar } from './queueModel.js';
import {
  complianceChip, decisionLabel, farChip, lastQueueHref, marketName, outcomeNote, personName, statusChip, waitingChip,
} from './parts.js';

const BUTTON_LOOK = { approve: ['btn--primary', 'check'], return: ['btn--warn', 'undo'], reject: ['btn--danger', 'cross'], reopen: ['btn--secondary', 'undo'] };

/**
 * Where "back" goes: the city screen the official came from (?from=/city…, its period and
 * unit kept), else the review queue with its filters.
 */
function backTarget(t, query) {
  const from = query?.get?.('from') ?? '';
  if (/^\/city(\/|\?|$)/.test(from)) {
    const key = from.startsWith('/city/map') ? 'rv.backMap' : from.startsWith('/city/markets') ? 'rv.backMarkets' : 'rv.backDashboard';
    return { href: from, label: t(key) };
  }
  return { href: lastQueueHref(), label: t('rv.back') };
}

export default function reviewVisitScreen(ctx, { params, query }) {
  const { t } = ctx;
  const root = h('section', { class: 'screen review', 'aria-labelledby': 'screen-title' });
  const state = {
    loading: true, item: null, remote: null, form: null, names: new Map(), people: {},
    history: { state: 'idle', list: [] }, comment: '', commentError: '', busy: false,
  };
  const photoList = h('ul', { class: 'thumbs review-photos' });
  let lastSignature = '';

  async function load() {
    try {
      const [item, form, { markets }, people] = await Promise.all([
        review.getItem(params.id), ctx.store.loadForm(), ctx.store.loadPlaces(), review.people(),
      ]);
      const photosChanged = JSON.stringify(item?.attachments) !== JSON.stringify(shown()?.attachments);
      Object.assign(state, { item, form, people, names: new Map(markets.map((m) => [String(m.id), m.name])), points: new Map(markets.map((m) => [String(m.id), m])) });
      if (item) state.remote = null;
      if (photosChanged) loadPhotos();
    } catch (err) {
      state.error = String(err?.message ?? err);
    }
    state.loading = false;
    redraw(root, draw);
  }

  async function loadHistory() {
    if (!ctx.app.status.online) {
      state.history = { state: 'offline', list: [] };
      return redraw(root, draw);
    }
    state.history = { state: 'loading', list: state.history.list };
    const answer = await review.history(params.id);
    if (answer.offline) state.history = { state: 'offline', list: [] };
    else if (answer.error) state.history = { state: 'error', list: [], message: answer.error.message };
    else state.history = { state: 'ready', list: answer.history };
    if (answer.record?.inspector) {
      // The server's names (a visit opened from a link): kept for next time, offline too.
      const known = [answer.record.inspector, ...answer.history.map((i) => i.by && { id: i.by.id, username: i.by.username, display_name: i.by.name })].filter(Boolean);
      await review.rememberPeople(known);
      state.people = await review.people();
    }
    if (!state.item && answer.record) {
      // Opened from a link (the city dashboard) before the phone holds it: show the server's copy.
      state.remote = review.itemOf(answer.record);
      loadPhotos();
    }
    redraw(root, draw);
  }

  /** The phone's copy, else the server's (read only). */
  const shown = () => state.item ?? state.remote;

  // ------------------------------------------------------------------ photos

  function loadPhotos() {
    const item = shown();
    const shas = item?.attachments ?? [];
    replaceChildren(photoList, shas.map((sha, i) => {
      const slot = h('li', { class: 'thumb review-photo' }, h('span', { class: 'thumb__img thumb__img--none' }, icon('image'), t('rv.photoLoading')));
      if (item.missing_attachments.includes(sha)) {
        replaceChildren(slot, h('span', { class: 'thumb__img thumb__img--none' }, icon('image'), t('rv.photoMissing')));
        return slot;
      }
      review.photoUrl(sha).then(
        (url) => replaceChildren(slot, h('a', { href: url, target: '_blank', rel: 'noopener' },
          h('img', { class: 'thumb__img review-photo__img', src: url, alt: t('rv.photoAlt', { n: i + 1 }), width: '160', height: '160' }))),
        (err) => replaceChildren(slot, h('span', { class: 'thumb__img thumb__img--none' }, icon('image'),
          t(err?.name === 'NetworkError' ? 'rv.photoOffline' : 'rv.photoFailed'))),
      );
      return slot;
    }));
  }

  // ------------------------------------------------------------------ deciding

  async function decide(decision) {
    const comment = document.getElementById('rv-comment')?.value ?? state.comment;
    state.comment = comment;
    if (review.needsComment(decision) && !comment.trim()) {
      state.commentError = t(`rv.commentRequired.${decision}`);
      redraw(root, draw);
      document.getElementById('rv-comment')?.focus();
      return;
    }
    state.commentError = '';
    state.busy = true;
    redraw(root, draw);
    try {
      await review.decide(params.id, decision, comment);
      ctx.flash(t('rv.saved', { decision: decisionLabel(t, decision) }), 'ok');
      state.busy = false;
      ctx.navigate(backTarget(t, query).href);
    } catch (err) {
      state.busy = false;
      const code = ctx.store.isStorageFull(err) ? 'storage_full' : err?.code;
      const known = ['sending', 'invalid_transition', 'forbidden', 'not_found', 'storage_full', 'comment_too_long', 'comment_required'];
      ctx.flash(known.includes(code) ? t(`rv.error.${code}`) : t('rv.error.other', { message: err?.message ?? err }), 'bad');
      await load();
    }
  }

  async function cancelWaiting() {
    const done = await review.cancel(params.id);
    ctx.flash(t(done ? 'rv.cancelled' : 'rv.error.sending'), done ? 'ok' : 'warn');
    await load();
  }

  function decidePanel(item) {
    if (!state.item) return h('p', { class: 'note note--info' }, t('rv.notLocal'));
    const role = ctx.app.session?.user?.role;
    const decisions = review.decisionsFor(item.status, role); // shared_schema/review.json
    if (item.waiting?.sending) return null; // it may be applied already: wait for the answer
    if (!decisions.length) {
      if (item.status === 'returned') return h('p', { class: 'note note--info' }, t('rv.returnedNote'));
      return h('p', { class: 'locked' }, icon('lock'), h('span', null, t('rv.locked', { status: t(`review.status.${item.status}`) })));
    }
    const reopen = decisions[0] === 'reopen';
    const help = reopen ? t('rv.reopenHelp') : t('rv.commentHelp');
    return h('form', { class: 'card review-decide', 'aria-labelledby': 'rv-decide-title', onsubmit: (e) => e.preventDefault() },
      h('h3', { id: 'rv-decide-title', class: 'list-title' }, t(reopen ? 'rv.reopenTitle' : 'rv.decide')),
      h('div', { class: 'field' },
        h('label', { class: 'field__label', for: 'rv-comment' }, t(reopen ? 'rv.reopenReason' : 'rv.comment')),
        h('p', { id: 'rv-comment-help', class: 'field__help' }, help),
        h('textarea', {
          id: 'rv-comment', class: 'input', rows: '3', maxlength: String(review.MAX_COMMENT), value: state.comment,
          'aria-describedby': state.commentError ? 'rv-comment-help rv-comment-error' : 'rv-comment-help',
          'aria-invalid': state.commentError ? 'true' : null,
          oninput: (e) => { state.comment = e.target.value; },
        }),
        state.commentError ? h('p', { id: 'rv-comment-error', class: 'field__error', role: 'alert' }, state.commentError) : null),
      h('div', { class: 'row review-actions' }, decisions.map((d) => {
        const [look, glyph] = BUTTON_LOOK[d];
        return h('button', { type: 'button', class: `btn ${look}`, disabled: state.busy, dataset: { decision: d }, onclick: () => decide(d) }, icon(glyph), t(`rv.do.${d}`));
      })));
  }

  // ------------------------------------------------------------------ reading

  function answerText(field, value) {
    const { lang } = ctx;
    if (value === undefined || value === null || value === '') return t('detail.blank');
    if (field.kind === 'boolean') return t(value ? 'form.yes' : 'form.no');
    if (field.kind === 'integer') return typeof value === 'number' ? formatNumber(value, lang) : String(value);
    if (field.kind === 'choices') {
      if (!Array.isArray(value) || !value.length) return t('detail.blank');
      return value.map((v) => field.options.find((o) => o.value === v)?.label ?? v).join(', ');
    }
    return String(value);
  }

  function locationCheck(item) {
    const { lang } = ctx;
    if (!item.location) return h('span', null, t('rv.noLocation'));
    const parts = [t('geo.accuracy', { accuracy: formatNumber(item.location.accuracy_m ?? 0, lang) })];
    if (typeof item.distance_m === 'number') parts.unshift(t('geo.distance', { distance: formatDistance(item.distance_m, lang) }));
    else parts.push(t('rv.noMarketPoint'));
    return h('div', null, parts.join(' · '),
      isFar(item) ? h('span', { class: 'review-far' }, icon('alert'), t('rv.farWarn', { limit: FAR_M })) : null,
      placeSketch(t, lang, item, state.points?.get(String(item.market_id)), item.distance_m));
  }

  function historySection(item) {
    const hs = state.history;
    let body;
    if (hs.state === 'ready') {
      const decisions = decisionsOf(hs.list);
      body = decisions.length
        ? h('ol', { class: 'review-history' }, decisions.map((d) =>
          h('li', null,
            h('p', null, h('strong', null, t(`review.decided.${d.decision}`)), ' — ',
              state.people?.[d.reviewer_id] ? personName(t, state.people, d.reviewer_id) : d.reviewer_name || d.reviewer_username, ', ', formatWhen(d.decided_at)),
            d.comment ? h('blockquote', { class: 'quote' }, d.comment) : null)))
        : h('p', { class: 'hint' }, t('rv.historyEmpty'));
    } else {
      const latest = item.review
        ? h('div', null, h('p', null, t('rv.historyLatest', { decision: t(`review.decided.${item.review.decision}`), when: formatWhen(item.review.decided_at) })),
          item.review.comment ? h('blockquote', { class: 'quote' }, item.review.comment) : null)
        : null;
      const note = { offline: t('rv.historyOffline'), loading: t('rv.historyLoading'), error: t('rv.historyError', { message: hs.message ?? '' }) }[hs.state] ?? '';
      body = [note ? h('p', { class: hs.state === 'loading' ? 'hint' : 'note note--warn' }, note) : null, latest];
    }
    return [h('h3', { class: 'list-title' }, t('rv.history')), body];
  }

  function draw() {
    const { lang } = ctx;
    const target = backTarget(t, query);
    const back = h('a', { class: 'link back', href: target.href, dataset: { back: '' } }, icon('back'), target.label);
    const title = h('h2', { id: 'screen-title', class: 'screen__title', tabindex: '-1' }, t('rv.title'));
    if (state.loading) return replaceChildren(root, back, title, h('p', { class: 'empty' }, t('review.loading')));
    const item = shown();
    if (!item) {
      const waiting = state.history.state === 'loading' || state.history.state === 'idle';
      return replaceChildren(root, back, title, h('p', { class: 'empty' }, state.error || t(waiting ? 'review.loading' : 'rv.notFound')));
    }
    const model = buildFormModel(state.form, lang);
    const ready = state.history.state === 'ready';
    const list = ready ? state.history.list : [];
    const since = ready ? changedSinceDecision(list, ctx.app.session?.user?.id) : {};
    const byField = new Map(model.map((field) => [field.name, field]));
    const labelOf = (name) => byField.get(name)?.label ?? t(`rv.field.${name}`);
    const before = (name, value) => {
      if (!(name in since)) return value;
      const old = since[name][0];
      const text = byField.has(name) ? answerText(byField.get(name), old)
        : name === 'observed_at' ? formatWhen(old) : name === 'attachments' ? String(old?.length ?? 0)
          : name === 'location' && old ? `${old.lat}, ${old.lon}` : name === 'market_id' ? marketName(t, state.names, old) : t('detail.blank');
      return [h('span', { class: 'chip chip--warn review-changed__chip' }, icon('edit'), h('span', null, t('rv.changedSince'))), ' ', value,
        h('span', { class: 'review-changed__before' }, t('rv.before', { value: text }))];
    };
    const latest = latestVersion(list);
    const versionCount = list.filter((i) => i.event === 'submit' || i.event === 'edit').length;
    const received = latest
      ? [formatWhen(latest.at), versionCount > 1
        ? [' ', h('span', { class: `chip ${Object.keys(since).length ? 'chip--warn' : 'chip--info'}`, dataset: { newVersion: String(versionCount) } }, icon('edit'),
          h('span', null, t(Object.keys(since).length ? 'rv.newVersion' : 'rv.versionMark', { n: versionCount })))]
        : null]
      : formatWhen(item.received_at);
    const rows = [
      ['', t('rv.inspector'), personName(t, state.people, item.inspector_id)],
      ['market_id', t('rv.field.market_id'), marketName(t, state.names, item.market_id)],
      ['observed_at', t('rv.observed'), formatWhen(item.observed_at)],
      ['', t('rv.received'), received],
      ...model.map((field) => [field.name, field.label, answerText(field, item.answers[field.name])]),
      ['location', t('rv.location'), locationCheck(item)],
    ].filter(([name]) => name !== 'market_id' || name in since);
    const changedCount = Object.keys(since).length;
    const waiting = item.waiting
      ? h('div', { class: 'note note--block note--warn', role: 'status' },
        h('p', { class: 'note__title' }, t(item.waiting.sending ? 'rv.waitingSending' : 'rv.waiting', { decision: decisionLabel(t, item.waiting.decision) })),
        item.waiting.comment ? h('blockquote', { class: 'quote' }, item.waiting.comment) : null,
        item.waiting.sending ? null : h('button', { type: 'button', class: 'btn btn--small btn--ghost', onclick: cancelWaiting }, t('rv.cancel')))
      : null;
    replaceChildren(root, back, title,
      h('div', { class: 'market-card' },
        h('p', { class: 'market-card__name' }, icon('store'), h('span', null, marketName(t, state.names, item.market_id))),
        h('p', { class: 'review-chips' }, statusChip(t, item.status), complianceChip(t, item.compliant), farChip(t, lang, item), waitingChip(t, item.waiting))),
      outcomeNote(t, item.outcome, { onDismiss: async () => { await review.dismiss(item.id); await load(); } }),
      waiting,
      // Evidence first (answers, place, photos), then the decision, then what was decided before.
      changedCount ? h('p', { class: 'note note--warn', role: 'status' }, icon('edit'), ' ', t('rv.changedSinceNote', { count: changedCount })) : null,
      h('dl', { class: 'answers' }, rows.map(([name, label, value]) => {
        const changed = name && name in since ? { class: 'review-changed', dataset: { changed: name } } : null;
        return [h('dt', changed, label), h('dd', changed, before(name, value))];
      })),
      h('h3', { class: `list-title${'attachments' in since ? ' review-changed' : ''}`, dataset: 'attachments' in since ? { changed: 'attachments' } : {} },
        t('rv.photos', { count: item.attachments.length }), 'attachments' in since ? [' ', h('span', { class: 'chip chip--warn' }, icon('edit'), h('span', null, t('rv.changedSince')))] : null),
      item.attachments.length ? photoList : h('p', { class: 'hint' }, t('rv.photosNone')),
      decidePanel(item),
      versionsSection(t, list, {
        labelOf, offline: state.history.state === 'offline',
        whoOf: (by) => (state.people?.[by.id] ? personName(t, state.people, by.id) : by.name),
      }),
      historySection(item));
  }

  function onStatus(s) {
    const signature = `${s.syncing}|${s.pending}|${s.lastSyncedAt}|${s.online}`;
    if (signature === lastSignature) return;
    const cameOnline = s.online && !lastSignature.endsWith('|true');
    lastSignature = signature;
    if (s.syncing) return;
    load().then(() => {
      if (cameOnline) loadPhotos();
      if (cameOnline || state.history.state === 'ready') loadHistory();
    });
  }

  const s0 = ctx.app.status;
  lastSignature = `${s0.syncing}|${s0.pending}|${s0.lastSyncedAt}|${s0.online}`;
  draw();
  load().then(loadHistory);
  return { root, titleKey: 'rv.title', draw: () => redraw(root, draw), onStatus };
}
