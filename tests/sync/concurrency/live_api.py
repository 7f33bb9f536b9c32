"""What the concurrency tests share (tests/sync/concurrency/test_*.py): a small client for the
real app served over HTTP (`Api`; the server is the `api` fixture of conftest.py), requests
released together by a barrier (`at_once`), and hooks into the writer's transaction."""

import threading
from contextlib import contextmanager
from dataclasses import dataclass

import requests
from sqlalchemy import func, select
from werkzeug.serving import make_server

from server.core.extensions import db
from server.core.locks import CHANGE_SEQUENCE_LOCK
from server.sync import changes
from tests.factories import PASSWORD, apply_changes

TIMEOUT = 30  # seconds; nothing here may hang the suite
# How long each writer holds its transaction open, at random up to: before its change-log
# insert (visit written, no seq yet) and after it (seq taken, not committed).
HOLD_BEFORE, HOLD_AFTER = 0.2, 0.1
POSTGRES_ONLY = (
    "gap-free under out-of-order commits is a PostgreSQL question: on SQLite the database "
    "itself serialises writers (BEGIN IMMEDIATE takes its single write lock before the first "
    "read), so no two write transactions are ever in flight at once to commit out of order"
)


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



@contextmanager
def served(app):
    """`app` served over HTTP in a background thread (werkzeug, threaded: one thread per
    request, each with its own session and database connection, as in production)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield Api(f"http://127.0.0.1:{server.server_port}")
    finally:
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
    real_lock = changes.transaction_lock

    def transaction_lock(key: int) -> None:
        if key != CHANGE_SEQUENCE_LOCK:
            real_lock(key)

    monkeypatch.setattr(changes, "transaction_lock", transaction_lock)
