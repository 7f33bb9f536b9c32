// The review rules of DESIGN.md §6 as data: shared_schema/review.json, the one definition the
// server (server/visits/rules.py), this app and the tests read. Nothing here hard-codes a status,
// a decision or a role: change the JSON and the phone's checks follow.
import reviewJson from '../../../shared_schema/review.json';

const frozen = (list) => Object.freeze([...list]);

/**
 * The rules of a review.json document:
 * {statuses, initialStatus, editableStatuses, lockedStatuses, reviewerRoles, transitions:
 *  {decision: {from, to, roles, commentRequired}}, needsComment, maxComment,
 *  decisionsFor(status, role), mayDecide(decision, role)}.
 */
export function buildRules(json) {
  const transitions = Object.freeze(
    Object.fromEntries(
      Object.entries(json.transitions).map(([decision, spec]) => [
        decision,
        Object.freeze({ from: frozen(spec.from), to: spec.to, roles: frozen(spec.roles), commentRequired: !!spec.comment_required }),
      ]),
    ),
  );
  const decisions = Object.keys(transitions);
  const rules = {
    statuses: frozen(json.statuses),
    initialStatus: json.initial_status,
    editableStatuses: frozen(json.editable_statuses),
    /** Statuses an inspector may no longer edit (approved, rejected). */
    lockedStatuses: frozen(json.statuses.filter((s) => !json.editable_statuses.includes(s))),
    reviewerRoles: frozen(json.reviewer_roles),
    transitions,
    /** Decisions that need a non-empty comment (return, reject, reopen). */
    needsComment: frozen(decisions.filter((d) => transitions[d].commentRequired)),
    maxComment: json.max_comment_length,
    /** Whether `role` may give `decision` at all (the status is checked separately). */
    mayDecide: (decision, role) => !!transitions[decision]?.roles.includes(role),
    /** The decisions `role` may give a visit in `status`, in the JSON's order. */
    decisionsFor: (status, role) => decisions.filter((d) => transitions[d].from.includes(status) && transitions[d].roles.includes(role)),
  };
  return Object.freeze(rules);
}

/** The rules this app runs with. */
export const reviewRules = buildRules(reviewJson);
