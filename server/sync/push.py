"""Exactly-once push (DESIGN §5.1).

Each mutation runs in its own write transaction that applies the change and stores the
answer in applied_mutation under the mutation id, in the same commit. A repeat —
a retry, a concurrent request with the same id, a retry after the server died between commit
and response — finds that row and gets the stored answer back, changing nothing. Concurrent
requests with one id serialise on the primary keys (of the visit, or of applied_mutation): the
loser's insert fails, it rolls back, and replays the winner's row.
"""

import hashlib
import json
import logging

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError, OperationalError

from server.extensions import begin_write, db
from server.faults import fault_point
from server.review.decide import decide
from server.sync.models import AppliedMutation
from server.sync.outcome import MutationRefused
from server.sync.visits import upsert_visit
from server.timeutil import utcnow

log = logging.getLogger(__name__)

HANDLERS = {"visit.upsert": upsert_visit, "review.decide": decide}
ATTEMPTS = 5  # transient lock errors (SQLite busy, PostgreSQL deadlock) are retried


def request_hash(mutation: dict) -> str:
    canonical = json.dumps(
        {"type": mutation["type"], "data": mutation["data"]},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


_CLAIM = select(
    AppliedMutation.id, AppliedMutation.user_id, AppliedMutation.request_hash,
    AppliedMutation.result,
)


def _claim(mutation_id: str):
    """The stored answer of this mutation id, if any (a plain row: no ORM object to track)."""
    return db.session.execute(_CLAIM.where(AppliedMutation.id == mutation_id)).first()


def _replay(claim, user, digest: str) -> dict:
    if claim.user_id != user.id or claim.request_hash != digest:
        return MutationRefused(
            "rejected",
            "mutation_id_reused",
            "This mutation id was already used for a different change.",
        ).result(claim.id)
    result = dict(claim.result)
    result["status"] = "duplicate"
    return result


def _store(user, device_id: str, mutation: dict, digest: str, result: dict) -> None:
    db.session.execute(
        insert(AppliedMutation.__table__),
        {
            "id": mutation["id"],
            "user_id": user.id,
            "device_id": device_id,
            "request_hash": digest,
            "result": result,
            "applied_at": utcnow(),
        },
    )


def apply_mutation(user, device_id: str, mutation: dict) -> dict:
    digest = request_hash(mutation)
    for attempt in range(ATTEMPTS):
        try:
            begin_write()
            claim = _claim(mutation["id"])
            if claim is not None:
                result = _replay(claim, user, digest)
                db.session.rollback()
                return result
            try:
                record = HANDLERS[mutation["type"]](user, device_id, mutation["data"])
            except MutationRefused as refused:
                # Refusals are not stored: bad input changes nothing, and a repeat is simply
                # judged again against the current state.
                db.session.rollback()
                # But the refusal may be our own twin's work: a concurrent request with this id
                # committed while we ran (PostgreSQL reads each statement afresh). Its answer
                # committed with its change, so a fresh look finds it.
                claim = _claim(mutation["id"])
                if claim is not None:
                    result = _replay(claim, user, digest)
                    db.session.rollback()
                    return result
                return refused.result(mutation["id"])
            result = {"id": mutation["id"], "status": "applied", "record": record}
            _store(user, device_id, mutation, digest, result)
            db.session.commit()
            fault_point("push_after_commit")
            return result
        except IntegrityError:
            # Someone else claimed this id (or created this visit) between our read and write.
            db.session.rollback()
            log.info("mutation %s: concurrent claim, replaying", mutation["id"])
        except OperationalError:
            db.session.rollback()
            if attempt == ATTEMPTS - 1:
                raise
            log.warning("mutation %s: transient database error, retrying", mutation["id"])
    raise RuntimeError(f"mutation {mutation['id']} could not be applied")  # pragma: no cover


def apply_push(user, device_id: str, mutations: list[dict]) -> list[dict]:
    # The user as authentication read it serves the whole push: kept in the session, it would
    # expire at every mutation's commit and be read again by the next one (a query each).
    if user in db.session:
        user.role  # noqa: B018  (loads it, if an earlier commit expired it)
        db.session.expunge(user)
    db.session.commit()  # end the auth transaction: each mutation gets its own
    return [apply_mutation(user, device_id, m) for m in mutations]
