// The notes above the form: why the ward sent the visit back, why the server refused it, and
// the draft restored from an earlier session (with a button to throw it away).
import { h, icon } from '../../../../shared/dom.js';
import { formatWhen } from '../../../../shared/format.js';

/** The notes for `visit` (null when new) and the form `state`, in screen order. */
export function formNotes(t, visit, state, discardDraft) {
  return [
    visit?.state === 'returned' && visit.comment
      ? h('div', { class: 'note note--warn note--block' },
          h('p', { class: 'note__title' }, icon('undo'), t('visits.returnedBy', {
            who: state.people?.[visit.reviewerId]?.display_name || state.people?.[visit.reviewerId]?.username || t('visits.reviewerUnknown'),
            when: visit.decidedAt ? formatWhen(visit.decidedAt) : '—' })),
          h('blockquote', { class: 'quote' }, visit.comment))
      : null,
    visit?.state === 'refused'
      ? h('div', { class: 'note note--bad note--block' },
          h('p', { class: 'note__title' }, icon('alert'), t('visits.refusedTitle')),
          visit.error?.message ? h('p', null, visit.error.message) : null)
      : null,
    state.draftAt
      ? h('div', { class: 'note note--info note--block', role: 'status' },
          h('p', null, t('form.draftRestored', { when: formatWhen(state.draftAt) })),
          h('button', { type: 'button', class: 'btn btn--ghost btn--small', onclick: discardDraft }, t('form.draftDiscard')))
      : null,
  ];
}
