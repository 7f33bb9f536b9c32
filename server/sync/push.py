"""Exactly-once push (DESIGN §5.1).

A push runs in one write transaction; each mutation applies its change and stores its answer
in applied_mutation under the mutation id inside its own savepoint, so both commit together
or not at all. A repeat — a retry, a concurrent request with the same id, a retry after the
server died between commit and response — finds that row and gets the stored answer back,
changing nothing. Concurrent requests with one id serialise on the primary keys (of the visit,
or of applied_mutation): the loser's insert fails, it rolls back to its savepoint, and replays
the winner's row.

Where a mutation type registers a batch (visit.upsert does), a run of such mutations is
applied set-wise instead (push_batch.py): validated in memory, each table written with one
statement, the same answers; if a write fails, the whole push is rolled back and applied
again one by one as above (nothing of it is committed before its end).
"""

import hashlib
import json
import logging
from contextlib import suppress
from types import SimpleNamespace

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError, OperationalError, ResourceClosedError

from server.core.extensions import begin_write, db
from server.core.faults import fault_point
from server.core.timeutil import utcnow
from server.models import AppliedMutation
from server.sync.changes import changes_at_commit, write_queued_changes
from server.sync.outcome import MutationRefused
from server.sync.push_batch import SetWiseFailed, apply_run
from server.sync.records import one_of
from server.sync.schemas import MUTATION_TYPES

log = logging.getLogger(__name__)

# Mutation type -> handler(user, device_id, data) -> the record; filled by the domains at app
# composition (server/__init__.py), so the protocol imports none of them.
HANDLERS: dict = {}
# Mutation type -> (its handler, its batch: push_batch.py), for types a push applies set-wise.
BATCHES: dict = {}
ATTEMPTS = 5  # transient lock errors (SQLite busy, PostgreSQL deadlock) are retried


def register_mutation(mutation_type: str, handler, batch=None) -> None:
    """A handler applies one mutation of its type inside the push's transaction and returns
    the record to answer with, or raises MutationRefused (sync/outcome.py). A batch, if
    given, applies a run of them set-wise with the same outcome (sync/push_batch.py)."""
    if mutation_type not in MUTATION_TYPES:
        raise ValueError(f"{mutation_type!r} is not a mutation type of the protocol")
    HANDLERS[mutation_type] = handler
    if batch is None:
        BATCHES.pop(mutation_type, None)
    else:
        BATCHES[mutation_type] = (handler, batch)


def _batch_of(mutation_type: str):
    """The type's batch, while its registered handler is the one in use (a handler swapped
    in later, e.g. by a test, is applied as it is, one mutation at a time)."""
    handler, batch = BATCHES.get(mutation_type, (None, None))
    return batch if handler is not None and HANDLERS.get(mutation_type) is handler else None


def _runs(mutations: list[dict]):
    """The push cut into runs of consecutive mutations of one type, in order."""
    run: list[dict] = []
    for mutation in mutations:
        if run and mutation["type"] != run[0]["type"]:
            yield run
            run = []
        run.append(mutation)
    if run:
        yield run


# Built once: json.dumps with options builds an encoder per call, which cost more than the
# encoding itself. The bytes are the same as json.dumps(..., sort_keys=True, separators=(",",
# ":"), ensure_ascii=False): hashes stored before stay valid.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def request_hash(mutation: dict) -> str:
    canonical = _CANONICAL.encode({"type": mutation["type"], "data": mutation["data"]})
    return hashlib.sha256(canonical.encode()).hexdigest()


# Core columns of the table, not the mapped class's: a plain statement, no ORM compile or
# result layer (a push runs it once, a retry once per mutation).
_APPLIED = AppliedMutation.__table__.c
_CLAIM = select(_APPLIED.id, _APPLIED.user_id, _APPLIED.request_hash, _APPLIED.result)


def _claim(mutation_id: str):
    """The stored answer of this mutation id, if any (a plain row: no ORM object to track)."""
    return db.session.execute(_CLAIM.where(_APPLIED.id == mutation_id)).first()


def _claims(mutation_ids: list[str]) -> dict:
    """The stored answers of a whole push, in one query. Only a first look: a twin that
    commits after it is still caught, by the primary key of applied_mutation (or of the
    visit) or by the conflict it causes, and each of those looks again with `_claim`."""
    rows = db.session.execute(_CLAIM.where(one_of(_APPLIED.id, mutation_ids)))
    return {row.id: row for row in rows}


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


def _apply_one(user, device_id: str, mutation: dict, queued_changes: list, known: dict) -> dict:
    """One mutation inside the push's transaction, under its own savepoint: a refusal (or a
    lost race) rolls back to it and leaves the earlier mutations' work in place. `known`: the
    push's stored answers as first read, and those stored since."""
    digest = request_hash(mutation)
    for attempt in range(ATTEMPTS):
        claim = known.get(mutation["id"]) if attempt == 0 else _claim(mutation["id"])
        if claim is not None:
            return _replay(claim, user, digest)
        queued = len(queued_changes)
        savepoint = db.session.begin_nested()
        try:
            try:
                record = HANDLERS[mutation["type"]](user, device_id, mutation["data"])
            except MutationRefused as refused:
                # Refusals are not stored: bad input changes nothing, and a repeat is simply
                # judged again against the current state.
                savepoint.rollback()
                del queued_changes[queued:]
                # But the refusal may be our own twin's work: a concurrent request with this id
                # committed while we ran (PostgreSQL reads each statement afresh). Its answer
                # committed with its change, so a fresh look finds it.
                claim = _claim(mutation["id"])
                if claim is not None:
                    return _replay(claim, user, digest)
                return refused.result(mutation["id"])
            result = {"id": mutation["id"], "status": "applied", "record": record}
            _store(user, device_id, mutation, digest, result)
            savepoint.commit()  # RELEASE SAVEPOINT: kept, committed with the whole push
            # The same id again later in this push replays this answer.
            known[mutation["id"]] = SimpleNamespace(
                id=mutation["id"], user_id=user.id, request_hash=digest, result=result
            )
            return result
        except IntegrityError:
            # Someone else claimed this id (or created this visit) and committed while we ran:
            # back to the savepoint, and look again (the claim replays; a visit is a conflict).
            with suppress(ResourceClosedError):  # also when a failed flush deactivated it
                savepoint.rollback()
            del queued_changes[queued:]
            log.info("mutation %s: concurrent claim, replaying", mutation["id"])
    raise RuntimeError(f"mutation {mutation['id']} could not be applied")  # pragma: no cover


def _apply_all(user, device_id: str, mutations: list[dict], set_wise: bool) -> list[dict]:
    begin_write()
    with changes_at_commit() as queued_changes:
        known = _claims([m["id"] for m in mutations])
        results = []
        for run in _runs(mutations):
            batch = _batch_of(run[0]["type"]) if set_wise else None
            if batch is None:
                results += [_apply_one(user, device_id, m, queued_changes, known) for m in run]
                continue
            results += apply_run(user, device_id, run, [request_hash(m) for m in run], batch,
                                 known, _replay, _claims)
        # Last, the statements that lock what every writer shares: the subscribers' rows (the
        # indicator's dirty periods), then the change-log sequence (its advisory lock), held
        # only until commit.
        write_queued_changes()
    fault_point("push_before_commit")
    return results


def apply_push(user, device_id: str, mutations: list[dict]) -> list[dict]:
    """All of a push's mutations in one write transaction (one commit, not one per mutation),
    each under its own savepoint, or set-wise where their type has a batch. A crash before
    the commit keeps none of them, and the phone's retry applies them all; a crash after it
    answers them all `duplicate`."""
    # The user as authentication read it serves the whole push: kept in the session, it would
    # expire at the commit and be read again.
    if user in db.session:
        user.role  # noqa: B018  (loads it, if an earlier commit expired it)
        db.session.expunge(user)
    db.session.commit()  # end the auth transaction: the push gets its own
    set_wise = True
    for attempt in range(ATTEMPTS + 1):  # + the one a failed set-wise write takes
        try:
            results = _apply_all(user, device_id, mutations, set_wise)
            db.session.commit()
        except SetWiseFailed:
            # A set-wise write failed (a concurrent twin's rows, a data error): nothing of the
            # push is committed; it is applied again, one mutation at a time.
            db.session.rollback()
            set_wise = False
            continue
        except OperationalError:
            # A transient lock error (SQLite busy, PostgreSQL deadlock) undoes the whole push,
            # which has committed nothing yet: it is simply run again.
            db.session.rollback()
            if attempt >= ATTEMPTS - 1:
                raise
            log.warning("push of %d mutations: transient database error, retrying",
                        len(mutations))
            continue
        fault_point("push_after_commit")
        return results
    raise RuntimeError("push could not be applied")  # pragma: no cover
