// Visit states as the inspector sees them (DESIGN §5.1, §6). Pure functions, no DOM.

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
export const canEdit = (state) => state === 'pending' || state === 'sent' || state === 'returned' || state === 'refused';

/** Approved and rejected visits are locked for inspectors (DESIGN §6). */
export const isLocked = (state) => state === 'approved' || state === 'rejected';

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
