"""Admin lists the screens filter on (DESIGN §1 admin): users by org unit, markets by class
and open/closed, and the org-unit hierarchy. Admins only (test_admin_routes.py checks every
route)."""

from sqlalchemy import select

from server.core.extensions import db
from server.models import Market
from tests.factories import login

A = "/api/v1/admin"


def test_users_by_org_unit_subtree(client, world):
    admin = login(client, "admin")
    hbt = world["units"]["HBT"].id
    body = client.get(f"{A}/users?org_unit_id={hbt}", headers=admin).get_json()
    assert [u["username"] for u in body["users"]] == [
        "insp_hbt", "insp_hbt2", "ward_hbt", "ward_hbt1"]  # ward_hbt1 sits in a ward of HBT
    ward = world["units"]["HBT-1"].id
    body = client.get(f"{A}/users?org_unit_id={ward}&role=ward_officer", headers=admin)
    assert [u["username"] for u in body.get_json()["users"]] == ["ward_hbt1"]
    bad = client.get(f"{A}/users?org_unit_id=zero", headers=admin)
    assert bad.status_code == 400 and "org_unit_id" in bad.get_json()["error"]["fields"]


def test_markets_by_class_and_open_or_closed(client, world):
    admin = login(client, "admin")
    hom = world["markets"]["hom"]
    client.patch(f"{A}/markets/{hom.id}", headers=admin, json={"market_class": "1"})
    closed = client.patch(f"{A}/markets/{world['markets']['kimma'].id}", headers=admin,
                          json={"closed_on": "2023-06-30"})
    assert closed.status_code == 200 and closed.get_json()["closed_on"] == "2023-06-30"

    def codes(query: str) -> list[str]:
        response = client.get(f"{A}/markets?{query}", headers=admin)
        assert response.status_code == 200, response.get_json()
        return [m["code"] for m in response.get_json()["markets"]]

    assert codes("market_class=1") == ["M-HOM"]
    assert codes("market_class=3") == ["M-KM", "M-MO", "M-NH"]
    assert codes("open=0") == ["M-KM"]
    assert codes("open=1") == ["M-HOM", "M-MO", "M-NH"]
    assert codes(f"open=1&market_class=3&org_unit_id={world['units']['BD'].id}") == ["M-NH"]
    for query, field in (("market_class=4", "market_class"), ("open=maybe", "open")):
        bad = client.get(f"{A}/markets?{query}", headers=admin)
        assert bad.status_code == 400 and field in bad.get_json()["error"]["fields"]


def test_org_units_list_the_hierarchy_with_market_counts(client, world):
    response = client.get(f"{A}/org-units", headers=login(client, "admin"))
    assert response.status_code == 200
    body = response.get_json()
    units = {u["code"]: u for u in body["org_units"]}
    assert body["total"] == len(units) == 7
    assert [u["code"] for u in body["org_units"]] == sorted(units)
    assert units["HN"]["parent_id"] is None and units["HN"]["level"] == "city"
    assert units["HBT-1"]["parent_id"] == units["HBT"]["id"]
    assert set(units["HBT-1"]) == {"id", "code", "name", "level", "parent_id", "valid_from",
                                   "valid_to", "markets"}
    assert units["HBT-1"]["markets"] == 1 and units["HBT"]["markets"] == 0
    in_db = db.session.scalar(select(Market.org_unit_id).where(Market.code == "M-NH"))
    assert next(u for u in body["org_units"] if u["id"] == in_db)["code"] == "BD-1"


def test_one_user_and_one_market_by_id(client, world):
    admin = login(client, "admin")
    user = client.get(f"{A}/users/{world['users']['ward_hbt1'].id}", headers=admin)
    assert user.status_code == 200
    assert user.get_json() | {"created_at": None} == {
        "id": world["users"]["ward_hbt1"].id, "username": "ward_hbt1",
        "display_name": "Ward_Hbt1", "role": "ward_officer",
        "org_unit_id": world["units"]["HBT-1"].id, "active": True, "created_at": None,
        "totp_enabled": False}
    hom = world["markets"]["hom"]
    market = client.get(f"{A}/markets/{hom.id}", headers=admin).get_json()
    assert (market["code"], market["name"], market["rev"]) == ("M-HOM", "Chợ Hôm", 1)
    for path in ("/users/424242", "/markets/424242", f"/markets/{2**40}"):
        missing = client.get(A + path, headers=admin)
        assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"


def test_search_finds_names_typed_without_diacritics(client, world):
    admin = login(client, "admin")
    found = client.get(f"{A}/markets?q=cho ngoc ha", headers=admin).get_json()
    assert [m["code"] for m in found["markets"]] == ["M-NH"] and found["total"] == 1
    assert client.get(f"{A}/markets?q=CHỢ KIM", headers=admin).get_json()["total"] == 1
    assert client.get(f"{A}/markets?q=m-hom", headers=admin).get_json()["total"] == 1
    assert client.get(f"{A}/markets?q=cho xa", headers=admin).get_json()["total"] == 0
    client.patch(f"{A}/users/{world['users']['insp_bd'].id}", headers=admin,
                 json={"display_name": "Đặng Thị Hường"})
    users = client.get(f"{A}/users?q=dang huong", headers=admin).get_json()["users"]
    assert [u["username"] for u in users] == ["insp_bd"]
