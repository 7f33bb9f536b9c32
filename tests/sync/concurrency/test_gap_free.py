"""Pull under real concurrency (DESIGN §5.2 gap-free, §10), PostgreSQL only: a reader pulling
while writers commit out of order misses no change, and a negative control shows that without
the sequence lock the same interleaving skips one.

Real requests from many threads at once against the real app served over HTTP
(conftest.py, live_api.py). Each test asserts whether any change never reached a phone.
"""

import itertools
import random
import threading
import time

import pytest
from sqlalchemy import func, select

from server.core.extensions import db
from server.models import ChangeLog
from tests.conftest import BACKEND
from tests.factories import apply_changes, upsert, visit_data
from tests.sync.concurrency.live_api import (
    HOLD_AFTER,
    HOLD_BEFORE,
    POSTGRES_ONLY,
    TIMEOUT,
    hook_change_log,
    visits_in,
    without_sequence_lock,
)

# --- 1b. gap-free pull while transactions commit out of order (PostgreSQL) ---------------


@pytest.mark.parametrize("round_", range(2))
@pytest.mark.postgres_only
@pytest.mark.skipif(BACKEND != "postgres", reason=POSTGRES_ONLY)
def test_reader_misses_nothing_while_16_writers_commit_out_of_order(
        api, world, monkeypatch, round_):
    rng = random.Random(round_)
    delays = {}  # visit id -> (sleep before the change-log insert, sleep after it)
    arrivals = itertools.count()
    arrived, seqs = {}, {}  # (visit id, rev) -> order of arrival at the change log / its seq

    def before(rows):
        key = (rows[0]["entity_id"], rows[0]["rev"])
        arrived[key] = next(arrivals)  # in its transaction: the visit row written, uncommitted
        time.sleep(delays[key[0]][0])

    def after(rows):
        key = (rows[0]["entity_id"], rows[0]["rev"])
        seqs[key] = db.session.scalar(
            select(func.max(ChangeLog.seq)).where(ChangeLog.entity_id == key[0])
        )
        time.sleep(delays[key[0]][1])  # still in the transaction, holding the sequence lock

    hook_change_log(monkeypatch, before, after)
    m = world["markets"]
    writers = []
    for i in range(16):
        data = visit_data(m["hom"] if i % 2 else m["mo"])
        delays[data["id"]] = (rng.uniform(0, HOLD_BEFORE), rng.uniform(0, HOLD_AFTER))
        writers.append((api.login("insp_hbt" if i % 2 else "insp_hbt2", f"dev-{i}"), data))
    reader = api.login("ward_hbt", "reader")
    barrier = threading.Barrier(len(writers) + 1)
    errors = []

    def write(headers, data):
        try:
            barrier.wait(timeout=TIMEOUT)
            [created] = api.push(headers, upsert(data))
            assert created["status"] == "applied", created
            edited = {**data, "base_rev": 1, "answers": {**data["answers"], "stalls_total": 41}}
            [edit] = api.push(headers, upsert(edited))
            assert edit["status"] == "applied" and edit["record"]["rev"] == 2, edit
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=write, args=w) for w in writers]
    for thread in threads:
        thread.start()
    barrier.wait(timeout=TIMEOUT)

    # The reader syncs in a loop, small pages, from scratch, while the writers write.
    replica, cursor, pulls = {}, None, 0
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        writers_done = not any(t.is_alive() for t in threads)  # before the pull, not after
        body = api.pull(reader, cursor, limit=5)
        apply_changes(replica, body["changes"])
        cursor, pulls = body["cursor"], pulls + 1
        if writers_done and not body["has_more"]:
            break
        if not body["has_more"]:
            time.sleep(0.005)
    else:
        pytest.fail("the writers did not finish within 60 s")
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(t.is_alive() for t in threads), "a writer hung"
    if errors:
        raise errors[0]

    # Transactions really did finish out of order: one that was in flight (its visit written)
    # before another one still committed after it, with the larger seq.
    assert len(seqs) == len(arrived) == 32
    assert len(set(seqs.values())) == 32
    assert any(
        arrived[x] < arrived[y] and seqs[x] > seqs[y] for x in arrived for y in arrived
    ), "the writers happened to commit in the order they started; nothing was tested"
    assert pulls > 3, "the reader should have pulled while the writers were writing"
    # The phone holds exactly the server's visible set: every visit, at its last rev.
    fresh = api.replica(reader)
    assert replica == fresh
    visits = visits_in(replica)
    assert set(visits) == set(delays)
    assert {v["rev"] for v in visits.values()} == {2}


def interleave_two_writers(api, world, monkeypatch) -> dict:
    """A deterministic schedule: writer A writes its change-log row and waits, still in its
    transaction; writer B then writes and tries to commit; the reader pulls; A commits; the
    reader pulls again. Returns what the reader's phone ended up with."""
    a_logged, a_release = threading.Event(), threading.Event()
    a_data, b_data = visit_data(world["markets"]["hom"]), visit_data(world["markets"]["mo"])

    def after(rows):
        if rows[0]["entity_id"] == a_data["id"]:
            a_logged.set()
            a_release.wait(timeout=TIMEOUT)

    hook_change_log(monkeypatch, after=after)
    inspector, reader = api.login("insp_hbt"), api.login("ward_hbt", "reader")
    everything, cursor = api.pull_all(reader)
    replica = apply_changes({}, everything)
    answers = {}

    def write(name, data):
        answers[name] = api.push(inspector, upsert(data))[0]

    writer_a = threading.Thread(target=write, args=("a", a_data))
    writer_b = threading.Thread(target=write, args=("b", b_data))
    try:
        writer_a.start()
        assert a_logged.wait(timeout=TIMEOUT), "writer A never reached the change log"
        writer_b.start()
        writer_b.join(timeout=1.5)
        b_finished_while_a_in_flight = not writer_b.is_alive()
        news, cursor = api.pull_all(reader, cursor)
        apply_changes(replica, news)
    finally:
        a_release.set()
        writer_a.join(TIMEOUT)
        writer_b.join(TIMEOUT)
    assert not writer_a.is_alive() and not writer_b.is_alive(), "a writer hung"
    assert answers["a"]["status"] == answers["b"]["status"] == "applied"
    news, cursor = api.pull_all(reader, cursor)
    apply_changes(replica, news)
    return {
        "a": a_data["id"], "b": b_data["id"], "replica": replica, "fresh": api.replica(reader),
        "b_finished_while_a_in_flight": b_finished_while_a_in_flight,
    }


@pytest.mark.postgres_only
@pytest.mark.skipif(BACKEND != "postgres", reason=POSTGRES_ONLY)
def test_negative_control_without_the_lock_the_interleaving_skips_a_change(
        api, world, monkeypatch):
    """Proves the schedule above can catch a skip: with sequence numbers handed out without
    the lock, B commits seq n+1 while A's seq n is in flight, the reader's cursor moves past n,
    and A's visit never reaches the phone."""
    without_sequence_lock(monkeypatch)
    seen = interleave_two_writers(api, world, monkeypatch)
    assert seen["b_finished_while_a_in_flight"]
    assert seen["b"] in visits_in(seen["replica"])
    assert seen["a"] in visits_in(seen["fresh"])
    assert seen["a"] not in visits_in(seen["replica"]), "expected the unlocked version to skip"
    assert seen["replica"] != seen["fresh"]


@pytest.mark.postgres_only
@pytest.mark.skipif(BACKEND != "postgres", reason=POSTGRES_ONLY)
def test_with_the_lock_the_same_interleaving_skips_nothing(api, world, monkeypatch):
    seen = interleave_two_writers(api, world, monkeypatch)
    assert not seen["b_finished_while_a_in_flight"], "B must wait for A's commit"
    assert {seen["a"], seen["b"]} <= set(visits_in(seen["replica"]))
    assert seen["replica"] == seen["fresh"]
