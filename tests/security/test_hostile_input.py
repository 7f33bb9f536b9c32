"""A corpus of nasty values against the API (DESIGN §5: bad input never yields 500 and never
stores anything; §9: user text is kept as text). Refused values get a clear 4xx in the error
shape (or, inside a push, a `rejected` result naming the field) and leave every table as it
was; legal but hostile-looking text is stored and returned byte for byte."""

import json

import pytest

from tests.factories import login, push, upsert, visit_data
from tests.security.test_authz_matrix import fingerprint

THROTTLE = ("login_failure",)
HUGE = "ă" * 3_000_000  # 6 MB of UTF-8
DEEP = "[" * 100_000 + "]" * 100_000

# --- 1. whole bodies that are not JSON a server should take -------------------------------
BAD_BODIES = {
    "not json": b"{'device_id': 1}",
    "NaN": b'{"device_id": "d", "mutations": [], "x": NaN}',
    "Infinity": b'{"device_id": "d", "mutations": [], "x": -Infinity}',
    "deep nesting": DEEP.encode(),
    "deep nesting in a field": b'{"device_id": "d", "mutations": [' + b"[" * 5000 + b"]" * 5000
    + b"]}",
    "invalid UTF-8": b'{"device_id": "\xff\xfe", "mutations": []}',
    "NUL escaped": b'{"device_id": "d\\u0000", "mutations": []}',
    "lone surrogate": b'{"device_id": "d\\ud800", "mutations": []}',
    "array": b"[]",
    "string": b'"mutations"',
    "null": b"null",
    "empty": b"",
    "huge": json.dumps({"device_id": HUGE, "mutations": []}).encode(),
    "duplicate keys": b'{"device_id": "d", "device_id": 5, "mutations": []}',
}

# --- 2. values inside a visit.upsert --------------------------------------------------------
ANSWER_VALUES = [
    ("stalls_total", v) for v in (-1, 0, 5001, 1.5, 10.0, True, "10", None, 2**63, 1e308,
                                  "NaN", [], {})
] + [
    ("stalls_using_nondegradable", v) for v in (-1, 41, 0.5, False, "0", 2**64)
] + [
    ("alternatives", v) for v in ("paper_bag", ["none", "paper_bag"], ["<script>"], [None],
                                  [1], ["paper_bag"] * 1000)
] + [
    ("signage_present", v) for v in ("true", 1, 0, None, "có")
] + [
    ("notes", v) for v in ("x" * 2001, HUGE[:100_000], 42, ["a"], {"a": 1}, "a\ud800b",
                           "\udfff")
]
DATA_VALUES = [
    ("id", v) for v in ("'; DROP TABLE visit; --", "../../etc/passwd", "x" * 10_000, 12345,
                        None, "", "00000000-0000-0000-0000-00000000000G", "\u202e" * 36)
] + [
    ("market_id", v) for v in ("1 OR 1=1", -1, 0, 2**63, 1.5, True, None, "M-HOM", [1])
] + [
    ("observed_at", v) for v in ("0001-01-01T00:00:00+07:00", "9999-12-31T23:59:59+07:00",
                                 "2023-02-30T08:00:00+07:00", "2023-03-01T08:30:00",
                                 "2023-03-01T25:00:00+07:00", "yesterday", 1677634200, "",
                                 "2023-03-01T08:30:00+99:00", "+275760-09-13T00:00:00Z")
] + [
    ("attachments", v) for v in (["XYZ"], ["g" * 64], ["A" * 64], ["a" * 63], ["a" * 65],
                                 ["a" * 64] * 6, "a" * 64, [None], ["../" + "a" * 61],
                                 ["a" * 64 + "\x00"])
] + [
    ("location", v) for v in ({"lat": 1000, "lon": 105.8}, {"lat": "north", "lon": 105.8},
                              {"lat": None, "lon": 105.8}, {"lat": 21.0}, [21.0, 105.8],
                              {"lat": float("inf"), "lon": 105.8},
                              "21.0,105.8", {"lat": 21.0, "lon": 105.8, "accuracy_m": -5})
] + [
    ("form_version", v) for v in ("2099.1", "", None, "2023.1'--", 2023.1)
] + [
    ("base_rev", v) for v in (-1, "1", 1.5, True)
]

# --- 3. query strings and paths -------------------------------------------------------------
BAD_QUERIES = [
    "/sync/pull?cursor=' OR 1=1 --", "/sync/pull?cursor=" + "A" * 10_000,
    "/sync/pull?cursor=%00", "/sync/pull?cursor=-1", "/sync/pull?cursor=99999999999999999999999",
    "/sync/pull?limit=-1", "/sync/pull?limit=1.5", "/sync/pull?limit=true",
    "/sync/pull?limit=99999999999999999999", "/sync/pull?limit=0",
    "/review/queue?market_id=1;DROP TABLE visit", "/review/queue?from=0001-01-01",
    "/review/queue?from=0001-01-01T00:00:00+07:00", "/review/queue?from=99999-01-01",
    "/review/queue?from=2023-13-45", "/review/queue?limit=-5&offset=-1",
    "/review/queue?offset=999999999999999999999", "/review/queue?status=' OR '1'='1",
    "/review/queue?inspector_id=%00", "/review/decisions.csv?from=0001-01-01",
    "/admin/users?q=%25' OR '1'='1", "/admin/users?q=" + "%" * 101, "/admin/users?role=god",
    "/admin/users?active=maybe", "/admin/markets?limit=100000&offset=-1",
    "/admin/markets?org_unit_id=1 OR 1=1", "/admin/markets?q=%00",
    "/admin/devices?user_id=99999999999999999999", "/admin/devices?active=2",
]
BAD_PATHS = [
    "/visits/'; DROP TABLE visit;--", "/visits/%00", "/visits/" + "a" * 10_000,
    "/visits/..%2F..%2Fetc%2Fpasswd", "/visits/\u202e\u200b",
    "/attachments/" + "a" * 63 + "%00", "/attachments/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/attachments/" + "A" * 64, "/admin/users/99999999999999999999",
    "/admin/users/-1", "/admin/markets/0", "/admin/devices/99999999999/revoke",
    "/admin/targets/'; DROP TABLE indicator_target;--",
    "/admin/targets/2023-Q5", "/admin/targets/2023-13",
]
# Extreme but legal: answered without a 500 (the far end of a date range is a fine bound).
EXTREME = ["/review/queue?to=9999-12-31", "/review/decisions.csv?to=9999-12-31T23:59:59%2B07:00",
           "/review/queue?from=0001-01-02", "/sync/pull?limit=1000"]
WRITE_PATHS = {"/admin/devices/99999999999/revoke": "POST",
               "/admin/targets/'; DROP TABLE indicator_target;--": "PUT",
               "/admin/targets/2023-Q5": "PUT",
               "/admin/targets/2023-13": "PUT"}

# --- 4. text that is legal and must come back exactly ---------------------------------------
TEXTS = [
    "<script>window.__pwned = 1</script>",
    '"><img src=x onerror="window.__pwned=1">',
    "'; DROP TABLE visit; --",
    "\u202eRTL override\u202c and \u200fRLM\u200f",
    "zero\u200bwidth\u200d\ufeffjoiners",
    "Chợ Hôm – Đức Viên 🛍️ e\u0301\u0302 (combining)",
    "{{7*7}} ${7*7} <%= 7*7 %>",
    "\\u0000 written out, and a tab\tand\nnewlines\r\n",
]


@pytest.fixture
def inspector(client, world):
    return login(client, "insp_hbt")


def assert_error(response, statuses=range(400, 500)):
    assert response.status_code in statuses, (response.status_code, response.data[:300])
    body = response.get_json()
    assert set(body) == {"error"} and body["error"]["code"] and body["error"]["message"]


@pytest.mark.parametrize("name", BAD_BODIES)
def test_bodies(client, inspector, name):
    before = fingerprint(THROTTLE)
    for path in ("/api/v1/sync/push", "/api/v1/auth/token"):
        response = client.post(path, data=BAD_BODIES[name], headers=inspector,
                               content_type="application/json")
        if name == "duplicate keys" and path.endswith("push"):  # last key wins: 5, a number
            assert response.status_code == 422
        assert_error(response)
    assert fingerprint(THROTTLE) == before


def refused_push(client, headers, data) -> dict:
    """Push one visit; return the mutation's result (or the request's error)."""
    body = json.dumps({"device_id": "hostile", "mutations": [upsert(data)]})  # \ud800 escaped
    response = client.post("/api/v1/sync/push", headers=headers, data=body,
                           content_type="application/json")
    if response.status_code != 200:
        assert_error(response)
        return response.get_json()
    [result] = response.get_json()["results"]
    assert result["status"] == "rejected", (data, result)
    assert result["error"]["code"] == "validation_failed" and result["error"]["fields"], result
    return result


@pytest.mark.parametrize(("field", "value"), ANSWER_VALUES,
                         ids=[f"{f}={str(v)[:20]!r}" for f, v in ANSWER_VALUES])
def test_answer_values(client, world, inspector, field, value):
    data = visit_data(world["markets"]["hom"])
    data["answers"][field] = value
    if field == "stalls_using_nondegradable" and value == 41:
        data["answers"]["stalls_total"] = 40
    before = fingerprint(THROTTLE)
    if field == "stalls_total" and value in (10.0, 0):
        # 10.0 is the number 10 in JSON; 0 stalls is below the minimum
        response = client.post("/api/v1/sync/push", headers=inspector, json={
            "device_id": "hostile", "mutations": [upsert(data)]})
        status = response.get_json()["results"][0]["status"]
        assert status in ("applied", "rejected")
        if status == "applied":
            return
    refused_push(client, inspector, data)
    assert fingerprint(THROTTLE) == before


@pytest.mark.parametrize(("field", "value"), DATA_VALUES,
                         ids=[f"{f}={str(v)[:20]!r}" for f, v in DATA_VALUES])
def test_visit_values(client, world, inspector, field, value):
    data = visit_data(world["markets"]["hom"])
    data[field] = value
    before = fingerprint(THROTTLE)
    refused_push(client, inspector, data)
    assert fingerprint(THROTTLE) == before


@pytest.mark.parametrize("path", EXTREME)
def test_extreme_but_legal_queries(client, world, path):
    response = client.get("/api/v1" + path, headers=login(client, "admin"))
    assert response.status_code == 200, (path, response.data[:300])


@pytest.mark.parametrize("path", BAD_QUERIES + BAD_PATHS)
def test_queries_and_paths(client, world, path):
    admin = login(client, "admin")
    before = fingerprint(THROTTLE)
    method = WRITE_PATHS.get(path, "GET")
    response = client.open("/api/v1" + path, method=method, headers=admin,
                           json={"target": 0.5, "org_unit_id": None} if method == "PUT" else None)
    assert response.status_code < 500, (path, response.data[:300])
    if response.status_code >= 400:
        assert_error(response)
    elif "q=" not in path:  # a free-text search may legitimately find nothing
        pytest.fail(f"{path} was accepted: {response.status_code} {response.data[:200]}")
    assert fingerprint(THROTTLE) == before


@pytest.mark.parametrize("text", TEXTS)
def test_hostile_text_is_kept_as_text(client, world, inspector, text):
    data = visit_data(world["markets"]["hom"])
    data["answers"]["notes"] = text
    [result] = push(client, inspector, upsert(data))
    assert result["status"] == "applied"
    ward = login(client, "ward_hbt")
    detail = client.get(f"/api/v1/visits/{data['id']}", headers=ward).get_json()
    assert detail["answers"]["notes"] == text
    admin = login(client, "admin")
    user_id, market_id = world["users"]["insp_hbt"].id, world["markets"]["hom"].id
    name = text.strip()[:200] or "x"
    changed = client.patch(f"/api/v1/admin/users/{user_id}", headers=admin,
                           json={"display_name": name})
    assert changed.status_code == 200 and changed.get_json()["display_name"] == name
    changed = client.patch(f"/api/v1/admin/markets/{market_id}", headers=admin,
                           json={"name": name})
    assert changed.status_code == 200 and changed.get_json()["name"] == name
    queue = client.get("/api/v1/review/queue", headers=ward)
    assert queue.headers["Content-Type"].startswith("application/json")
    body = queue.get_json()
    assert [m["name"] for m in body["markets"]] == [name]
    assert [i["display_name"] for i in body["inspectors"]] == [name]
    assert body["visits"][0]["answers"]["notes"] == text


def test_corpus_size():
    """For the report: how many hostile inputs this module tries."""
    total = len(BAD_BODIES) * 2 + len(ANSWER_VALUES) + len(DATA_VALUES) + len(
        BAD_QUERIES) + len(BAD_PATHS) + len(EXTREME) + len(TEXTS) * 3
    print(f"hostile inputs tried: {total}")
    assert total > 150
