"""visit.upsert: create a visit, or edit one while it is submitted or returned (DESIGN §5.1)."""

import math
from datetime import UTC, timedelta

from marshmallow import ValidationError
from sqlalchemy import delete, insert

from server.api import flatten_errors
from server.auth.scope import market_visible, visit_visible
from server.extensions import db
from server.forms import validate_answers
from server.markets.models import Market
from server.sync.changes import record_changes, visit_change
from server.sync.models import Visit, VisitAttachment
from server.sync.outcome import conflict, invalid, rejected
from server.sync.records import visit_record
from server.sync.schemas import VisitUpsertData
from server.timeutil import utcnow

EDITABLE = ("submitted", "returned")
FUTURE_TOLERANCE = timedelta(hours=24)
EARTH_RADIUS_M = 6_371_008.8


def distance_m(lat1, lon1, lat2, lon2) -> float:
    """Great-circle (haversine) distance in metres, rounded to 0.1 m."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return round(2 * EARTH_RADIUS_M * math.asin(math.sqrt(a)), 1)


def _load(data: dict) -> dict:
    try:
        fields = VisitUpsertData().load(data)
    except ValidationError as exc:
        raise invalid(flatten_errors(exc.messages)) from None
    answer_errors = validate_answers(fields["answers"], fields["form_version"])
    if answer_errors:
        raise invalid({f"answers.{name}": msgs for name, msgs in answer_errors.items()})
    observed = fields["observed_at"]
    if observed.astimezone(UTC).replace(tzinfo=None) > utcnow() + FUTURE_TOLERANCE:
        raise invalid({"observed_at": ["This time is more than 24 hours in the future."]})
    return fields


def _market_for(user, market_id: int) -> Market:
    # FOR SHARE: a market moving to another ward concurrently waits, so the change below is
    # logged under the unit the market really is in.
    market = db.session.get(Market, market_id, with_for_update={"read": True})
    if market is None:
        raise invalid({"market_id": ["Unknown market."]})
    if not market_visible(user, market):
        raise invalid({"market_id": ["This market is outside your area."]})
    return market


def _apply_fields(visit: Visit, fields: dict, market: Market) -> None:
    observed = fields["observed_at"]
    visit.market_id = market.id
    visit.form_version = fields["form_version"]
    visit.observed_at = observed.astimezone(UTC).replace(tzinfo=None)
    visit.observed_offset_min = int(observed.utcoffset().total_seconds() // 60)
    visit.answers = fields["answers"]
    visit.compliant = fields["answers"]["stalls_using_nondegradable"] == 0
    location = fields["location"]
    visit.location_lat = location["lat"] if location else None
    visit.location_lon = location["lon"] if location else None
    visit.location_accuracy_m = location["accuracy_m"] if location else None
    visit.distance_m = None
    if location and market.lat is not None and market.lon is not None:
        visit.distance_m = distance_m(market.lat, market.lon, location["lat"], location["lon"])


def _replace_attachments(visit_id: str, shas: list[str]) -> None:
    db.session.execute(delete(VisitAttachment).where(VisitAttachment.visit_id == visit_id))
    if shas:
        db.session.execute(
            insert(VisitAttachment),
            [{"visit_id": visit_id, "position": i, "sha256": sha} for i, sha in enumerate(shas)],
        )


def upsert_visit(user, device_id: str, data: dict) -> dict:
    if user.role != "inspector":
        raise rejected("forbidden", "Only inspectors record visits.")
    fields = _load(data)
    market = _market_for(user, fields["market_id"])
    visit = db.session.get(Visit, fields["id"].lower(), with_for_update=True)
    if fields["base_rev"] is None:
        if visit is not None:
            old_market = db.session.get(Market, visit.market_id)
            record = (
                visit_record(visit) if visit_visible(user, visit, old_market.org_unit_id) else None
            )
            raise conflict("already_exists", "A visit with this id already exists.", record)
        visit = Visit(
            id=fields["id"].lower(),
            rev=1,
            inspector_id=user.id,
            device_id=device_id,
            status="submitted",
            received_at=utcnow(),
        )
        previous_unit = None
        db.session.add(visit)
    else:
        if visit is None or visit.inspector_id != user.id:
            raise rejected("not_found", "There is no such visit of yours to edit.")
        if visit.status not in EDITABLE:
            raise conflict(
                "locked",
                f"This visit is {visit.status} and can no longer be edited.",
                visit_record(visit),
            )
        if fields["base_rev"] != visit.rev:
            raise conflict(
                "stale_rev",
                "This visit changed on the server since you last synced.",
                visit_record(visit),
            )
        previous_unit = db.session.get(Market, visit.market_id).org_unit_id
        visit.rev += 1
        visit.status = "submitted"  # an edit of a returned visit goes back to the queue
        visit.device_id = device_id
    _apply_fields(visit, fields, market)
    db.session.flush()
    _replace_attachments(visit.id, fields["attachments"])
    record_changes([visit_change(visit, market.org_unit_id, previous_unit)])
    return visit_record(visit)
