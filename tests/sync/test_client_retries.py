"""syncclient without a server (tests/sync/fake_network.py): backoff with full jitter,
retries that resend the same mutations, giving up, and settling the outbox — applied and
duplicate leave it, conflict and rejected become problems — in batches."""

import random

import pytest
import requests

from syncclient import SyncError
from syncclient.http import backoff_delay
from syncclient.simulate import fake_photo
from tests.sync.fake_network import (
    ANSWERS,
    LOST,
    FakeSession,
    phone,
    visit,
)


class UpperBound:
    """An rng whose uniform(a, b) is b: the jitter's ceiling, to check the exponential growth."""

    def uniform(self, _low, high):
        return high


# --- backoff ------------------------------------------------------------------------------


def test_backoff_ceiling_doubles_up_to_max_delay():
    ceilings = [backoff_delay(k, 0.2, 10, UpperBound()) for k in range(10)]
    assert ceilings == [0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 10, 10, 10, 10]


def test_backoff_is_full_jitter_within_bounds():
    rng = random.Random(42)
    for attempt in range(8):
        ceiling = min(10, 0.2 * 2**attempt)
        delays = [backoff_delay(attempt, 0.2, 10, rng) for _ in range(300)]
        assert all(0 <= d <= ceiling for d in delays)
        assert min(delays) < 0.1 * ceiling and max(delays) > 0.9 * ceiling  # spread, not fixed
        assert len(set(delays)) == len(delays)


def test_client_sleeps_growing_jittered_delays_between_retries(net):
    client, slept = phone(net, rng=UpperBound(), base_delay=0.5, max_delay=3)
    visit(client)
    net.fail("POST", "/sync/push", 503, 502, 500, 429, requests.Timeout("read timed out"))
    report = client.sync()
    assert slept == [0.5, 1.0, 2.0, 3, 3]
    assert report.retries == 5 and report.applied == 1 and client.outbox == []

    jittered, slept = phone(FakeSession(), rng=random.Random(3), base_delay=0.5, max_delay=3)
    jittered.http.session.fail("POST", "/sync/push", *[503] * 6)
    visit(jittered)
    jittered.sync()
    assert len(slept) == 6 and slept == jittered.http.delays
    assert all(0 <= d <= min(3, 0.5 * 2**k) for k, d in enumerate(slept))
    assert slept != [min(3, 0.5 * 2**k) for k in range(6)]  # jittered, not the ceilings


# --- retries resend the same mutations ----------------------------------------------------


def test_retries_resend_the_same_mutation_ids_and_data(net):
    client, _ = phone(net)
    ids = [visit(client), visit(client, photos=[fake_photo("a")])]
    queued = client.outbox
    net.fail("POST", "/sync/push", requests.ConnectionError("no route"), 503, 429)
    report = client.sync()
    pushes = net.pushes()
    assert len(pushes) == 4 and all(p == pushes[0] for p in pushes)
    assert [m["id"] for m in pushes[0]] == [m["id"] for m in queued]
    assert [m["data"]["id"] for m in pushes[0]] == ids
    assert report.retries == 3 and report.applied == 2 and client.outbox == []


def test_answer_lost_after_apply_is_retried_and_counted_once_as_duplicate(net):
    client, _ = phone(net)
    visit_id = visit(client)
    net.fail("POST", "/sync/push", LOST)
    report = client.sync()
    assert (report.applied, report.duplicate, report.retries) == (0, 1, 1)
    assert len(net.results) == 1 and client.outbox == []
    assert client.state()[("visit", visit_id)]["rev"] == 1


def test_gives_up_after_max_attempts_and_keeps_the_outbox(net):
    client, slept = phone(net, max_attempts=4)
    visit(client)
    net.fail("POST", "/sync/push", *[503] * 10)
    with pytest.raises(SyncError) as raised:
        client.sync()
    assert raised.value.status == 503 and "4 attempts" in str(raised.value)
    assert len(net.pushes()) == 4 and len(slept) == 3
    assert len(client.outbox) == 1
    net.faults.clear()
    assert client.sync().applied == 1 and client.outbox == []


def test_other_4xx_raises_with_the_server_error_and_is_not_retried(net):
    client, slept = phone(net)
    visit(client)
    net.fail("POST", "/sync/push", 422)
    with pytest.raises(SyncError) as raised:
        client.sync()
    assert raised.value.status == 422 and raised.value.code == "injected"
    assert raised.value.body == {"error": {"code": "injected", "message": "…"}}
    assert "422" in str(raised.value) and slept == [] and len(client.outbox) == 1


# --- settling: applied/duplicate leave, conflict/rejected become problems -----------------


def test_applied_and_duplicate_leave_the_outbox_conflict_and_rejected_become_problems(net):
    client, _ = phone(net)
    ok, again, clash, bad = (visit(client) for _ in range(4))
    net.verdicts[clash] = ("conflict", "stale_rev")
    net.verdicts[bad] = ("rejected", "validation_failed")
    duplicate = client.outbox[1]
    net.results[duplicate["id"]] = {"id": duplicate["id"], "status": "applied",
                                    "record": {"id": again, "rev": 1}}
    report = client.sync()
    assert (report.applied, report.duplicate, report.conflict, report.rejected) == (1, 1, 1, 1)
    assert client.outbox == []
    problems = {p["mutation"]["data"]["id"]: p for p in client.problems}
    assert set(problems) == {clash, bad} and report.problems == client.problems
    assert problems[clash]["status"] == "conflict"
    assert problems[clash]["error"]["code"] == "stale_rev"
    assert problems[clash]["record"]["id"] == clash
    assert problems[bad]["error"]["code"] == "validation_failed"
    assert problems[bad]["mutation"]["data"]["answers"] == ANSWERS  # nothing silently dropped


def test_unanswered_mutations_stay_queued(net):
    client, _ = phone(net)
    visit(client)
    store = client.store
    store.settle([{"id": "someone-else", "status": "applied", "record": None}])
    assert len(store.outbox) == 1 and store.problems == []


def test_pushes_in_batches_of_at_most_batch_size(net):
    client, _ = phone(net, batch_size=100)
    for _ in range(250):
        visit(client)
    assert client.sync().applied == 250
    assert [len(p) for p in net.pushes()] == [100, 100, 50]
    with pytest.raises(ValueError):
        phone(net, batch_size=501)


def test_too_large_push_is_split_with_the_same_ids(net):
    client, _ = phone(net, batch_size=4)
    for _ in range(4):
        visit(client)
    net.fail("POST", "/sync/push", 413)
    assert client.sync().applied == 4
    assert [len(p) for p in net.pushes()] == [4, 2, 2]
    assert [m["id"] for m in net.pushes()[0]] == [m["id"] for p in net.pushes()[1:] for m in p]
