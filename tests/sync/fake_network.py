"""A stubbed network for syncclient (tests/sync/test_client_*.py): `FakeSession`, a tiny
in-memory stand-in for DESIGN §5 with faults injected per route, and `phone()`, a SyncClient
on it that records its sleeps instead of sleeping. The `net` fixture is in conftest.py."""

import copy
import random
from urllib.parse import urlsplit

import requests

from syncclient import SyncClient

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


ANSWERS = {"stalls_total": 40, "stalls_using_nondegradable": 0, "signage_present": True,
           "outreach_held": False}


def phone(net, store_path=None, **options) -> tuple[SyncClient, list[float]]:
    slept: list[float] = []
    options.setdefault("rng", random.Random(1))
    client = SyncClient(BASE, "insp", PASSWORD, store_path=store_path, session=net,
                        sleep=slept.append, **options)
    return client, slept


def visit(client, **extra) -> str:
    return client.record_visit(12, dict(ANSWERS), **extra)
