"""A run of a push's mutations applied set-wise (DESIGN §5.1, the same guarantees as push.py).

A domain registers, beside its per-mutation handler, a batch: `batch(user, device_id, datas)`
reads once what all of the run's mutations need, `batch.plan(i)` judges mutation i in memory
(returns its record, or raises MutationRefused, changing nothing), and `batch.write()` writes
what was planned, one statement per table. Here, around it: each mutation id is looked up in
the answers stored before (and those of this push, so a repeated id inside one push replays),
and the answers are stored with one multi-row INSERT.

If a write fails (IntegrityError: a concurrent twin committed the same visit or mutation id
while we ran; or any other data error), SetWiseFailed is raised: push.py rolls the whole push
back (nothing of it is committed yet) and applies it again by the per-mutation path, which
handles each case as before. No savepoint around the run, then: two round trips less per push
for a case that is rare. A refused mutation may
also be a concurrent twin's work (the twin committed while we waited for the visits' locks):
as in the per-mutation path, its id is looked up afresh and, if found, the stored answer
replays.
"""

import logging
from types import SimpleNamespace

from sqlalchemy.exc import DataError, IntegrityError

from server.core.timeutil import utcnow
from server.models import AppliedMutation
from server.sync.bulk import insert_rows
from server.sync.outcome import MutationRefused

log = logging.getLogger(__name__)


class SetWiseFailed(Exception):
    """A set-wise write failed: the push's transaction must be rolled back and the push
    applied one mutation at a time."""


def apply_run(user, device_id: str, run: list[dict], digests: list[str], batch_type,
              known: dict, replay, claims) -> list[dict]:
    """The results of `run` (mutations of one type, in order). `replay(claim, user, digest)`
    and `claims(ids)` are push.py's (no import cycle)."""
    ours: list[str] = []  # mutation ids this run stores
    results: list[dict] = []
    refused: list[int] = []
    try:
        batch = batch_type(user, device_id, [m["data"] for m in run])
        now, stored = utcnow(), []
        for index, (mutation, digest) in enumerate(zip(run, digests, strict=True)):
            claim = known.get(mutation["id"])
            if claim is not None:
                results.append(replay(claim, user, digest))
                continue
            try:
                record = batch.plan(index)
            except MutationRefused as refusal:
                # Not stored: a repeat is judged again against the state it then finds.
                results.append(refusal.result(mutation["id"]))
                refused.append(index)
                continue
            result = {"id": mutation["id"], "status": "applied", "record": record}
            results.append(result)
            stored.append({"id": mutation["id"], "user_id": user.id, "device_id": device_id,
                           "request_hash": digest, "result": result, "applied_at": now})
            # The same id again later in this push replays this answer.
            known[mutation["id"]] = SimpleNamespace(
                id=mutation["id"], user_id=user.id, request_hash=digest, result=result)
            ours.append(mutation["id"])
        batch.write()
        insert_rows(AppliedMutation.__table__, stored)
    except (IntegrityError, DataError) as error:
        log.info("push of %d mutations: set-wise write failed (%s), applying one by one",
                 len(run), type(error).__name__)
        raise SetWiseFailed from error
    # A refusal may be a concurrent twin's work, committed while we waited for the locks.
    recheck = [run[i]["id"] for i in refused if run[i]["id"] not in ours]
    fresh = claims(recheck) if recheck else {}
    for index in refused:
        claim = fresh.get(run[index]["id"])
        if claim is not None:
            results[index] = replay(claim, user, digests[index])
    return results
