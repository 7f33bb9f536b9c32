// Pieces shared by the review queue and the review visit page: chips, names, outcome notes.
import { h, icon } from '../../../shared/dom.js';
import { formatDistance, formatNumber, formatWhen } from '../../../shared/format.js';
import { FAR_M, isFar } from './queueModel.js';

const STATUS_LOOK = {
  submitted: { tone: 'info', icon: 'inbox' },
  returned: { tone: 'warn', icon: 'undo' },
  approved: { tone: 'ok', icon: 'check' },
  rejected: { tone: 'bad', icon: 'cross' },
};

let queueHref = '/review';
/** The queue URL the officer came from (with its filters), for "back". */
export const lastQueueHref = () => queueHref;
export const rememberQueueHref = (href) => {
  queueHref = href;
};

/** The card's tone (its coloured left edge), as the inspector's cards have. */
export const statusTone = (status) => (STATUS_LOOK[status] ?? STATUS_LOOK.submitted).tone;

export function statusChip(t, status) {
  const look = STATUS_LOOK[status] ?? STATUS_LOOK.submitted;
  return h('span', { class: `chip chip--${look.tone}`, dataset: { status } }, icon(look.icon), h('span', null, t(`review.status.${status}`)));
}

export const decisionLabel = (t, decision) => t(`review.decision.${decision}`);

/** "Chờ gửi: Duyệt" on a visit whose decision the server has not confirmed yet. */
export function waitingChip(t, waiting) {
  if (!waiting) return null;
  return h('span', { class: 'chip chip--wait', dataset: { waiting: waiting.decision } }, icon('clock'),
    h('span', null, t('review.waiting', { decision: decisionLabel(t, waiting.decision) })));
}

export function complianceChip(t, compliant) {
  if (compliant === true) return h('span', { class: 'chip chip--ok' }, icon('check'), h('span', null, t('review.compliant')));
  if (compliant === false) return h('span', { class: 'chip chip--bad' }, icon('alert'), h('span', null, t('review.nonCompliant')));
  return null;
}

export function farChip(t, lang, item) {
  if (!isFar(item)) return null;
  return h('span', { class: 'chip chip--warn' }, icon('pin'), h('span', null, t('review.far', { distance: formatDistance(item.distance_m, lang), limit: FAR_M })));
}

/**
 * A person by display name, with the username when another known person has the same display
 * name ("Nguyễn Văn An (an.nguyen)"); the id only when the phone has never learnt the name.
 */
export function personName(t, people, id) {
  const p = people?.[id];
  if (!p) return t('review.inspectorUnknown', { id });
  if (!p.display_name) return p.username || t('review.inspectorUnknown', { id });
  const twin = Object.values(people).some((o) => o && o.id !== p.id && o.display_name === p.display_name);
  return twin && p.username ? `${p.display_name} (${p.username})` : p.display_name;
}

export const marketName = (t, names, id) => names.get(String(id)) ?? t('review.marketUnknown', { id });

/** "12/40 hộ dùng túi nilon khó phân hủy" (the inspector screens' wording). */
export function usage(t, lang, answers) {
  const total = answers?.stalls_total;
  const using = answers?.stalls_using_nondegradable;
  if (typeof total !== 'number' || typeof using !== 'number') return '';
  return t('visits.usage', { using: formatNumber(using, lang), total: formatNumber(total, lang) });
}

/**
 * How this phone's last decision on the visit was settled, when there is something to say:
 * a conflict (someone decided first: what they decided) or a refusal. Applied decisions say
 * nothing here (the status chip shows them).
 */
export function outcomeNote(t, outcome, { onDismiss = null } = {}) {
  if (!outcome || (outcome.status !== 'conflict' && outcome.status !== 'rejected')) return null;
  const ours = decisionLabel(t, outcome.decision);
  const dismiss = onDismiss ? h('button', { type: 'button', class: 'btn btn--small btn--ghost', onclick: onDismiss }, t('rv.dismiss')) : null;
  if (outcome.status === 'rejected') {
    return h('div', { class: 'note note--block note--bad', role: 'status' },
      h('p', { class: 'note__title' }, t('rv.rejectedTitle', { decision: ours })),
      outcome.error?.message ? h('p', null, outcome.error.message) : null,
      dismiss);
  }
  if (outcome.serverStatus === 'submitted') {
    // Still awaiting review on the server: the inspector edited it (or it was reopened) first.
    return h('div', { class: 'note note--block note--warn review-conflict', role: 'status' },
      h('p', { class: 'note__title' }, icon('alert'), ' ', t('rv.changedTitle')),
      h('p', null, t('rv.changedBody', { ours })),
      dismiss);
  }
  const theirs = outcome.theirs;
  const what = theirs
    ? t('rv.conflictTheirs', { decision: t(`review.decided.${theirs.decision}`), when: formatWhen(theirs.decided_at) })
    : t(`review.status.${outcome.serverStatus ?? 'submitted'}`);
  return h('div', { class: 'note note--block note--bad review-conflict', role: 'status' },
    h('p', { class: 'note__title' }, icon('alert'), ' ', t('rv.conflictTitle')),
    h('p', null, t('rv.conflictBody', { ours, theirs: what })),
    theirs?.comment ? h('blockquote', { class: 'quote' }, theirs.comment) : null,
    h('p', null, t('rv.conflictRefreshed')),
    dismiss);
}
