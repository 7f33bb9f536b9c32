"""Admin API, markets (DESIGN §1 admin): list and filter, change a market (a new rev that
phones pull), move it to another unit (its visits move for both sides), refusals."""

import pytest

from server.core.extensions import db
from tests.api.admin import A, state
from tests.factories import login, pull_all, push, upsert, visit_data


def test_list_markets(client, world):
    admin = login(client, "admin")
    body = client.get(f"{A}/markets", headers=admin).get_json()
    assert body["total"] == 4 and [m["code"] for m in body["markets"]] == [
        "M-HOM", "M-KM", "M-MO", "M-NH"]
    assert body["markets"][0]["rev"] == 1 and body["markets"][0]["name"] == "Chợ Hôm"
    hbt = client.get(f"{A}/markets?org_unit_id={world['units']['HBT'].id}", headers=admin)
    assert [m["code"] for m in hbt.get_json()["markets"]] == ["M-HOM", "M-MO"]
    assert client.get(f"{A}/markets?q=ngọc", headers=admin).get_json()["total"] == 1
    assert client.get(f"{A}/markets?limit=1&offset=1", headers=admin).get_json()["markets"][0][
        "code"] == "M-KM"


def test_change_a_market(client, world):
    hom = world["markets"]["hom"]
    response = client.patch(f"{A}/markets/{hom.id}", headers=login(client, "admin"), json={
        "name": " Chợ Hôm – Đức Viên ", "market_class": "1", "address": "79 Phố Huế",
        "closed_on": "2030-01-01"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["name"] == "Chợ Hôm – Đức Viên" and body["market_class"] == "1"
    assert body["closed_on"] == "2030-01-01" and body["rev"] == 2
    changes, _ = pull_all(client, login(client, "insp_hbt"))
    pulled = next(c for c in changes if c["entity"] == "market" and c["id"] == hom.id)
    assert pulled["rev"] == 2 and pulled["data"]["name"] == "Chợ Hôm – Đức Viên"
    same = client.patch(f"{A}/markets/{hom.id}", headers=login(client, "admin"),
                        json={"market_class": "1"})
    assert same.get_json()["rev"] == 2  # no change, no new rev


def test_moving_a_market_moves_its_visits_for_both_sides(client, world):
    hom = world["markets"]["hom"]
    [visit] = push(client, login(client, "insp_hbt"), upsert(visit_data(hom)))
    visit_id = visit["record"]["id"]
    old_side, new_side = login(client, "ward_hbt1"), login(client, "ward_bd")
    _, old_cursor = pull_all(client, old_side)
    _, new_cursor = pull_all(client, new_side)
    response = client.patch(f"{A}/markets/{hom.id}", headers=login(client, "admin"),
                            json={"org_unit_id": world["units"]["BD-1"].id})
    assert response.status_code == 200 and response.get_json()["rev"] == 2
    gone, _ = pull_all(client, old_side, old_cursor)
    assert {(c["entity"], str(c["id"]), c["op"]) for c in gone} == {
        ("market", str(hom.id), "delete"), ("visit", visit_id, "delete")}
    arrived, _ = pull_all(client, new_side, new_cursor)
    assert {(c["entity"], str(c["id"]), c["op"]) for c in arrived} == {
        ("market", str(hom.id), "upsert"), ("visit", visit_id, "upsert")}
    queue = client.get("/api/v1/review/queue", headers=new_side).get_json()
    assert visit_id in {v["id"] for v in queue["visits"]}


@pytest.mark.parametrize(("body", "field"), [
    ({}, "_schema"),
    ({"lat": 95}, "lat"),
    ({"lon": "east"}, "lon"),
    ({"lat": None}, "lon"),  # lon stays: both or neither
    ({"market_class": "4"}, "market_class"),
    ({"org_unit_id": 424242}, "org_unit_id"),
    ({"opened_on": "2023-02-30"}, "opened_on"),
    ({"closed_on": "1999-12-31"}, "closed_on"),  # before opened_on (2000-01-01)
    ({"name": "   "}, "name"),
    ({"address": "x" * 301}, "address"),
    ({"code": "M-X"}, "code"),
])
def test_change_market_refusals_name_the_field(client, world, body, field):
    hom, admin = world["markets"]["hom"], login(client, "admin")
    before = state()
    response = client.patch(f"{A}/markets/{hom.id}", headers=admin, json=body)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]
    db.session.expire_all()
    assert state() == before


def test_unknown_market_is_404(client, world):
    response = client.patch(f"{A}/markets/424242", headers=login(client, "admin"),
                            json={"name": "x"})
    assert response.status_code == 404
