"""Push under real concurrency (DESIGN §5.1 exactly-once, §10): the same push, login or
decision arriving many times at once, and a repeat that read before the first one committed.

Real requests from many threads at once against the real app served over HTTP
(conftest.py, live_api.py). Each test asserts what a user would notice: how many visits the
inspector's and the officer's phones end up holding, and at which rev.
"""

import itertools
import threading
from datetime import timedelta

import pytest
import requests
from sqlalchemy import update

from server.core.extensions import db
from server.core.timeutil import utcnow
from server.models import AppliedMutation, ChangeLog, DeviceToken, ReviewDecision, Visit
from server.sync import push as push_module
from tests.conftest import BACKEND
from tests.factories import PASSWORD, decision, upsert, visit_data
from tests.sync.concurrency.live_api import (
    TIMEOUT,
    at_once,
    count,
    hook_change_log,
    outcomes,
    visits_in,
)

# --- 1a. exactly once, with the same request arriving 8 times at once --------------------


def same_push_8_times_at_once(api, world, inspector: dict) -> None:
    mutation = upsert(visit_data(world["markets"]["hom"]))

    results = at_once(*[lambda: api.push(inspector, mutation)] * 8)

    assert outcomes(results) == [("applied", None)] + [("duplicate", None)] * 7
    records = [r[0]["record"] for r in results]
    assert all(record == records[0] for record in records)
    assert records[0]["id"] == mutation["data"]["id"] and records[0]["rev"] == 1
    # The inspector's phone and the ward officer's queue each hold that one visit, at rev 1.
    for user in ("insp_hbt", "ward_hbt"):
        visits = visits_in(api.replica(api.login(user)))
        assert list(visits) == [mutation["data"]["id"]]
        assert visits[mutation["data"]["id"]] == records[0]
    assert count(Visit) == 1 and count(AppliedMutation) == 1
    assert count(ChangeLog, ChangeLog.entity == "visit") == 1


@pytest.mark.parametrize("round_", range(3))
def test_same_push_from_8_threads_makes_one_visit(api, world, round_):
    same_push_8_times_at_once(api, world, api.login("insp_hbt"))


@pytest.mark.parametrize("round_", range(3))
def test_same_push_from_8_threads_after_a_day_offline(api, world, round_):
    """The usual case in the field: the phone was offline all day, so its token was last seen
    long ago and the request that arrives first records last_seen_at — 8 of them at once."""
    inspector = api.login("insp_hbt")
    db.session.execute(update(DeviceToken).values(last_seen_at=utcnow() - timedelta(days=1)))
    db.session.commit()
    same_push_8_times_at_once(api, world, inspector)


def test_8_phones_log_in_at_once(api, world):
    """The morning briefing: every phone signs in at the same moment; all get a token."""

    def log_in(username, device_id):
        return requests.post(
            f"{api.url}/api/v1/auth/token",
            json={"username": username, "password": PASSWORD, "device_id": device_id},
            timeout=TIMEOUT,
        )

    users = ["insp_hbt", "insp_hbt2", "insp_bd", "ward_hbt", "ward_hbt1", "ward_bd", "city",
             "admin"]
    responses = at_once(*[lambda u=u: log_in(u, f"phone-{u}") for u in users])
    assert [r.status_code for r in responses] == [201] * 8, [r.text for r in responses]


def test_same_decision_from_8_threads_is_decided_once(api, world):
    data = visit_data(world["markets"]["hom"])
    api.push(api.login("insp_hbt"), upsert(data))
    officer = api.login("ward_hbt")
    approve = decision(data["id"], 1, "approve")

    results = at_once(*[lambda: api.push(officer, approve)] * 8)

    assert outcomes(results) == [("applied", None)] + [("duplicate", None)] * 7
    records = [r[0]["record"] for r in results]
    assert all(record == records[0] for record in records)
    assert records[0]["status"] == "approved" and records[0]["rev"] == 2  # bumped once
    visit = visits_in(api.replica(api.login("insp_hbt")))[data["id"]]
    assert visit["rev"] == 2 and visit["review"]["decision"] == "approve"
    assert count(ReviewDecision) == 1


@pytest.mark.parametrize("round_", range(3))
def test_two_officers_deciding_the_same_rev_at_once_one_wins(api, world, round_):
    data = visit_data(world["markets"]["hom"])
    api.push(api.login("insp_hbt"), upsert(data))
    ward, city = api.login("ward_hbt"), api.login("city")

    [[approved], [rejected]] = at_once(
        lambda: api.push(ward, decision(data["id"], 1, "approve")),
        lambda: api.push(city, decision(data["id"], 1, "reject", "Ảnh không khớp chợ.")),
    )

    assert sorted([approved["status"], rejected["status"]]) == ["applied", "conflict"]
    winner, loser = (approved, rejected) if approved["status"] == "applied" else (
        rejected, approved)
    assert loser["error"]["code"] == "stale_rev"
    assert loser["record"] == winner["record"]  # the loser is shown the decision that won
    assert winner["record"]["rev"] == 2
    visit = visits_in(api.replica(api.login("insp_hbt")))[data["id"]]
    assert visit == winner["record"]
    assert count(ReviewDecision) == 1


def test_a_repeat_that_read_before_the_first_commit_is_still_a_duplicate(api, world, monkeypatch):
    """The race behind a 'conflict' in the 8-thread tests, made deterministic. Request A
    (a create) writes its visit and waits, uncommitted; request B, the same mutation, finds no
    stored answer yet and enters the handler; A commits and answers; B goes on. B must still be
    told `duplicate`: it is the same mutation, and the phone must not see its own visit as a
    conflict. (On SQLite B cannot start before A commits; the schedule then times out and
    runs in sequence, which must give the same answers.)"""
    inspector = api.login("insp_hbt")
    mutation = upsert(visit_data(world["markets"]["hom"]))
    a, b = overtake(api, monkeypatch, inspector, mutation)
    assert (a["status"], b["status"]) == ("applied", "duplicate"), b.get("error")
    assert b["record"] == a["record"] and a["record"]["rev"] == 1
    assert list(visits_in(api.replica(inspector))) == [mutation["data"]["id"]]


def test_a_repeated_decision_that_read_before_the_first_commit_is_still_a_duplicate(
        api, world, monkeypatch):
    """The same schedule for review.decide: the officer's phone retried 'approve' while the
    first request was still committing; the retry must not say 'someone decided first'."""
    data = visit_data(world["markets"]["hom"])
    api.push(api.login("insp_hbt"), upsert(data))
    officer = api.login("ward_hbt")
    a, b = overtake(api, monkeypatch, officer, decision(data["id"], 1, "approve"))
    assert (a["status"], b["status"]) == ("applied", "duplicate"), b.get("error")
    assert b["record"] == a["record"] and a["record"]["rev"] == 2
    assert count(ReviewDecision) == 1


def overtake(api, monkeypatch, headers: dict, mutation: dict) -> tuple[dict, dict]:
    """Send `mutation` twice on this schedule: A logs its change and waits (≤ 2 s) until B has
    found no stored answer and entered the handler; A commits and answers; then B's handler
    runs. Returns A's and B's results."""
    a_logged, b_in_handler, a_answered = (threading.Event() for _ in range(3))
    entries = itertools.count()
    real_handler = push_module.HANDLERS[mutation["type"]]

    def handler(user, device_id, data):
        if next(entries) == 1:  # B (A is entry 0; a replay after a failed insert is entry 2+)
            b_in_handler.set()
            a_answered.wait(timeout=TIMEOUT)
        return real_handler(user, device_id, data)

    def after(rows):
        if not a_logged.is_set():  # A, inside its transaction, its change written
            a_logged.set()
            # On SQLite B waits for A's write lock before it can even look: don't wait long.
            b_in_handler.wait(timeout=2 if BACKEND == "postgres" else 0.2)

    monkeypatch.setitem(push_module.HANDLERS, mutation["type"], handler)
    hook_change_log(monkeypatch, after=after)
    results = {}

    def send(name):
        try:
            [results[name]] = api.push(headers, mutation)
        finally:
            if name == "a":
                a_answered.set()

    threads = {name: threading.Thread(target=send, args=(name,)) for name in "ab"}
    threads["a"].start()
    assert a_logged.wait(timeout=TIMEOUT), "request A never wrote its change"
    threads["b"].start()
    for thread in threads.values():
        thread.join(TIMEOUT)
    assert not any(t.is_alive() for t in threads.values()), "a request hung"
    return results["a"], results["b"]
