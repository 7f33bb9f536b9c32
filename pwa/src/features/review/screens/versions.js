// The versions of a visit (GET /visits/<id> history items "submit" and "edit") on the review
// page: the "Phiên bản" list, and what changed since the reviewer's last decision.
import { h, icon } from '../../../shared/dom.js';
import { formatWhen } from '../../../shared/format.js';

const isVersion = (item) => item.event === 'submit' || item.event === 'edit';
/** Decision items (older servers sent them without `event`). */
export const decisionsOf = (list) => list.filter((item) => !item.event || item.event === 'decision');
export const versionsOf = (list) => list.filter(isVersion);

/**
 * {field: [before, now]} changed by the edits after the last decision (the viewer's own last
 * decision when they made one, else anyone's), or an empty object when there is none.
 */
export function changedSinceDecision(list, userId) {
  const decisions = decisionsOf(list);
  const mine = decisions.filter((d) => d.reviewer_id === userId);
  const last = (mine.length ? mine : decisions).at(-1);
  if (!last) return {};
  const since = {};
  for (const item of list) {
    if (item.event !== 'edit' || item.rev <= (last.rev ?? last.visit_rev)) continue;
    for (const [field, [before, now]] of Object.entries(item.changes ?? {})) {
      since[field] = [field in since ? since[field][0] : before, now];
    }
  }
  // An edit that put a value back as it was is no change.
  for (const [field, [before, now]] of Object.entries(since)) if (JSON.stringify(before) === JSON.stringify(now)) delete since[field];
  return since;
}

/** The latest version (its time is when the server last received the visit), or null. */
export const latestVersion = (list) => versionsOf(list).at(-1) ?? null;

/**
 * The "Phiên bản" list: each version's time, who sent it, and the fields it changed.
 * @param {(field: string) => string} labelOf a field's label (the form's, or the visit's parts)
 * @param {(by: {id, name}) => string} whoOf a person's name as the page shows people
 */
export function versionsSection(t, list, { labelOf, whoOf, offline }) {
  const versions = versionsOf(list);
  const title = h('h3', { class: 'list-title' }, t('rv.versions'));
  if (offline) return [title, h('p', { class: 'hint' }, t('rv.versionsOffline'))];
  if (!versions.length) return null;
  return [title, h('ol', { class: 'review-versions' }, versions.map((v, i) => {
    const fields = Object.keys(v.changes ?? {});
    return h('li', { dataset: { rev: String(v.rev), event: v.event } },
      h('p', null, h('strong', null, `${i + 1}. ${t(v.event === 'submit' ? 'rv.versionSubmit' : 'rv.versionEdit')}`), ' — ',
        t('rv.versionBy', { who: whoOf(v.by), when: formatWhen(v.at) })),
      v.event === 'edit'
        ? h('p', { class: fields.length ? 'review-versions__changes' : 'hint' },
          fields.length ? [icon('edit'), ' ', t('rv.versionChanged', { fields: fields.map(labelOf).join(', ') })] : t('rv.versionNoChange'))
        : null);
  }))];
}
