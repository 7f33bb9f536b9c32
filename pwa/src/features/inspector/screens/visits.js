// Lượt kiểm tra của tôi: every visit on this phone with its state, what the ward sent back, and
// what the inspector can still change.
import { h, icon, replaceChildren } from '../../../shared/dom.js';
import { formatNumber, formatWhen } from '../../../shared/format.js';
import { canEdit, groupVisits, isLocked, stateInfo } from '../visitModel.js';
import * as visitStore from '../store.js';

export function stateChip(t, state) {
  const info = stateInfo(state);
  return h('span', { class: `chip chip--${info.tone}`, dataset: { state } }, icon(info.icon), h('span', null, t(info.key)));
}

export function lockedNote(t) {
  return h('p', { class: 'locked' }, icon('lock'), h('span', null, t('visits.locked')));
}

/** "12/40 hộ dùng túi nilon khó phân hủy" from the answers, or ''. */
export function usageLine(t, lang, answers) {
  const total = answers?.stalls_total;
  const using = answers?.stalls_using_nondegradable;
  if (typeof total !== 'number' || typeof using !== 'number') return '';
  return t('visits.usage', { using: formatNumber(using, lang), total: formatNumber(total, lang) });
}

/** The note under a visit: the officer's comment, the server's refusal, the conflict. */
export function visitNotes(t, visit, people = {}) {
  const notes = [];
  if ((visit.state === 'returned' || visit.state === 'rejected') && visit.comment) {
    const person = people[visit.reviewerId];
    const who = person?.display_name || person?.username || t('visits.reviewerUnknown');
    notes.push(
      h('div', { class: `note note--block ${visit.state === 'returned' ? 'note--warn' : 'note--bad'}`, dataset: { reviewNote: visit.state } },
        h('p', { class: 'note__title' }, t(visit.state === 'returned' ? 'visits.returnedBy' : 'visits.rejectedBy', {
          who, when: visit.decidedAt ? formatWhen(visit.decidedAt) : '—' })),
        h('blockquote', { class: 'quote' }, visit.comment)),
    );
  }
  if (visit.state === 'refused' || visit.state === 'conflict') {
    const fields = visit.error?.fields && typeof visit.error.fields === 'object' ? Object.entries(visit.error.fields) : [];
    notes.push(
      h('div', { class: 'note note--block note--bad' },
        h('p', { class: 'note__title' }, t(visit.state === 'refused' ? 'visits.refusedTitle' : 'visits.conflictTitle')),
        visit.error?.message ? h('p', null, visit.error.message) : null,
        fields.length
          ? h('ul', { class: 'plain' }, fields.map(([, msgs]) => h('li', null, [].concat(msgs).join(' '))))
          : null,
        visit.state === 'conflict' ? h('p', null, t('visits.conflictHelp')) : null),
    );
  }
  return notes;
}

export function visitActions(t, visit) {
  const id = encodeURIComponent(visit.id);
  if (isLocked(visit.state)) return lockedNote(t);
  const actions = [];
  if (canEdit(visit.state)) {
    const key = visit.state === 'returned' ? 'visits.fixResend' : visit.state === 'refused' ? 'visits.fix' : 'visits.edit';
    const urgent = visit.state === 'returned' || visit.state === 'refused';
    actions.push(h('a', { class: `btn ${urgent ? 'btn--primary' : 'btn--ghost'}`, href: `/visits/${id}/edit` }, icon('edit'), ' ', t(key)));
  }
  return actions.length ? h('div', { class: 'row' }, actions) : null;
}

export default function visitsScreen(ctx) {
  const { store } = ctx;
  const root = h('section', { class: 'screen', 'aria-labelledby': 'screen-title' });
  const state = { loading: true, visits: [], names: new Map(), people: {}, error: '' };
  let lastSignature = '';

  async function load() {
    try {
      const [visits, { markets }, people] = await Promise.all([visitStore.listVisits(), store.loadPlaces(), visitStore.people()]);
      const signature = JSON.stringify([visits.map((v) => [v.id, v.state, v.comment, v.observed_at, v.answers, v.error?.message]), people]);
      state.people = people;
      if (!state.loading && signature === state.signature && markets.length === state.names.size) return;
      state.signature = signature;
      state.visits = visits;
      state.names = new Map(markets.map((m) => [String(m.id), m.name]));
      state.error = '';
    } catch (err) {
      state.error = String(err?.message ?? err);
    }
    state.loading = false;
    draw();
  }

  function card(visit) {
    const { t, lang } = ctx;
    const name = state.names.get(String(visit.market_id)) ?? t('visits.unknownMarket');
    const usage = usageLine(t, lang, visit.answers);
    return h('li', { class: `visit visit--${stateInfo(visit.state).tone}` },
      h('div', { class: 'visit__head' },
        h('a', { class: 'visit__name', href: `/visits/${encodeURIComponent(visit.id)}` }, name),
        stateChip(t, visit.state)),
      h('p', { class: 'visit__meta' }, [formatWhen(visit.observed_at), usage].filter(Boolean).join(' · ')),
      visitNotes(t, visit, state.people),
      visitActions(t, visit),
    );
  }

  function draw() {
    const { t } = ctx;
    const title = h('h2', { id: 'screen-title', class: 'screen__title', tabindex: '-1' }, t('visits.title'));
    if (state.loading) {
      replaceChildren(root, title, h('p', { class: 'empty' }, t('visits.loading')));
      return;
    }
    if (!state.visits.length) {
      replaceChildren(root, title,
        h('div', { class: 'empty' },
          h('p', null, state.error || t('visits.empty')),
          h('a', { class: 'btn btn--primary', href: '/markets' }, t('visits.start'))));
      return;
    }
    const { action, others } = groupVisits(state.visits);
    const pending = state.visits.filter((v) => v.state === 'pending').length;
    replaceChildren(
      root,
      title,
      h('p', { class: 'count' }, t('visits.summary', { count: state.visits.length, pending })),
      action.length
        ? [h('h3', { class: 'list-title list-title--warn' }, t('visits.needsAction', { count: action.length })), h('ul', { class: 'visits' }, action.map(card))]
        : null,
      others.length ? [h('h3', { class: 'list-title' }, t(action.length ? 'visits.others' : 'visits.all')), h('ul', { class: 'visits' }, others.map(card))] : null,
    );
  }

  function onStatus(status) {
    // Reload after a sync round or when the queue changes: states move on.
    const signature = `${status.syncing}|${status.pending}|${status.lastSyncedAt}`;
    if (signature === lastSignature) return;
    lastSignature = signature;
    if (!status.syncing) load();
  }

  lastSignature = `${ctx.app.status.syncing}|${ctx.app.status.pending}|${ctx.app.status.lastSyncedAt}`;
  draw();
  load();
  return { root, titleKey: 'visits.title', draw, onStatus };
}
