"""Review through the API: who may decide what where, the queue, a visit's history, the audit
CSV (DESIGN §1, §6, §9). Scope rules are tables of (role, target in/out of scope, expected)."""

import csv
import io
from datetime import datetime, timedelta

import pytest

from tests.factories import decision, login, push, upsert, visit_data

# Visits: insp_hbt at Chợ Hôm (HBT-1) and Chợ Mơ (HBT-2); insp_bd at Ngọc Hà (BD-1), Kim Mã (BD-2)
OWNERS = {"hom": "insp_hbt", "mo": "insp_hbt", "ngocha": "insp_bd", "kimma": "insp_bd"}
ALL = set(OWNERS)


def make_visits(client, world, **overrides) -> dict[str, dict]:
    records = {}
    for market, owner in OWNERS.items():
        data = visit_data(world["markets"][market], **overrides.get(market, {}))
        [result] = push(client, login(client, owner), upsert(data))
        records[market] = result["record"]
    return records


# One table: a role, the market of the target visit, whether that visit is in the role's
# scope, and what each endpoint must answer:
#   decide - a review.decide approve by the role: "applied" or the refusal's error code
#   visit  - GET /visits/<id> status (404 also hides what is out of scope)
#   listed - GET /review/queue and /review/decisions.csv: True/False = the visit is listed or
#            not (200), 403 = the role may not call them at all
SCOPE = [
    # role, market, in scope, decide, visit, listed
    ("insp_hbt", "hom", True, "forbidden", 200, 403),  # their own visit: still not a reviewer
    ("insp_hbt", "ngocha", False, "forbidden", 404, 403),
    ("insp_hbt2", "hom", False, "forbidden", 404, 403),  # in their district, not their visit
    ("insp_bd", "hom", False, "forbidden", 404, 403),
    ("ward_hbt", "hom", True, "applied", 200, True),
    ("ward_hbt", "mo", True, "applied", 200, True),
    ("ward_hbt", "ngocha", False, "not_found", 404, False),
    ("ward_hbt1", "hom", True, "applied", 200, True),
    ("ward_hbt1", "mo", False, "not_found", 404, False),  # same district, other ward
    ("ward_bd", "kimma", True, "applied", 200, True),
    ("ward_bd", "hom", False, "not_found", 404, False),
    ("city", "hom", True, "applied", 200, True),
    ("city", "kimma", True, "applied", 200, True),
    ("admin", "mo", True, "applied", 200, True),
    ("admin", "ngocha", True, "applied", 200, True),
]


def csv_visit_ids(response) -> set[str]:
    rows = csv.DictReader(io.StringIO(response.data.decode("utf-8-sig")))
    return {row["Mã lượt kiểm tra"] for row in rows}


@pytest.mark.parametrize(("role", "market", "in_scope", "decide", "visit", "listed"), SCOPE)
def test_scope_table(client, world, role, market, in_scope, decide, visit, listed):
    records = make_visits(client, world)
    target = records[market]["id"]
    headers = login(client, role)

    detail = client.get(f"/api/v1/visits/{target}", headers=headers)
    assert detail.status_code == visit
    if visit == 404:
        assert detail.get_json()["error"]["code"] == "not_found"

    queue = client.get("/api/v1/review/queue?limit=500", headers=headers)
    by_market = client.get("/api/v1/review/queue", headers=headers,
                           query_string={"market_id": world["markets"][market].id})
    if listed == 403:
        for response in (queue, by_market):
            assert response.status_code == 403
            assert response.get_json()["error"]["code"] == "forbidden"
    else:
        assert (target in {v["id"] for v in queue.get_json()["visits"]}) is listed
        assert by_market.get_json()["total"] == (1 if listed else 0)

    [result] = push(client, headers, decision(target, 1, "approve"))
    if decide == "applied":
        assert result["status"] == "applied" and result["record"]["status"] == "approved"
    else:
        assert result["status"] == "rejected" and result["error"]["code"] == decide
        assert result["record"] is None  # nothing about a visit out of reach leaks
    city = login(client, "city")
    status = client.get(f"/api/v1/visits/{target}", headers=city).get_json()["status"]
    assert status == ("approved" if decide == "applied" else "submitted")

    for other in records.values():  # every visit gets a decision for the audit
        if other["id"] != target or decide != "applied":
            push(client, city, decision(other["id"], 1, "return", "Thiếu ảnh"))
    audit = client.get("/api/v1/review/decisions.csv", headers=headers)
    if listed == 403:
        assert audit.status_code == 403
    else:
        assert audit.status_code == 200 and (target in csv_visit_ids(audit)) is listed


# Every visit each reviewer sees: exactly their subtree's (city officers and admins: all)
SUBTREES = [
    ("ward_hbt", {"hom", "mo"}),
    ("ward_hbt1", {"hom"}),
    ("ward_bd", {"ngocha", "kimma"}),
    ("city", ALL),
    ("admin", ALL),
]


@pytest.mark.parametrize(("role", "markets"), SUBTREES)
def test_queue_and_audit_are_exactly_the_subtree(client, world, role, markets):
    records = make_visits(client, world)
    city = login(client, "city")
    for record in records.values():
        push(client, city, decision(record["id"], 1, "return", "Thiếu ảnh"))
    headers = login(client, role)
    body = client.get("/api/v1/review/queue", headers=headers).get_json()
    assert {v["id"] for v in body["visits"]} == {records[m]["id"] for m in markets}
    assert body["total"] == len(markets)
    assert {m["id"] for m in body["markets"]} == {world["markets"][m].id for m in markets}
    audit = client.get("/api/v1/review/decisions.csv", headers=headers)
    assert csv_visit_ids(audit) == {records[m]["id"] for m in markets}


# reopen is for city officers and admins only, wherever the visit is
REOPEN = [
    ("insp_hbt", "hom", "rejected", "forbidden"),
    ("ward_hbt", "hom", "rejected", "forbidden"),
    ("ward_hbt1", "hom", "rejected", "forbidden"),
    ("ward_bd", "hom", "rejected", "forbidden"),
    ("city", "hom", "applied", None),
    ("admin", "ngocha", "applied", None),
]


@pytest.mark.parametrize(("role", "market", "status", "code"), REOPEN)
def test_reopen_by_role(client, world, role, market, status, code):
    record = make_visits(client, world)[market]
    push(client, login(client, "city"), decision(record["id"], 1, "approve"))
    [result] = push(client, login(client, role), decision(record["id"], 2, "reopen", "Xem lại"))
    assert result["status"] == status
    if code:
        assert result["error"]["code"] == code


@pytest.mark.parametrize("path", ["/api/v1/review/queue", "/api/v1/review/decisions.csv",
                                  "/api/v1/visits/00000000-0000-4000-8000-000000000000"])
def test_no_token_is_401(client, world, path):
    response = client.get(path)
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "unauthorized"


def test_queue_filters_and_order(client, world):
    m = world["markets"]
    records = make_visits(client, world, **{
        "hom": {"observed_at": "2023-03-01T08:30:00+07:00"},
        "mo": {"observed_at": "2023-03-02T08:30:00+07:00",
               "location": {"lat": 21.0103, "lon": 105.8515, "accuracy_m": 10}},  # ~1.1 km off
        "ngocha": {"observed_at": "2023-03-03T08:30:00+07:00", "location": None,
                   "answers": {"stalls_total": 9, "stalls_using_nondegradable": 0,
                               "signage_present": True, "outreach_held": True}},
        "kimma": {"observed_at": "2023-03-04T00:30:00+07:00",  # 3 March 17:30 UTC
                  "location": {"lat": 21.0321, "lon": 105.8231, "accuracy_m": 5}},
    })
    push(client, login(client, "city"), decision(records["hom"]["id"], 1, "approve"))
    headers = login(client, "city")

    def ids(**query):
        response = client.get("/api/v1/review/queue", query_string=query, headers=headers)
        assert response.status_code == 200, response.get_json()
        return [v["id"] for v in response.get_json()["visits"]]

    newest_first = [records[k]["id"] for k in ("kimma", "ngocha", "mo", "hom")]
    assert ids() == newest_first
    assert ids(status="approved") == [records["hom"]["id"]]
    assert ids(status="submitted") == newest_first[:3]
    assert ids(market_id=m["mo"].id) == [records["mo"]["id"]]
    assert ids(inspector_id=world["users"]["insp_bd"].id) == newest_first[:2]
    assert ids(non_compliant=1) == [records[k]["id"] for k in ("kimma", "mo", "hom")]
    assert ids(non_compliant=0) == [records["ngocha"]["id"]]
    assert ids(far=1) == [records["mo"]["id"]]
    assert ids(far=0) == [records[k]["id"] for k in ("kimma", "ngocha", "hom")]  # null: not far
    # days are Hanoi days: kimma (00:30 on 4 March, +07:00) is on the 4th, not the 3rd
    assert ids(**{"from": "2023-03-02", "to": "2023-03-03"}) == [records["ngocha"]["id"],
                                                                 records["mo"]["id"]]
    assert ids(**{"from": "2023-03-03T18:00:00Z"}) == []
    assert ids(**{"from": "2023-03-03T17:30:00Z"}) == [records["kimma"]["id"]]
    assert ids(limit=2, offset=1) == newest_first[1:3]
    page = client.get("/api/v1/review/queue?limit=1", headers=headers).get_json()
    assert page["total"] == 4 and page["limit"] == 1 and page["offset"] == 0
    assert page["inspectors"] == [{"id": world["users"]["insp_bd"].id, "username": "insp_bd",
                                   "display_name": "Insp_Bd"}]
    detail = client.get(f"/api/v1/visits/{newest_first[0]}", headers=headers).get_json()
    assert page["visits"][0] == {k: v for k, v in detail.items()
                                 if k not in ("market", "history", "inspector")}


@pytest.mark.parametrize(("query", "field"), [
    ({"status": "pending"}, "status"),
    ({"limit": "0"}, "limit"),
    ({"limit": "501"}, "limit"),
    ({"limit": "abc"}, "limit"),
    ({"offset": "-1"}, "offset"),
    ({"market_id": "x"}, "market_id"),
    ({"market_id": "99999999999999999999"}, "market_id"),
    ({"inspector_id": "0"}, "inspector_id"),
    ({"from": "2023-13-01"}, "from"),
    ({"to": "2023-03-01T08:00:00"}, "to"),  # no offset
    ({"from": "2023-03-05", "to": "2023-03-01"}, "from"),
    ({"non_compliant": "maybe"}, "non_compliant"),
    ({"far": "2"}, "far"),
])
def test_queue_bad_params_are_400_with_fields(client, world, query, field):
    response = client.get("/api/v1/review/queue", query_string=query,
                          headers=login(client, "city"))
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid_query" and field in error["fields"]


def test_bulk_approve_a_filtered_page_in_one_push(client, world):
    inspector = login(client, "insp_hbt")
    push(client, inspector, *[upsert(visit_data(world["markets"]["hom"])) for _ in range(30)])
    push(client, inspector, upsert(visit_data(world["markets"]["mo"])))
    ward = login(client, "ward_hbt1")
    page = client.get("/api/v1/review/queue?status=submitted&limit=500", headers=ward).get_json()
    assert page["total"] == 30
    results = push(client, ward, *[decision(v["id"], v["rev"], "approve") for v in page["visits"]])
    assert {r["status"] for r in results} == {"applied"}
    left = client.get("/api/v1/review/queue?status=submitted", headers=ward).get_json()
    assert left["total"] == 0
    city = client.get("/api/v1/review/queue?status=submitted", headers=login(client, "city"))
    assert city.get_json()["total"] == 1  # Chợ Mơ's, outside ward_hbt1's ward


def test_visit_detail_has_market_and_history_oldest_first(client, world):
    data = visit_data(world["markets"]["hom"])
    [created] = push(client, login(client, "insp_hbt"), upsert(data))
    visit_id = created["record"]["id"]
    ward, city = login(client, "ward_hbt"), login(client, "city")
    push(client, ward, decision(visit_id, 1, "return", "Chụp lại ảnh quầy thịt"))
    push(client, login(client, "insp_hbt"), upsert({**data, "base_rev": 2}))
    push(client, ward, decision(visit_id, 3, "approve"))
    push(client, city, decision(visit_id, 4, "reopen", "Kiểm tra lại số hộ"))

    response = client.get(f"/api/v1/visits/{visit_id.upper()}", headers=login(client, "insp_hbt"))
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "submitted" and body["rev"] == 5
    assert body["market"] == {"id": world["markets"]["hom"].id, "code": "M-HOM",
                              "name": "Chợ Hôm", "org_unit_id": world["units"]["HBT-1"].id}
    assert [h["event"] for h in body["history"]] == [
        "submit", "decision", "edit", "decision", "decision"]
    history = [h for h in body["history"] if h["event"] == "decision"]
    assert [(h["decision"], h["comment"], h["reviewer_name"], h["visit_rev"]) for h in history] == [
        ("return", "Chụp lại ảnh quầy thịt", "Ward_Hbt", 2),
        ("approve", None, "Ward_Hbt", 4),
        ("reopen", "Kiểm tra lại số hộ", "City", 5),
    ]
    assert history[0]["reviewer_id"] == world["users"]["ward_hbt"].id
    assert all(h["decided_at"].endswith("Z") for h in history)
    assert body["review"]["decision"] == "reopen"  # the record's own view: the latest


@pytest.mark.parametrize("visit_id", ["00000000-0000-4000-8000-000000000000", "x" * 300, "abc"])
def test_unknown_visit_is_404(client, world, visit_id):
    response = client.get(f"/api/v1/visits/{visit_id}", headers=login(client, "admin"))
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


def test_decisions_csv_columns_bom_and_window(client, world):
    records = make_visits(client, world)
    city = login(client, "city")
    push(client, city, decision(records["hom"]["id"], 1, "reject", "=HYPERLINK(\"x\")"))
    push(client, city, decision(records["mo"]["id"], 1, "approve"))
    response = client.get("/api/v1/review/decisions.csv", headers=city)
    assert response.status_code == 200
    assert response.mimetype == "text/csv" and "utf-8" in response.content_type
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith("\ufeff".encode())
    text = response.data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Thời điểm quyết định (giờ Hà Nội)", "Mã lượt kiểm tra", "Mã chợ",
                       "Tên chợ", "Cán bộ kiểm tra (tài khoản)", "Người quyết định (tài khoản)",
                       "Quyết định", "Nhận xét"]
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["Mã lượt kiểm tra"] == records["hom"]["id"] and first["Tên chợ"] == "Chợ Hôm"
    assert first["Mã chợ"] == "M-HOM" and first["Cán bộ kiểm tra (tài khoản)"] == "insp_hbt"
    assert first["Người quyết định (tài khoản)"] == "city" and first["Quyết định"] == "Từ chối"
    assert first["Nhận xét"] == "'=HYPERLINK(\"x\")"  # shown as text, never run as a formula
    # Hanoi time, as the history on screen says it: the server's UTC plus seven hours
    history = client.get(f"/api/v1/visits/{records['hom']['id']}", headers=city).get_json()
    decided = datetime.fromisoformat(history["history"][-1]["decided_at"].rstrip("Z"))
    assert first["Thời điểm quyết định (giờ Hà Nội)"] == (
        decided + timedelta(hours=7)).strftime("%Y-%m-%d %H:%M:%S")
    assert len(rows) == 3
    day = first["Thời điểm quyết định (giờ Hà Nội)"][:10]
    before = client.get("/api/v1/review/decisions.csv?to=2000-01-01", headers=city)
    assert before.data.decode("utf-8-sig").count("\n") == 1  # the header only
    bad = client.get("/api/v1/review/decisions.csv?from=" + day + "x", headers=city)
    assert bad.status_code == 400 and "from" in bad.get_json()["error"]["fields"]
