"""visit.upsert: create a visit, or edit one while it is submitted or returned (DESIGN §5.1)."""

import math
from datetime import UTC, timedelta
from types import SimpleNamespace

from marshmallow import ValidationError
from sqlalchemy import delete, insert, select

from server.auth.scope import market_visible, visit_visible
from server.core.extensions import db
from server.core.http import flatten_errors
from server.core.timeutil import utcnow
from server.forms import compliant, review_rules, validate_answers
from server.models import Market, Visit, VisitAttachment
from server.sync.changes import record_changes, visit_change
from server.sync.outcome import conflict, invalid, rejected
from server.sync.records import visit_record
from server.sync.schemas import VisitUpsertData
from server.visits.versions import record_version

FUTURE_TOLERANCE = timedelta(hours=24)
EARTH_RADIUS_M = 6_371_008.8
# One instance for every load: building a marshmallow schema copies all its fields, which
# cost more than the validation itself. Loading keeps no state on the instance.
UPSERT_SCHEMA = VisitUpsertData()


def distance_m(lat1, lon1, lat2, lon2) -> float:
    """Great-circle (haversine) distance in metres, rounded to 0.1 m."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return round(2 * EARTH_RADIUS_M * math.asin(math.sqrt(a)), 1)


def _load(data: dict) -> dict:
    try:
        fields = UPSERT_SCHEMA.load(data)
    except ValidationError as exc:
        raise invalid(flatten_errors(exc.messages)) from None
    answer_errors = validate_answers(fields["answers"], fields["form_version"])
    if answer_errors:
        raise invalid({f"answers.{name}": msgs for name, msgs in answer_errors.items()})
    observed = fields["observed_at"]
    if observed.astimezone(UTC).replace(tzinfo=None) > utcnow() + FUTURE_TOLERANCE:
        raise invalid({"observed_at": ["This time is more than 24 hours in the future."]})
    return fields


_MARKET = select(Market.id, Market.org_unit_id, Market.lat, Market.lon)


def _market_for(user, market_id: int):
    """The market's id, unit and location (a plain row). FOR SHARE: a market moving to
    another ward concurrently waits, so the change is logged under the unit it really is in."""
    market = db.session.execute(
        _MARKET.where(Market.id == market_id).with_for_update(read=True)
    ).first()
    if market is None:
        raise invalid({"market_id": ["Unknown market."]})
    if not market_visible(user, market):
        raise invalid({"market_id": ["This market is outside your area."]})
    return market


def _field_values(fields: dict, market) -> dict:
    """The visit's columns that come from the phone's data (compliance derived here)."""
    observed, location = fields["observed_at"], fields["location"]
    distance = None
    if location and market.lat is not None and market.lon is not None:
        distance = distance_m(market.lat, market.lon, location["lat"], location["lon"])
    return {
        "market_id": market.id,
        "form_version": fields["form_version"],
        "observed_at": observed.astimezone(UTC).replace(tzinfo=None),
        "observed_offset_min": int(observed.utcoffset().total_seconds() // 60),
        "answers": fields["answers"],
        "compliant": compliant(fields["answers"], fields["form_version"]),
        "location_lat": location["lat"] if location else None,
        "location_lon": location["lon"] if location else None,
        "location_accuracy_m": location["accuracy_m"] if location else None,
        "distance_m": distance,
    }


def _insert_attachments(visit_id: str, shas: list[str]) -> None:
    if shas:
        db.session.execute(
            insert(VisitAttachment.__table__),
            [{"visit_id": visit_id, "position": i, "sha256": sha} for i, sha in enumerate(shas)],
        )


def _replace_attachments(visit_id: str, shas: list[str]) -> None:
    db.session.execute(delete(VisitAttachment).where(VisitAttachment.visit_id == visit_id))
    _insert_attachments(visit_id, shas)


def _create(user, device_id: str, visit_id: str, fields: dict, market) -> dict:
    """A new visit, written with plain INSERTs (no ORM unit of work: this is the hot path of
    every push); its record is built from what was written, plus whether its photos arrived."""
    # FOR UPDATE, as for an edit; a concurrent create of the same id waits on the primary key.
    if db.session.scalar(select(Visit.id).where(Visit.id == visit_id).with_for_update()):
        visit = db.session.get(Visit, visit_id, populate_existing=True)
        old_market = db.session.get(Market, visit.market_id, populate_existing=True)
        record = visit_record(visit) if visit_visible(user, visit, old_market.org_unit_id) else None
        raise conflict("already_exists", "A visit with this id already exists.", record)
    now = utcnow()
    row = {
        "id": visit_id, "rev": 1, "inspector_id": user.id, "device_id": device_id,
        "status": review_rules().initial_status, "received_at": now, "updated_at": now,
        **_field_values(fields, market),
    }
    db.session.execute(insert(Visit.__table__), row)
    _insert_attachments(visit_id, fields["attachments"])
    record_version(visit_id, 1, user.id, device_id, fields, market.id)
    visit = SimpleNamespace(**row)
    record_changes([visit_change(visit_id, 1, user.id, market.org_unit_id)])
    return visit_record(visit, decided=False)


def upsert_visit(user, device_id: str, data: dict) -> dict:
    if user.role != "inspector":
        raise rejected("forbidden", "Only inspectors record visits.")
    fields = _load(data)
    market = _market_for(user, fields["market_id"])
    visit_id = fields["id"].lower()
    if fields["base_rev"] is None:
        return _create(user, device_id, visit_id, fields, market)
    # populate_existing: the push's one transaction may hold this visit from an earlier
    # mutation; what counts is the row as it is once locked.
    visit = db.session.get(Visit, visit_id, with_for_update=True, populate_existing=True)
    if visit is None or visit.inspector_id != user.id:
        raise rejected("not_found", "There is no such visit of yours to edit.")
    if not review_rules().editable(visit.status):
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
    previous_unit = db.session.get(Market, visit.market_id, populate_existing=True).org_unit_id
    visit.rev += 1
    visit.status = review_rules().initial_status  # an edited returned visit is queued again
    visit.device_id = device_id
    for name, value in _field_values(fields, market).items():
        setattr(visit, name, value)
    db.session.flush()
    _replace_attachments(visit.id, fields["attachments"])
    record_version(visit.id, visit.rev, user.id, device_id, fields, market.id)
    record_changes(
        [visit_change(visit.id, visit.rev, user.id, market.org_unit_id, previous_unit)]
    )
    return visit_record(visit)
