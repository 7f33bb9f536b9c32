"""Push and pull under real concurrency (DESIGN §5.1 exactly-once, §5.2 gap-free, §10).

The real app serves HTTP in a background thread (werkzeug, threaded: one thread per request,
each with its own session and database connection, as in production) and the tests send real
requests from many threads at once, released together by a barrier. Each test asserts what a
user would notice: how many visits the inspector's and the officer's phones end up holding, at
which rev, and whether any change never reached a phone.
"""

import itertools
import random
import threading
import time
from dataclasses import dataclass
from datetime import timedelta

import pytest
import requests
from sqlalchemy import func, select, update
from werkzeug.serving import make_server

from server.auth.models import DeviceToken
from server.extensions import db
from server.review.models import ReviewDecision
from server.sync import changes
from server.sync import push as push_module
from server.sync.models import AppliedMutation, ChangeLog, Visit
from server.timeutil import utcnow
from tests.conftest import BACKEND
from tests.factories import PASSWORD, apply_changes, decision, upsert, visit_data

TIMEOUT = 30  # seconds; nothing here may hang the suite
# How long each writer holds its transaction open, at random up to: before its change-log
# insert (visit written, no seq yet) and after it (seq taken, not committed).
HOLD_BEFORE, HOLD_AFTER = 0.2, 0.1
POSTGRES_ONLY = (
    "gap-free under out-of-order commits is a PostgreSQL question: on SQLite the database "
    "itself serialises writers (BEGIN IMMEDIATE takes its single write lock before the first "
    "read), so no two write transactions are ever in flight at once to commit out of order"
)


@pytest.fixture
def app(make_app):
    """The app with a pool big enough for every writer and reader thread at once."""
    app = make_app(
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True, "pool_size": 24, "max_overflow": 8}
    )
    with app.app_context():
        yield app


@dataclass
class Api:
    url: str

    def login(self, username: str, device_id: str | None = None) -> dict:
        response = requests.post(
            f"{self.url}/api/v1/auth/token",
            json={"username": username, "password": PASSWORD,
                  "device_id": device_id or f"dev-{username}"},
            timeout=TIMEOUT,
        )
        assert response.status_code == 201, response.text
        return {"Authorization": f"Bearer {response.json()['token']}"}

    def push(self, headers: dict, *mutations, device_id: str = "dev-1") -> list[dict]:
        response = requests.post(
            f"{self.url}/api/v1/sync/push",
            json={"device_id": device_id, "mutations": list(mutations)},
            headers=headers, timeout=TIMEOUT,
        )
        assert response.status_code == 200, response.text
        return response.json()["results"]

    def pull(self, headers: dict, cursor: str | None = None, limit: int = 500) -> dict:
        params = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        response = requests.get(
            f"{self.url}/api/v1/sync/pull", params=params, headers=headers, timeout=TIMEOUT
        )
        assert response.status_code == 200, response.text
        return response.json()

    def pull_all(self, headers: dict, cursor: str | None = None, limit: int = 500):
        changes_seen = []
        while True:
            body = self.pull(headers, cursor, limit)
            changes_seen += body["changes"]
            cursor = body["cursor"]
            if not body["has_more"]:
                return changes_seen, cursor

    def replica(self, headers: dict) -> dict:
        """What a phone holds after a pull from scratch: the server's visible set."""
        return apply_changes({}, self.pull_all(headers)[0])


@pytest.fixture
def api(app, world):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield Api(f"http://127.0.0.1:{server.server_port}")
    server.shutdown()
    thread.join(TIMEOUT)


def at_once(*calls) -> list:
    """Run the calls in threads released together by a barrier; their results, in order.
    An exception in any call (a 500, a failed assert) fails the test."""
    barrier = threading.Barrier(len(calls))
    results, errors = [None] * len(calls), []

    def run(index, call):
        try:
            barrier.wait(timeout=TIMEOUT)
            results[index] = call()
        except BaseException as exc:  # noqa: BLE001  (reported below, in the test's thread)
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(t.is_alive() for t in threads), "a request hung"
    if errors:
        raise errors[0]
    return results


def count(model, *where) -> int:
    db.session.rollback()  # a fresh snapshot: the writes happened on other connections
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def outcomes(results: list[list[dict]]) -> list[tuple]:
    """(status, error code) of each request's single result, sorted: what the phones were told."""
    return sorted((r[0]["status"], (r[0].get("error") or {}).get("code")) for r in results)


def visits_in(replica: dict) -> dict[str, dict]:
    return {key[1]: data for key, data in replica.items() if key[0] == "visit"}


def hook_change_log(monkeypatch, before=None, after=None) -> None:
    """Run `before(rows)` / `after(rows)` inside the writer's transaction, just before and just
    after its change-log insert (which takes the sequence lock). A push queues its rows and
    inserts them all just before its one commit (changes.write_queued_changes), so the hook
    is on the insert itself, not on the handlers' record_changes."""
    real = changes.insert_changes

    def insert_changes(rows):
        if before:
            before(rows)
        real(rows)
        if after:
            after(rows)

    monkeypatch.setattr(changes, "insert_changes", insert_changes)


def without_sequence_lock(monkeypatch) -> None:
    """The bug the design warns about: change-log seqs handed out without the advisory lock."""
    real_text = changes.text

    def text(sql):
        if "pg_advisory_xact_lock" in sql:
            return real_text("SELECT CAST(:key AS bigint)")
        return real_text(sql)

    monkeypatch.setattr(changes, "text", text)


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
