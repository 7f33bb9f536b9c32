"""The server record of a visit (DESIGN §5.1), built in batches so pull stays a few queries.

Two queries per batch, whatever its size: the photos with whether their bytes are stored (one
outer join), and the review decisions of those visits (the latest one per visit is kept).
A visit created in the running transaction has no decision yet, so its caller skips that one.
"""

from sqlalchemy import String, any_, literal, select
from sqlalchemy.dialects.postgresql import ARRAY

from server.core.extensions import db
from server.core.timeutil import iso_z
from server.models import Attachment, ReviewDecision, Visit, VisitAttachment

_PHOTOS = (
    select(VisitAttachment.visit_id, VisitAttachment.sha256, Attachment.sha256.is_not(None))
    .outerjoin(Attachment, Attachment.sha256 == VisitAttachment.sha256)
    .order_by(VisitAttachment.visit_id, VisitAttachment.position)
)
_DECISIONS = select(
    ReviewDecision.visit_id,
    ReviewDecision.decision,
    ReviewDecision.comment,
    ReviewDecision.reviewer_id,
    ReviewDecision.decided_at,
).order_by(ReviewDecision.id)


def one_of(column, ids: list[str]):
    """`column IN ids`; on PostgreSQL as `= ANY(array)`, one parameter instead of up to a
    thousand (a full pull's page), which PostgreSQL and the driver handle much faster. One id
    (a push builds each visit's record on its own) is a plain `=`, cheaper to build."""
    if len(ids) == 1:
        return column == ids[0]
    if db.session.get_bind().dialect.name == "postgresql":
        return column == any_(literal(ids, ARRAY(String)))
    return column.in_(ids)


def visit_records(visits: list[Visit], decided: bool = True) -> list[dict]:
    """Records of `visits` (Visit rows or objects with the same attributes). decided=False:
    none of them has a review decision (they were created in this transaction)."""
    if not visits:
        return []
    ids = [v.id for v in visits]
    photos: dict[str, list[tuple[str, bool]]] = {}
    for visit_id, sha, stored in db.session.execute(
        _PHOTOS.where(one_of(VisitAttachment.visit_id, ids))
    ):
        photos.setdefault(visit_id, []).append((sha, stored))
    reviews = {}
    if decided:
        # Ordered by decision id: the last one seen for a visit is its latest.
        for row in db.session.execute(_DECISIONS.where(one_of(ReviewDecision.visit_id, ids))):
            reviews[row.visit_id] = row
    return [_record(v, photos.get(v.id, ()), reviews.get(v.id)) for v in visits]


def visit_record(visit: Visit, decided: bool = True) -> dict:
    return visit_records([visit], decided)[0]


def _record(visit: Visit, photos, review) -> dict:
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
        "attachments": [sha for sha, _ in photos],
        "missing_attachments": [sha for sha, stored in photos if not stored],
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


# ------------------------------------------------------------------ a set-wise push's records

def record_parts(ids: list[str]) -> tuple[dict, dict]:
    """What a record holds beyond the visit row, for visits read by a set-wise push: their
    photos [(sha256, stored)] and their latest review decision, by visit id (two queries)."""
    photos: dict[str, list[tuple[str, bool]]] = {}
    reviews: dict = {}
    if ids:
        for visit_id, sha, stored in db.session.execute(
            _PHOTOS.where(one_of(VisitAttachment.visit_id, ids))
        ):
            photos.setdefault(visit_id, []).append((sha, stored))
        for row in db.session.execute(_DECISIONS.where(one_of(ReviewDecision.visit_id, ids))):
            reviews[row.visit_id] = row
    return photos, reviews


def stored_attachments(shas) -> set[str]:
    """Which of these photos' bytes the server holds (one query)."""
    shas = list(set(shas))
    if not shas:
        return set()
    return set(db.session.scalars(select(Attachment.sha256).where(one_of(Attachment.sha256,
                                                                         shas))))


def record_from(visit, photos, review) -> dict:
    """The record of a visit as a set-wise push holds it (row-like `visit`, its photos as
    [(sha256, stored)], its latest review row or None), built without reading it back."""
    return _record(visit, photos, review)
