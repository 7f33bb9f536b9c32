"""review.decide: approve, return, reject or reopen a visit (DESIGN §6)."""

from contextlib import contextmanager

from marshmallow import ValidationError

from server.auth.scope import visit_visible
from server.core.extensions import db
from server.core.http import flatten_errors
from server.core.periods import periods_containing
from server.core.timeutil import utcnow
from server.indicator.snapshots import mark_dirty
from server.models import Market, ReviewDecision, Visit
from server.sync.changes import record_changes, visit_change
from server.sync.outcome import conflict, invalid, rejected
from server.sync.records import visit_record
from server.sync.schemas import ReviewDecideData

REVIEWERS = ("ward_officer", "city_officer", "admin")
REOPENERS = ("city_officer", "admin")
# decision -> (statuses it applies to, status it leads to)
TRANSITIONS = {
    "approve": (("submitted",), "approved"),
    "return": (("submitted",), "returned"),
    "reject": (("submitted",), "rejected"),
    "reopen": (("approved", "rejected"), "submitted"),
}
NEEDS_COMMENT = ("return", "reject", "reopen")
_DIRTY = "dirty_at_commit"  # key in db.session.info


@contextmanager
def dirty_marks_at_commit():
    """Within this block (a push's one transaction) decisions only note which periods they
    made stale; `write_dirty_marks()` upserts them once each, just before the commit, in period
    order: the rows stay locked for an instant, and two pushes always lock them in one order
    (no deadlock). A mark left by a mutation rolled back to its savepoint only costs a
    needless recompute."""
    db.session.info[_DIRTY] = {}
    try:
        yield
    finally:
        db.session.info.pop(_DIRTY, None)


def write_dirty_marks() -> None:
    marks = db.session.info[_DIRTY]
    for _periods, observed_at in sorted(marks.items()):
        mark_dirty(observed_at)
    marks.clear()


def _mark_dirty(observed_at) -> None:
    marks = db.session.info.get(_DIRTY)
    if marks is None:
        mark_dirty(observed_at)
    else:
        marks.setdefault(tuple(periods_containing(observed_at)), observed_at)


def decide(user, device_id: str, data: dict) -> dict:
    try:
        fields = ReviewDecideData().load(data)
    except ValidationError as exc:
        raise invalid(flatten_errors(exc.messages)) from None
    decision, comment = fields["decision"], (fields["comment"] or "").strip()
    if user.role not in REVIEWERS:
        raise rejected("forbidden", "Only ward, city officers and admins review visits.")
    if decision == "reopen" and user.role not in REOPENERS:
        raise rejected("forbidden", "Only city officers and admins reopen a decided visit.")
    if decision in NEEDS_COMMENT and not comment:
        raise invalid({"comment": [f"A comment is required to {decision} a visit."]})

    # populate_existing: a push runs in one transaction, so the session may hold this visit
    # from an earlier mutation; what counts is the row as it is once locked.
    visit = db.session.get(
        Visit, fields["visit_id"].lower(), with_for_update=True, populate_existing=True
    )
    market = db.session.get(Market, visit.market_id, populate_existing=True) if visit else None
    if visit is None or not visit_visible(user, visit, market.org_unit_id):
        raise rejected("not_found", "There is no such visit in your area.")
    if fields["base_rev"] != visit.rev:
        raise conflict(
            "stale_rev", "Someone changed or decided this visit first.", visit_record(visit)
        )
    allowed_from, new_status = TRANSITIONS[decision]
    if visit.status not in allowed_from:
        raise conflict(
            "invalid_transition",
            f"A {visit.status} visit cannot be given '{decision}'.",
            visit_record(visit),
        )

    visit.rev += 1
    visit.status = new_status
    db.session.add(
        ReviewDecision(
            visit_id=visit.id,
            decision=decision,
            comment=comment or None,
            reviewer_id=user.id,
            decided_at=utcnow(),
            visit_rev=visit.rev,
        )
    )
    _mark_dirty(visit.observed_at)  # the indicator's snapshots for its periods are stale
    db.session.flush()
    record_changes([visit_change(visit, market.org_unit_id)])
    return visit_record(visit)
