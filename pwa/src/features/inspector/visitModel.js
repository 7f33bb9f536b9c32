// Visit states as the inspector sees them (DESIGN §5.1, §6). Pure functions, no DOM.
import { reviewRules } from '../../shared/reviewRules.js';

/** The phone's state of a visit the server holds, by server status (as data/replica.js stateOf). */
const STATE_OF_STATUS = Object.freeze({ submitted: 'sent', returned: 'returned', approved: 'approved', rejected: 'rejected' });
const stateOfStatus = (status) => STATE_OF_STATUS[status] ?? status;
// Which server statuses an inspector may still edit comes from shared_schema/review.json.
const EDITABLE = Object.freeze(['pending', 'refused', ...reviewRules.editableStatuses.map(stateOfStatus)]);
const LOCKED = Object.freeze(reviewRules.lockedStatuses.map(stateOfStatus));

/** state → chip look: i18n key, tone (CSS modifier) and icon. Colour is never the only cue. */
export const STATES = {
  pending: { key: 'state.pending', tone: 'wait', icon: 'clock' },
  sent: { key: 'state.sent', tone: 'info', icon: 'upload' },
  returned: { key: 'state.returned', tone: 'warn', icon: 'undo' },
  approved: { key: 'state.approved', tone: 'ok', icon: 'check' },
  rejected: { key: 'state.rejected', tone: 'bad', icon: 'cross' },
  conflict: { key: 'state.conflict', tone: 'bad', icon: 'alert' },
  refused: { key: 'state.refused', tone: 'bad', icon: 'alert' },
};

export const stateInfo = (state) => STATES[state] ?? STATES.pending;

/**
 * The inspector may change the visit: still on the phone, sent but not yet reviewed (the server
 * accepts edits of `submitted` visits), sent back, or refused by the server.
 */
export const canEdit = (state) => EDITABLE.includes(state);

/** Approved and rejected visits are locked for inspectors (DESIGN §6). */
export const isLocked = (state) => LOCKED.includes(state);

/** Something the inspector must act on. */
export const needsAction = (state) => state === 'returned' || state === 'refused' || state === 'conflict';

const when = (visit) => {
  const ms = new Date(visit.observed_at).getTime();
  return Number.isNaN(ms) ? 0 : ms;
};

/** {action: visits needing the inspector, others: the rest}, each newest first. */
export function groupVisits(visits) {
  const sorted = [...(visits ?? [])].sort((a, b) => when(b) - when(a) || String(a.id).localeCompare(String(b.id)));
  return {
    action: sorted.filter((v) => needsAction(v.state)),
    others: sorted.filter((v) => !needsAction(v.state)),
  };
}

/** How many visits wait on this phone (pending + refused need sending or fixing). */
export const countPending = (visits) => (visits ?? []).filter((v) => v.state === 'pending').length;
