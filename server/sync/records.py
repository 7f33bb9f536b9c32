"""The server record of a visit (DESIGN §5.1), built in batches so pull stays a few queries."""

from sqlalchemy import func, select

from server.attachments.models import Attachment
from server.extensions import db
from server.review.models import ReviewDecision
from server.sync.models import Visit, VisitAttachment
from server.timeutil import iso_z


def visit_records(visits: list[Visit]) -> list[dict]:
    if not visits:
        return []
    ids = [v.id for v in visits]
    photos: dict[str, list[str]] = {}
    for visit_id, sha in db.session.execute(
        select(VisitAttachment.visit_id, VisitAttachment.sha256)
        .where(VisitAttachment.visit_id.in_(ids))
        .order_by(VisitAttachment.visit_id, VisitAttachment.position)
    ):
        photos.setdefault(visit_id, []).append(sha)
    wanted = {sha for shas in photos.values() for sha in shas}
    stored = (
        set(db.session.scalars(select(Attachment.sha256).where(Attachment.sha256.in_(wanted))))
        if wanted
        else set()
    )
    latest = (
        select(ReviewDecision.visit_id, func.max(ReviewDecision.id).label("id"))
        .where(ReviewDecision.visit_id.in_(ids))
        .group_by(ReviewDecision.visit_id)
        .subquery()
    )
    reviews = {
        d.visit_id: d
        for d in db.session.scalars(
            select(ReviewDecision).join(latest, latest.c.id == ReviewDecision.id)
        )
    }
    return [_record(v, photos.get(v.id, []), stored, reviews.get(v.id)) for v in visits]


def visit_record(visit: Visit) -> dict:
    return visit_records([visit])[0]


def _record(visit: Visit, photos: list[str], stored: set[str], review) -> dict:
    location = None
    if visit.location_lat is not None:
        location = {
            "lat": visit.location_lat,
            "lon": visit.location_lon,
            "accuracy_m": visit.location_accuracy_m,
        }
    return {
        "id": visit.id,
        "rev": visit.rev,
        "market_id": visit.market_id,
        "inspector_id": visit.inspector_id,
        "device_id": visit.device_id,
        "form_version": visit.form_version,
        "observed_at": iso_z(visit.observed_at),
        "received_at": iso_z(visit.received_at),
        "answers": visit.answers,
        "location": location,
        "attachments": photos,
        "missing_attachments": [sha for sha in photos if sha not in stored],
        "status": visit.status,
        "compliant": visit.compliant,
        "distance_m": visit.distance_m,
        "review": None
        if review is None
        else {
            "decision": review.decision,
            "comment": review.comment,
            "reviewer_id": review.reviewer_id,
            "decided_at": iso_z(review.decided_at),
        },
    }
