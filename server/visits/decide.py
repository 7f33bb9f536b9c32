"""review.decide: approve, return, reject or reopen a visit (DESIGN §6)."""

from marshmallow import ValidationError

from server.auth.scope import visit_visible
from server.core.extensions import db
from server.core.http import flatten_errors
from server.core.timeutil import utcnow
from server.forms import review_rules
from server.models import Market, ReviewDecision, Visit
from server.sync.changes import record_changes, visit_change
from server.sync.outcome import conflict, invalid, rejected
from server.sync.records import visit_record
from server.sync.render import stored_rendering
from server.sync.schemas import ReviewDecideData


def decide(user, device_id: str, data: dict) -> dict:
    try:
        fields = ReviewDecideData().load(data)
    except ValidationError as exc:
        raise invalid(flatten_errors(exc.messages)) from None
    decision, comment = fields["decision"], (fields["comment"] or "").strip()
    rules = review_rules()
    rule = rules.transitions[decision]
    if user.role not in rules.reviewer_roles:
        raise rejected("forbidden", "Only ward, city officers and admins review visits.")
    if not rules.may_decide(user.role, decision):
        raise rejected("forbidden", f"Your role may not {decision} a visit.")
    if rule.comment_required and not comment:
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
    if visit.status not in rule.from_statuses:
        raise conflict(
            "invalid_transition",
            f"A {visit.status} visit cannot be given '{decision}'.",
            visit_record(visit),
        )

    visit.rev += 1
    visit.status = rule.to
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
    db.session.flush()
    record_changes(
        [visit_change(visit.id, visit.rev, visit.inspector_id, market.org_unit_id)]
    )
    record = visit_record(visit)
    visit.rendered = stored_rendering(record)
    return record
