"""A twin of a set-wise push commits between that push's reads and its writes (DESIGN §5.1:
exactly once across concurrent requests with the same ids). The push's multi-row insert then
fails on the twin's rows, the push falls back to one mutation at a time, and the phone is
answered `duplicate` with the twin's records: one visit each, nothing written twice."""

import threading

import pytest

from server.models import AppliedMutation, ChangeLog, Visit, VisitVersion
from server.visits import upsert_batch
from tests.conftest import BACKEND
from tests.factories import upsert, visit_data
from tests.sync.concurrency.live_api import TIMEOUT, count, visits_in

pytestmark = pytest.mark.skipif(
    BACKEND != "postgres",
    reason="on SQLite no twin can commit inside a push: BEGIN IMMEDIATE holds the database's "
           "single write lock from the push's first read to its commit",
)


def test_a_twin_committed_during_a_set_wise_push_is_answered_duplicate(api, world, monkeypatch):
    inspector = api.login("insp_hbt")
    mutations = [upsert(visit_data(world["markets"]["hom" if i % 2 else "mo"]))
                 for i in range(4)]
    real_write = upsert_batch.UpsertBatch.write
    twin: dict = {}

    def write(batch):
        if not twin:  # the first request, read done, nothing written: its twin runs now
            twin["started"] = True
            thread = threading.Thread(
                target=lambda: twin.update(results=api.push(inspector, *mutations)))
            thread.start()
            thread.join(TIMEOUT)
            assert not thread.is_alive(), "the twin hung"
        real_write(batch)

    monkeypatch.setattr(upsert_batch.UpsertBatch, "write", write)
    results = api.push(inspector, *mutations)

    assert [r["status"] for r in twin["results"]] == ["applied"] * 4
    assert [r["status"] for r in results] == ["duplicate"] * 4
    assert [r["record"] for r in results] == [r["record"] for r in twin["results"]]
    assert count(Visit) == 4 and count(AppliedMutation) == 4 and count(VisitVersion) == 4
    assert count(ChangeLog, ChangeLog.entity == "visit") == 4
    phone = visits_in(api.replica(inspector))
    assert sorted(phone) == sorted(m["data"]["id"] for m in mutations)
