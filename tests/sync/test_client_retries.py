"""syncclient without a server: a stubbed network (`FakeSession`, a tiny in-memory stand-in
for DESIGN §5 with faults injected per route) drives retries, exactly-once resends, outbox
settling, re-pull after 410, re-login after 401, and durability across restarts and crashes."""

import copy
import json
import os
import random
from urllib.parse import urlsplit

import pytest
import requests

from syncclient import AuthError, SyncClient, SyncError
from syncclient.http import backoff_delay
from syncclient.outbox import LocalStore
from syncclient.simulate import fake_answers, fake_photo

BASE = "http://phone.test"
PASSWORD = "pw"
LOST = "lost"  # fault: the server handles the request, then the answer is lost on the way back
DIES = "dies"  # fault: the server handles the request, then the phone dies before the answer


class Crash(BaseException):
    """The phone dies mid-request (not an Exception: nothing in the client may catch it)."""


class Resp:
    def __init__(self, status: int, body=None, headers=None):
        self.status_code, self._body, self.headers = status, body, headers or {}
        self.text = "" if body is None else str(body)

    def json(self):
        if self._body is None:
            raise ValueError("no JSON body")
        return copy.deepcopy(self._body)


def error(status: int, code: str, message: str = "…") -> Resp:
    return Resp(status, {"error": {"code": code, "message": message}})


class FakeSession:
    def __init__(self):
        self.calls: list[dict] = []
        self.faults: dict[tuple[str, str], list] = {}
        self.tokens: set[str] = set()
        self.logins = 0
        self.results: dict[str, dict] = {}  # mutation id → first result (exactly once)
        self.verdicts: dict[str, tuple] = {}  # visit id → (status, error code)
        self.records: dict[tuple[str, str], dict] = {}  # what a full pull lists
        self.log: list[dict] = []  # what an incremental pull reads
        self.expired = False  # every cursor → 410 cursor_expired
        self.blobs: dict[str, bytes] = {}

    def fail(self, method: str, route: str, *outcomes) -> None:
        """Queue outcomes for the next requests to a route: an exception, a status, LOST."""
        self.faults.setdefault((method, route), []).extend(outcomes)

    def change(self, entity: str, entity_id, data: dict | None, rev: int = 1) -> None:
        op = "delete" if data is None else "upsert"
        change = {"entity": entity, "op": op, "id": entity_id, "rev": rev, "data": data}
        if data is None:
            self.records.pop((entity, str(entity_id)), None)
        else:
            self.records[(entity, str(entity_id))] = change
        self.log.append(change)

    def pushes(self) -> list[list[dict]]:
        return [c["json"]["mutations"] for c in self.calls if c["path"] == "/api/v1/sync/push"]

    # --- the session interface used by SyncClient ---------------------------------------

    def request(self, method, url, headers=None, timeout=None, json=None, params=None,
                data=None):
        path = urlsplit(url).path
        call = {"method": method, "path": path, "headers": dict(headers or {}),
                "json": copy.deepcopy(json), "params": dict(params or {}), "data": data}
        self.calls.append(call)
        route = "/attachments" if path.startswith("/api/v1/attachments/") else path[7:]
        queue = self.faults.get((method, route)) or []
        outcome = queue.pop(0) if queue else None
        if isinstance(outcome, BaseException):
            raise outcome
        if isinstance(outcome, int):
            return error(outcome, "injected")
        response = self._handle(method, route, call)
        if outcome == LOST:
            raise requests.ConnectionError("connection reset by peer")
        if outcome == DIES:
            raise Crash()
        return response

    def _handle(self, method, route, call):
        if route == "/auth/token" and method == "POST":
            if call["json"]["password"] != PASSWORD:
                return error(401, "invalid_credentials")
            self.logins += 1
            token = f"token-{self.logins}"
            self.tokens.add(token)
            user = {"id": 7, "username": call["json"]["username"], "role": "inspector"}
            return Resp(201, {"token": token, "expires_at": "2030-01-01T00:00:00Z", "user": user})
        if call["headers"].get("Authorization", "")[7:] not in self.tokens:
            return error(401, "unauthorized")
        if route == "/sync/push":
            return Resp(200, {"results": [self._apply(m) for m in call["json"]["mutations"]]})
        if route == "/sync/pull":
            return self._pull(call["params"])
        sha = call["path"].rsplit("/", 1)[1]
        if method == "HEAD":
            return Resp(200 if sha in self.blobs else 404)
        self.blobs[sha] = call["data"]
        return Resp(201, {"sha256": sha})

    def _apply(self, mutation):
        if mutation["id"] in self.results:
            first = copy.deepcopy(self.results[mutation["id"]])
            first["status"] = "duplicate" if first["status"] == "applied" else first["status"]
            return first
        data = mutation["data"]
        visit_id = data.get("id") or data.get("visit_id")
        status, code = self.verdicts.get(visit_id, ("applied", None))
        held = self.records.get(("visit", visit_id))
        rev = (held["rev"] if held else 0) + (status == "applied")
        record = {**(held["data"] if held else {}), "id": visit_id, "rev": rev,
                  "status": "submitted"}
        if status == "applied":
            record.update({k: v for k, v in data.items() if k not in ("base_rev", "visit_id")})
            self.change("visit", visit_id, record, rev)
        result = {"id": mutation["id"], "status": status,
                  "record": record if status != "rejected" else None}
        if code:
            result["error"] = {"code": code, "message": "refused by the fake server"}
        self.results[mutation["id"]] = result
        return copy.deepcopy(result)

    def _pull(self, params):
        limit, cursor = int(params["limit"]), params.get("cursor")
        if cursor is None:
            listing, start, after = list(self.records.values()), 0, len(self.log)
        elif self.expired:
            return error(410, "cursor_expired")
        else:
            kind, start, after = cursor.split(":")[0], int(cursor.split(":")[1]), None
            listing = list(self.records.values()) if kind == "full" else self.log
            if kind == "full":
                after = int(cursor.split(":")[2])
        page, end = listing[start : start + limit], start + limit
        if cursor is None or cursor.startswith("full"):
            if end < len(listing):
                return Resp(200, {"changes": page, "cursor": f"full:{end}:{after}",
                                  "has_more": True})
            return Resp(200, {"changes": page, "cursor": f"inc:{after}",
                              "has_more": after < len(self.log)})
        end = min(end, len(listing))
        return Resp(200, {"changes": page, "cursor": f"inc:{end}",
                          "has_more": end < len(listing)})


# --- helpers ------------------------------------------------------------------------------


class UpperBound:
    """An rng whose uniform(a, b) is b: the jitter's ceiling, to check the exponential growth."""

    def uniform(self, _low, high):
        return high


ANSWERS = {"stalls_total": 40, "stalls_using_nondegradable": 0, "signage_present": True,
           "outreach_held": False}


@pytest.fixture
def net():
    return FakeSession()


def phone(net, store_path=None, **options) -> tuple[SyncClient, list[float]]:
    slept: list[float] = []
    options.setdefault("rng", random.Random(1))
    client = SyncClient(BASE, "insp", PASSWORD, store_path=store_path, session=net,
                        sleep=slept.append, **options)
    return client, slept


def visit(client, **extra) -> str:
    return client.record_visit(12, dict(ANSWERS), **extra)


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


# --- photos -------------------------------------------------------------------------------


def test_photos_are_uploaded_head_then_put_raw_bytes_with_their_type(net):
    client, _ = phone(net)
    new, known = fake_photo("new"), fake_photo("known")
    visit_id = visit(client, photos=[new, known])
    [mutation] = client.outbox
    sha_new, sha_known = mutation["data"]["attachments"]
    net.blobs[sha_known] = known
    report = client.sync()
    assert report.uploaded == 1 and net.blobs[sha_new] == new
    photo_calls = [(c["method"], c["path"].rsplit("/", 1)[1]) for c in net.calls
                   if "/attachments/" in c["path"]]
    assert photo_calls == [("HEAD", sha_new), ("PUT", sha_new), ("HEAD", sha_known)]
    put = next(c for c in net.calls if c["method"] == "PUT")
    assert put["headers"]["Content-Type"] == "image/jpeg" and put["data"] == new
    assert new.startswith(b"\xff\xd8\xff\xe0") and fake_photo("x") != fake_photo("y")
    assert client.state()[("visit", visit_id)]["attachments"] == [sha_new, sha_known]


# --- pull ---------------------------------------------------------------------------------


def test_pull_pages_until_has_more_is_false_and_applies_deletes(net):
    for market_id in range(1, 6):
        net.change("market", market_id, {"id": market_id, "name": f"Chợ {market_id}"})
    client, _ = phone(net, pull_limit=2)
    first = client.sync()
    assert first.pulled == 5 and len(net.calls) == 1 + 3  # login + 3 pages
    assert sorted(client.state()) == [("market", str(i)) for i in range(1, 6)]
    assert "cursor" not in net.calls[1]["params"] and net.calls[2]["params"]["cursor"]
    net.change("market", 2, None)
    net.change("market", 3, {"id": 3, "name": "Chợ Ba"}, rev=2)
    assert client.sync().pulled == 2
    state = client.state()
    assert ("market", "2") not in state and state[("market", "3")]["name"] == "Chợ Ba"
    assert client.store.record("market", 3)["rev"] == 2


def test_cursor_expired_clears_the_replica_and_pulls_from_scratch(net):
    net.change("market", 1, {"id": 1, "name": "Chợ Hôm"})
    net.change("market", 2, {"id": 2, "name": "Chợ Mơ"})
    client, _ = phone(net)
    client.sync()
    net.records.pop(("market", "2"))  # gone, and the change-log rows saying so were purged
    net.change("market", 3, {"id": 3, "name": "Chợ Ngọc Hà"})
    net.expired = True
    report = client.sync()
    assert report.restarts == 1 and report.pulled == 2
    assert sorted(client.state()) == [("market", "1"), ("market", "3")]
    pulls = [c["params"] for c in net.calls if c["path"].endswith("/pull")]
    assert "cursor" in pulls[-2] and "cursor" not in pulls[-1]


def test_cursor_expired_again_and_again_is_an_error(net):
    client, _ = phone(net)
    client.sync()
    net.expired = True
    net.fail("GET", "/sync/pull", None, 410, 410, 410)  # the fresh pulls expire too
    with pytest.raises(SyncError) as raised:
        client.sync()
    assert raised.value.status == 410


# --- auth ---------------------------------------------------------------------------------


def test_401_logs_in_again_once_with_the_stored_password(net):
    client, _ = phone(net)
    visit(client)
    client.login()
    net.tokens.clear()  # the token expired or was revoked
    report = client.sync()
    assert report.relogins == 1 and net.logins == 2 and report.applied == 1


def test_401_after_logging_in_again_raises_auth_error_and_keeps_the_outbox(net):
    client, _ = phone(net)
    visit(client)
    client.login()
    net.fail("POST", "/sync/push", 401, 401, 401)
    with pytest.raises(AuthError):
        client.sync()
    assert net.logins == 2 and len(net.pushes()) == 2 and len(client.outbox) == 1


def test_wrong_password_raises_auth_error(net):
    client = SyncClient(BASE, "insp", "wrong", session=net, sleep=lambda _: None)
    with pytest.raises(AuthError) as raised:
        client.login()
    assert raised.value.status == 401 and raised.value.code == "invalid_credentials"
    visit(client)
    with pytest.raises(AuthError):
        client.sync()
    assert len(client.outbox) == 1


# --- recording ----------------------------------------------------------------------------


def test_record_visit_queues_an_upsert_in_phone_time(net):
    client, _ = phone(net)
    visit_id = client.record_visit("12", fake_answers(random.Random(0)),
                                   location={"lat": 21.0, "lon": 105.8, "accuracy_m": 9})
    [mutation] = client.outbox
    assert mutation["type"] == "visit.upsert" and mutation["data"]["id"] == visit_id
    assert mutation["data"]["base_rev"] is None and mutation["data"]["form_version"] == "2023.1"
    assert mutation["data"]["observed_at"].endswith("+07:00")
    assert mutation["data"]["attachments"] == []
    assert mutation["id"] != visit_id and len(mutation["id"]) == 36


def test_edit_and_decide_take_base_rev_from_the_replica(net):
    client, _ = phone(net)
    visit_id = visit(client, location=None)
    client.sync()
    mutation_id = client.edit_visit(visit_id, answers={**ANSWERS, "stalls_total": 41})
    edit = client.outbox[-1]
    assert edit["id"] == mutation_id and edit["data"]["base_rev"] == 1
    assert edit["data"]["market_id"] == 12 and edit["data"]["answers"]["stalls_total"] == 41
    with pytest.raises(TypeError):
        client.edit_visit(visit_id, status="approved")
    client.edit_visit(visit_id, location={"lat": 1, "lon": 2})  # an offline edit of an edit
    assert client.outbox[-1]["data"]["base_rev"] == 2
    assert client.outbox[-1]["data"]["answers"]["stalls_total"] == 41
    assert client.sync().applied == 2
    client.decide(visit_id, None, "approve")
    assert client.outbox[-1]["data"] == {"visit_id": visit_id, "base_rev": 3,
                                        "decision": "approve", "comment": None}
    with pytest.raises(ValueError):
        client.edit_visit("no-such-visit")


# --- durability ---------------------------------------------------------------------------


def test_outbox_replica_and_photos_persist_across_a_new_client(net, tmp_path):
    client, _ = phone(net, store_path=tmp_path)
    net.change("market", 12, {"id": 12, "name": "Chợ Hôm"})
    client.sync()
    photo = fake_photo("kept")
    visit_id = visit(client, photos=[photo])
    queued = client.outbox
    del client

    again, _ = phone(net, store_path=tmp_path)
    assert again.outbox == queued and again.store.cursor
    assert again.state() == {("market", "12"): {"id": 12, "name": "Chợ Hôm"}}
    assert again.store.get_blob(queued[0]["data"]["attachments"][0]) == photo
    device_ids = {c["json"]["device_id"] for c in net.calls if c["path"].endswith("/token")}
    report = again.sync()
    assert report.applied == 1 and report.uploaded == 1
    assert net.pushes()[0][0]["id"] == queued[0]["id"]
    assert net.calls[-2]["json"]["device_id"] in device_ids  # the same phone
    assert again.state()[("visit", visit_id)]["rev"] == 1
    third, _ = phone(net, store_path=tmp_path)
    assert third.outbox == [] and ("visit", visit_id) in third.state()


def test_crash_after_saving_before_pushing_loses_nothing(net, tmp_path):
    client, _ = phone(net, store_path=tmp_path)
    visit_id = visit(client)
    net.fail("POST", "/sync/push", Crash())
    with pytest.raises(Crash):
        client.sync()  # dies before the request leaves the phone
    assert net.results == {}

    reborn, _ = phone(net, store_path=tmp_path)
    report = reborn.sync()
    assert report.applied == 1 and reborn.outbox == []
    assert reborn.state()[("visit", visit_id)]["rev"] == 1


def test_crash_after_the_server_applied_is_a_duplicate_not_a_second_visit(net, tmp_path):
    client, _ = phone(net, store_path=tmp_path)
    visit_id = visit(client)
    mutation_id = client.outbox[0]["id"]
    net.fail("POST", "/sync/push", DIES)
    with pytest.raises(Crash):
        client.sync()
    assert list(net.results) == [mutation_id]

    reborn, _ = phone(net, store_path=tmp_path)
    report = reborn.sync()
    assert (report.applied, report.duplicate) == (0, 1) and reborn.outbox == []
    assert [m["id"] for push in net.pushes() for m in push] == [mutation_id, mutation_id]
    assert [c["id"] for c in net.log if c["entity"] == "visit"] == [visit_id]  # one visit


def test_a_crash_while_writing_leaves_the_previous_file_whole(tmp_path, monkeypatch):
    store = LocalStore(tmp_path)
    first = store.add("visit.upsert", {"id": "v1"})

    def power_cut(*_args):
        raise OSError("power cut")

    monkeypatch.setattr(os, "replace", power_cut)
    with pytest.raises(OSError):
        store.add("visit.upsert", {"id": "v2"})
    monkeypatch.undo()
    document = json.loads((tmp_path / "outbox.json").read_text(encoding="utf-8"))
    assert [m["id"] for m in document["outbox"]] == [first["id"]]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blobs", "outbox.json"]  # no temp
    assert LocalStore(tmp_path).device_id == store.device_id


def test_in_memory_store_writes_no_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    client, _ = phone(FakeSession())
    visit(client, photos=[fake_photo("m")])
    client.sync()
    assert list(tmp_path.iterdir()) == []
