"""Markets not visited for N days (the markets.overdue job) and GET /markets/overdue."""

from datetime import date, datetime, timedelta

from server.markets.overdue import refresh_overdue_markets
from tests.factories import decision, login, make_market, push, upsert, visit_data

NOW = datetime(2023, 6, 30, 3, 0)  # 10:00 in Hanoi


def observed(days_ago: float) -> str:
    return (NOW - timedelta(days=days_ago)).isoformat() + "+00:00"


def record(client, who: str, market, days_ago: float) -> dict:
    results = push(client, login(client, who),
                   upsert(visit_data(market, observed_at=observed(days_ago))))
    assert results[0]["status"] == "applied", results
    return results[0]["record"]


def overdue_codes(client, who: str) -> dict[str, str | None]:
    response = client.get("/api/v1/markets/overdue", headers=login(client, who))
    assert response.status_code == 200, response.get_json()
    return {m["code"]: m["last_visit_at"] for m in response.get_json()["markets"]}


def test_before_the_first_run_the_list_is_empty_and_says_so(client, world):
    body = client.get("/api/v1/markets/overdue", headers=login(client, "city")).get_json()
    assert body == {"computed_at": None, "days": 30, "markets": []}


def test_visited_29_days_ago_is_not_due_31_days_ago_is_and_never_visited_is(client, world):
    m = world["markets"]
    record(client, "insp_hbt", m["hom"], 29)
    record(client, "insp_hbt", m["mo"], 31)
    record(client, "insp_bd", m["kimma"], 45)
    record(client, "insp_bd", m["kimma"], 2)  # the latest visit counts
    summary = refresh_overdue_markets(NOW)
    assert summary == {"days": 30, "overdue_markets": 2, "never_visited": 1}

    body = client.get("/api/v1/markets/overdue", headers=login(client, "city")).get_json()
    assert body["days"] == 30 and body["computed_at"] == "2023-06-30T03:00:00.000Z"
    assert [(x["code"], x["last_visit_at"]) for x in body["markets"]] == [
        ("M-NH", None),  # never visited: longest unvisited first
        ("M-MO", "2023-05-30T03:00:00.000Z"),
    ]
    assert body["markets"][0] == {"id": m["ngocha"].id, "code": "M-NH", "name": "Chợ Ngọc Hà",
                                  "org_unit_id": world["units"]["BD-1"].id,
                                  "last_visit_at": None}


def test_closed_and_not_yet_opened_markets_are_never_due(app, client, world):
    units = world["units"]
    make_market(units["HBT-1"], "M-CLOSED", "Chợ đã giải tỏa", closed_on=date(2023, 6, 30))
    make_market(units["HBT-1"], "M-CLOSING", "Chợ sắp giải tỏa", closed_on=date(2023, 7, 1))
    make_market(units["HBT-1"], "M-NEW", "Chợ mới", opened_on=date(2023, 7, 1))
    app.extensions["sqlalchemy"].session.commit()
    refresh_overdue_markets(NOW)
    codes = overdue_codes(client, "city")
    assert "M-CLOSED" not in codes and "M-NEW" not in codes
    assert "M-CLOSING" in codes  # still open today (local date 2023-06-30)


def test_a_rejected_visit_does_not_count_as_inspected_but_a_returned_one_does(client, world):
    m = world["markets"]
    rejected = record(client, "insp_hbt", m["hom"], 3)
    returned = record(client, "insp_hbt", m["mo"], 3)
    ward = login(client, "ward_hbt")
    push(client, ward, decision(rejected["id"], 1, "reject", "Ảnh không phải chợ Hôm."))
    push(client, ward, decision(returned["id"], 1, "return", "Chụp lại quầy thịt."))
    refresh_overdue_markets(NOW)
    codes = overdue_codes(client, "city")
    assert "M-HOM" in codes and "M-MO" not in codes


def test_days_is_configurable_and_the_set_is_replaced_not_added_to(make_app):
    from tests.factories import make_world

    app = make_app(OVERDUE_DAYS=7)
    with app.app_context():
        world = make_world()
        client = app.test_client()
        refresh_overdue_markets(NOW)
        assert len(overdue_codes(client, "city")) == 4
        record(client, "insp_hbt", world["markets"]["hom"], 6)
        record(client, "insp_hbt", world["markets"]["mo"], 8)
        assert refresh_overdue_markets(NOW)["overdue_markets"] == 3
        body = client.get("/api/v1/markets/overdue", headers=login(client, "admin")).get_json()
        assert body["days"] == 7
        assert {x["code"] for x in body["markets"]} == {"M-MO", "M-NH", "M-KM"}


def test_scope_is_that_of_pull(client, world):
    refresh_overdue_markets(NOW)
    everything = {"M-HOM", "M-MO", "M-NH", "M-KM"}
    assert set(overdue_codes(client, "insp_hbt")) == {"M-HOM", "M-MO"}
    assert set(overdue_codes(client, "ward_hbt1")) == {"M-HOM"}
    assert set(overdue_codes(client, "ward_bd")) == {"M-NH", "M-KM"}
    assert set(overdue_codes(client, "city")) == everything
    assert set(overdue_codes(client, "admin")) == everything
    response = client.get("/api/v1/markets/overdue")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
