"""A server killed between its commit and its answer (DESIGN §5.1, exactly-once).

A real server runs as a subprocess (tests/e2e/live_server.py) with a fault point armed
(server/core/faults.py): `push_after_commit` commits the push and then dies by SIGKILL, before
answering; `push_before_commit` dies with every mutation applied but not committed. The phone
sees the connection drop and, knowing nothing, retries the whole push against the restarted
server. What it must see: after the commit, every mutation comes back `duplicate`; before it,
none was kept and every one comes back `applied`; either way the server holds each visit
exactly once at rev 1.

A push is one transaction (server/sync/push.py): these tests used to see the first mutation
`duplicate` and the rest `applied`, when each mutation committed on its own. DESIGN §5.1 asks
for exactly-once, which holds in both cases; a push is now kept whole or not at all.

Runs on SQLite (a file the restarted server reopens) and, when the suite runs on PostgreSQL,
also on the PostgreSQL database of TEST_DATABASE_URL. These tests use neither the `app` nor the
`world` fixture, so the in-process app never touches that database while the subprocess does.
"""

import os

import pytest
import requests
from sqlalchemy import create_engine, text

from server.core.config import normalise_database_url
from tests.conftest import BACKEND
from tests.e2e.live_server import LiveServer
from tests.factories import apply_changes, upsert, visit_data

AFTER_COMMIT, BEFORE_COMMIT = "push_after_commit", "push_before_commit"
INSPECTOR = ("kiemtra", "ChoXanh@2023")  # the demo inspector, Quận Hai Bà Trưng
TIMEOUT = 20
BACKENDS = ["sqlite"] + (["postgres"] if BACKEND == "postgres" else [])


def empty_postgres(url: str) -> None:
    engine = create_engine(normalise_database_url(url))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


class Phone:
    """The inspector's phone talking to whichever server answers at `url`."""

    def __init__(self, url: str):
        self.url = url
        response = requests.post(
            f"{url}/api/v1/auth/token",
            json={"username": INSPECTOR[0], "password": INSPECTOR[1], "device_id": "phone-1"},
            timeout=TIMEOUT,
        )
        assert response.status_code == 201, response.text
        self.headers = {"Authorization": f"Bearer {response.json()['token']}"}

    def push(self, mutations: list[dict]) -> requests.Response:
        return requests.post(
            f"{self.url}/api/v1/sync/push",
            json={"device_id": "phone-1", "mutations": mutations},
            headers=self.headers, timeout=TIMEOUT,
        )

    def replica(self) -> dict:
        replica, cursor = {}, None
        while True:
            params = {"limit": 1000, **({"cursor": cursor} if cursor else {})}
            response = requests.get(
                f"{self.url}/api/v1/sync/pull", params=params, headers=self.headers,
                timeout=TIMEOUT,
            )
            assert response.status_code == 200, response.text
            body = response.json()
            apply_changes(replica, body["changes"])
            cursor = body["cursor"]
            if not body["has_more"]:
                return replica

    def visits(self) -> dict[str, dict]:
        return {key[1]: data for key, data in self.replica().items() if key[0] == "visit"}

    def a_market(self) -> int:
        markets = sorted(key[1] for key in self.replica() if key[0] == "market")
        assert markets, "the demo inspector sees no market"
        return int(markets[0])


@pytest.fixture(params=BACKENDS)
def server(request, tmp_path, seeded_sqlite):
    """A seeded live server (not started; on SQLite a copy of the run's seeded demo); stopped
    for good at the end."""
    extra_env = {}
    if request.param == "postgres":
        extra_env["DATABASE_URL"] = os.environ["TEST_DATABASE_URL"]
        empty_postgres(extra_env["DATABASE_URL"])
    live = LiveServer(tmp_path, extra_env=extra_env).prepare(
        template=seeded_sqlite if request.param == "sqlite" else None)
    yield live
    live.stop(hard=True)


def start(live: LiveServer, faults: bool, fault: str = AFTER_COMMIT) -> LiveServer:
    """(Re)start the same server on the same database and port, with or without the fault."""
    live.stop(hard=True)
    live.env.pop("CHOXANH_FAULTS", None)
    if faults:
        live.env["CHOXANH_FAULTS"] = fault
    return live.start()


def crash_on_push(live: LiveServer, phone: Phone, mutations: list[dict]) -> None:
    """Push with the fault armed: the server dies unanswered (after or before its commit)."""
    with pytest.raises(requests.ConnectionError):
        phone.push(mutations)
    live.process.wait(timeout=TIMEOUT)
    assert live.process.returncode == -9, "the server should have died by SIGKILL"


def test_retry_after_a_crash_between_commit_and_answer(server):
    start(server, faults=True)
    phone = Phone(server.url)
    market = phone.a_market()
    mutations = [upsert(visit_data(market)) for _ in range(3)]

    crash_on_push(server, phone, mutations)
    start(server, faults=False)
    retry = phone.push(mutations)

    assert retry.status_code == 200, retry.text
    results = retry.json()["results"]
    assert [r["status"] for r in results] == ["duplicate"] * 3
    assert [r["id"] for r in results] == [m["id"] for m in mutations]
    assert all(r["record"]["rev"] == 1 for r in results)
    visits = phone.visits()
    assert set(visits) == {m["data"]["id"] for m in mutations}
    assert all(v["rev"] == 1 for v in visits.values())
    assert [visits[r["record"]["id"]] for r in results] == [r["record"] for r in results]

    again = phone.push(mutations)
    assert [r["status"] for r in again.json()["results"]] == ["duplicate"] * 3
    assert [r["record"] for r in again.json()["results"]] == [r["record"] for r in results]
    assert len(phone.visits()) == 3


def test_five_crashes_in_a_row_lose_and_double_nothing(server):
    start(server, faults=True)
    phone = Phone(server.url)
    market = phone.a_market()
    pushed = []
    for round_ in range(5):
        mutations = [upsert(visit_data(market)) for _ in range(2)]
        pushed += mutations
        if round_:
            start(server, faults=True)
        crash_on_push(server, phone, mutations)
        start(server, faults=False)
        results = phone.push(mutations).json()["results"]
        assert [r["status"] for r in results] == ["duplicate", "duplicate"]

    visits = phone.visits()
    assert len(visits) == 10
    assert set(visits) == {m["data"]["id"] for m in pushed}
    assert all(v["rev"] == 1 for v in visits.values())
    results = phone.push(pushed).json()["results"]
    assert [r["status"] for r in results] == ["duplicate"] * 10


def test_crash_before_the_commit_keeps_nothing_and_the_retry_applies_all(server):
    start(server, faults=True, fault=BEFORE_COMMIT)
    phone = Phone(server.url)
    market = phone.a_market()
    mutations = [upsert(visit_data(market)) for _ in range(3)]

    crash_on_push(server, phone, mutations)
    start(server, faults=False)
    assert phone.visits() == {}, "a push killed before its commit must leave nothing behind"
    retry = phone.push(mutations)

    assert retry.status_code == 200, retry.text
    results = retry.json()["results"]
    assert [r["status"] for r in results] == ["applied"] * 3
    visits = phone.visits()
    assert set(visits) == {m["data"]["id"] for m in mutations}
    assert all(v["rev"] == 1 for v in visits.values())
    again = phone.push(mutations).json()["results"]
    assert [r["status"] for r in again] == ["duplicate"] * 3
