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
from server.sync.fast_upsert import fast_load_upsert
from server.sync.outcome import MutationRefused, conflict, invalid, rejected
from server.sync.records import record_from, stored_attachments, visit_record
from server.sync.render import stored_rendering
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


def _schema_load(data: dict) -> dict:
    """The marshmallow load: the definition of valid data, and the errors of invalid data."""
    try:
        fields = UPSERT_SCHEMA.load(data)
    except ValidationError as exc:
        raise invalid(flatten_errors(exc.messages)) from None
    answer_errors = validate_answers(fields["answers"], fields["form_version"])
    if answer_errors:
        raise invalid({f"answers.{name}": msgs for name, msgs in answer_errors.items()})
    return fields


def load_upsert(data: dict) -> dict:
    # The plain-Python load gives the same fields for surely valid data (a third of a push's
    # CPU went to marshmallow); it answers None otherwise, and the schema says what is wrong.
    fields = fast_load_upsert(data)
    if fields is None:
        fields = _schema_load(data)
    observed = fields["observed_at"]
    if observed.astimezone(UTC).replace(tzinfo=None) > utcnow() + FUTURE_TOLERANCE:
        raise invalid({"observed_at": ["This time is more than 24 hours in the future."]})
    return fields


# The table's columns (a plain Core statement: no ORM compile or result layer).
_MARKETS = Market.__table__.c
MARKET_COLUMNS = (_MARKETS.id, _MARKETS.org_unit_id, _MARKETS.lat, _MARKETS.lon)
_MARKET = select(*MARKET_COLUMNS)


def _market_row(market_id: int):
    """The market's id, unit and location (a plain row). FOR SHARE: a market moving to
    another ward concurrently waits, so the change is logged under the unit it really is in."""
    return db.session.execute(
        _MARKET.where(_MARKETS.id == market_id).with_for_update(read=True)
    ).first()


def check_market(user, market):
    """The market (as read) if this user may record a visit there."""
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


def create_refusal(user, visit, unit_id: int, record) -> MutationRefused:
    """A create of an id that exists: a conflict, carrying the record (`record()`) only if
    the user may see that visit."""
    shown = record() if visit_visible(user, visit, unit_id) else None
    return conflict("already_exists", "A visit with this id already exists.", shown)


def edit_refusal(user, visit, base_rev: int, record) -> MutationRefused | None:
    """Why this edit may not apply to `visit` (None: no such visit), or None if it may."""
    if visit is None or visit.inspector_id != user.id:
        return rejected("not_found", "There is no such visit of yours to edit.")
    if not review_rules().editable(visit.status):
        return conflict(
            "locked", f"This visit is {visit.status} and can no longer be edited.", record()
        )
    if base_rev != visit.rev:
        return conflict(
            "stale_rev", "This visit changed on the server since you last synced.", record()
        )
    return None


def new_visit_row(user, device_id: str, visit_id: str, fields: dict, market, now) -> dict:
    return {
        "id": visit_id, "rev": 1, "inspector_id": user.id, "device_id": device_id,
        "status": review_rules().initial_status, "received_at": now, "updated_at": now,
        **_field_values(fields, market),
    }


def edited_values(visit, device_id: str, fields: dict, market) -> dict:
    """The columns an accepted edit changes (an edited returned visit is queued again)."""
    return {
        "rev": visit.rev + 1, "status": review_rules().initial_status, "device_id": device_id,
        **_field_values(fields, market),
    }


def _create(user, device_id: str, visit_id: str, fields: dict, market) -> dict:
    """A new visit, written with plain INSERTs (no ORM unit of work); its record is built
    from what was written, plus whether its photos arrived."""
    # FOR UPDATE, as for an edit; a concurrent create of the same id waits on the primary key.
    if db.session.scalar(select(Visit.id).where(Visit.id == visit_id).with_for_update()):
        visit = db.session.get(Visit, visit_id, populate_existing=True)
        old_market = db.session.get(Market, visit.market_id, populate_existing=True)
        raise create_refusal(user, visit, old_market.org_unit_id, lambda: visit_record(visit))
    row = new_visit_row(user, device_id, visit_id, fields, market, utcnow())
    stored = stored_attachments(fields["attachments"])
    record = record_from(SimpleNamespace(**row),
                         [(sha, sha in stored) for sha in fields["attachments"]], None)
    db.session.execute(insert(Visit.__table__), {**row, "rendered": stored_rendering(record)})
    _insert_attachments(visit_id, fields["attachments"])
    record_version(visit_id, 1, user.id, device_id, fields, market.id)
    record_changes([visit_change(visit_id, 1, user.id, market.org_unit_id)])
    return record


def check_inspector(user) -> None:
    if user.role != "inspector":
        raise rejected("forbidden", "Only inspectors record visits.")


def upsert_visit(user, device_id: str, data: dict) -> dict:
    """One mutation, applied at once (the per-mutation path; upsert_batch.py applies a whole
    push's upserts set-wise with the same checks, from this module)."""
    check_inspector(user)
    fields = load_upsert(data)
    market = check_market(user, _market_row(fields["market_id"]))
    visit_id = fields["id"].lower()
    if fields["base_rev"] is None:
        return _create(user, device_id, visit_id, fields, market)
    # populate_existing: the push's one transaction may hold this visit from an earlier
    # mutation; what counts is the row as it is once locked.
    visit = db.session.get(Visit, visit_id, with_for_update=True, populate_existing=True)
    refusal = edit_refusal(user, visit, fields["base_rev"], lambda: visit_record(visit))
    if refusal is not None:
        raise refusal
    previous_unit = db.session.get(Market, visit.market_id, populate_existing=True).org_unit_id
    for name, value in edited_values(visit, device_id, fields, market).items():
        setattr(visit, name, value)
    db.session.flush()
    _replace_attachments(visit.id, fields["attachments"])
    record_version(visit.id, visit.rev, user.id, device_id, fields, market.id)
    record_changes(
        [visit_change(visit.id, visit.rev, user.id, market.org_unit_id, previous_unit)]
    )
    record = visit_record(visit)
    visit.rendered = stored_rendering(record)
    return record
