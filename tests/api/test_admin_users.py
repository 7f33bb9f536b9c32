"""Admin API (DESIGN §1 admin, §9, §11): users, devices, markets, imports, targets.

Admins only: every route refuses other roles with 403 and no token with 401, and a refused
request changes nothing. Validation errors name their fields; imports are all or nothing."""

import io

import pytest
from sqlalchemy import func, select

from server.auth.models import DeviceToken, User
from server.extensions import db
from server.indicator.models import IndicatorTarget
from server.markets.models import Market
from server.orgunits.models import OrgUnit
from server.sync.models import ChangeLog
from tests.factories import PASSWORD, login, pull_all, push, upsert, visit_data

A = "/api/v1/admin"
MARKETS_CSV = (
    "code,name,org_unit_code,address,lat,lon,market_class,opened_on,closed_on\n"
    "M-NEW,Chợ Mới,HBT-1,1 Phố Huế,21.01,105.85,2,2001-01-01,\n"
    "M-HOM,Chợ Hôm – Đức Viên,HBT-1,79 Phố Huế,21.0153,105.8513,1,1980-01-01,\n"
)
UNITS_CSV = (
    "code,name,level,parent_code,valid_from,valid_to\n"
    "HBT-3,Phường Bạch Đằng,ward,HBT,,\n"
    "HBT-1,Phường Phố Huế (mới),ward,HBT,,\n"
)

# Every admin route: (method, rule as registered, a concrete path, a valid body)
ROUTES = [
    ("GET", "/users", "/users", None),
    ("GET", "/users/<int:user_id>", "/users/{insp_hbt}", None),
    ("POST", "/users", "/users", {"username": "moi", "role": "city_officer",
                                  "password": "mat khau dai"}),
    ("PATCH", "/users/<int:user_id>", "/users/{insp_hbt}", {"display_name": "Đổi"}),
    ("POST", "/users/<int:user_id>/password", "/users/{insp_hbt}/password",
     {"password": "mat khau moi"}),
    ("GET", "/devices", "/devices", None),
    ("POST", "/devices/<int:token_id>/revoke", "/devices/{token}/revoke", None),
    ("GET", "/markets", "/markets", None),
    ("GET", "/markets/<int:market_id>", "/markets/{hom}", None),
    ("PATCH", "/markets/<int:market_id>", "/markets/{hom}", {"name": "Chợ Khác"}),
    ("POST", "/markets/import", "/markets/import", MARKETS_CSV),
    ("GET", "/org-units", "/org-units", None),
    ("POST", "/org-units/import", "/org-units/import", UNITS_CSV),
    ("GET", "/targets", "/targets", None),
    ("PUT", "/targets/<period>", "/targets/2024", {"target": 0.9, "org_unit_id": None}),
]


def call(client, method, path, body=None, headers=None):
    if isinstance(body, str):
        return client.open(A + path, method=method, data=body.encode(), headers=headers,
                           content_type="text/csv")
    return client.open(A + path, method=method, json=body, headers=headers)


def state() -> tuple:
    """What any admin route could change."""
    count = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa: E731
    return (
        count(User), count(Market), count(OrgUnit), count(IndicatorTarget), count(ChangeLog),
        tuple(db.session.execute(select(User.display_name, User.password_hash, User.active))),
        tuple(db.session.scalars(select(DeviceToken.revoked_at))),
        tuple(db.session.scalars(select(Market.name))),
    )


def test_the_table_lists_every_admin_route(app):
    registered = {
        (method, rule.rule[len(A):])
        for rule in app.url_map.iter_rules() if rule.rule.startswith(A + "/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert registered == {(method, rule) for method, rule, _, _ in ROUTES}


@pytest.mark.parametrize("role", ["insp_hbt", "ward_hbt", "city", None])
@pytest.mark.parametrize(("method", "rule", "path", "body"), ROUTES)
def test_only_admins(client, world, role, method, rule, path, body):
    headers = login(client, role) if role else None
    victim = login(client, "insp_hbt", device_id="victim-phone")
    token = db.session.scalar(select(DeviceToken.id).where(DeviceToken.device_id == "victim-phone"))
    path = path.format(insp_hbt=world["users"]["insp_hbt"].id, token=token,
                       hom=world["markets"]["hom"].id)
    db.session.expire_all()
    before = state()
    response = call(client, method, path, body, headers)
    if role is None:
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "unauthorized"
    else:
        assert response.status_code == 403
        assert response.get_json()["error"]["code"] == "forbidden"
    db.session.expire_all()
    assert state() == before
    assert client.get("/api/v1/me", headers=victim).status_code == 200
    # and the same request by an admin is accepted
    response = call(client, method, path, body, login(client, "admin"))
    assert response.status_code in (200, 201), response.get_json()


# --- users -------------------------------------------------------------------------------


def test_list_and_create_users(client, world):
    admin = login(client, "admin")
    body = client.get(f"{A}/users", headers=admin).get_json()
    assert body["total"] == 8 and [u["username"] for u in body["users"]][:2] == ["admin", "city"]
    first = body["users"][0]
    assert set(first) == {"id", "username", "display_name", "role", "org_unit_id", "active",
                          "created_at"}
    assert "password_hash" not in str(body)
    response = client.post(f"{A}/users", headers=admin, json={
        "username": "kiemtra2", "display_name": " Nguyễn Thị Lan ", "role": "inspector",
        "org_unit_id": world["units"]["BD"].id, "password": "mật khẩu dài"})
    assert response.status_code == 201
    user = response.get_json()
    assert user["display_name"] == "Nguyễn Thị Lan" and user["active"] is True
    assert user["org_unit_id"] == world["units"]["BD"].id
    login_body = {"username": "kiemtra2", "password": "mật khẩu dài", "device_id": "d"}
    assert client.post("/api/v1/auth/token", json=login_body).status_code == 201
    filtered = client.get(f"{A}/users?role=ward_officer&q=HBT", headers=admin).get_json()
    assert [u["username"] for u in filtered["users"]] == ["ward_hbt", "ward_hbt1"]


@pytest.mark.parametrize(("body", "status", "code", "field"), [
    ({}, 422, "validation_failed", "username"),
    ({"username": "a b", "role": "admin", "password": "long enough"}, 422, "validation_failed",
     "username"),
    ({"username": "x", "role": "boss", "password": "long enough"}, 422, "validation_failed",
     "role"),
    ({"username": "x", "role": "inspector", "password": "long enough"}, 422,
     "validation_failed", "org_unit_id"),
    ({"username": "x", "role": "inspector", "password": "long enough", "org_unit_id": 99999},
     422, "validation_failed", "org_unit_id"),
    ({"username": "x", "role": "admin", "password": "long enough", "org_unit_id": "1"}, 422,
     "validation_failed", "org_unit_id"),
    ({"username": "x", "role": "admin", "password": "short"}, 422, "weak_password", "password"),
    ({"username": "x", "role": "admin", "password": 12345678}, 422, "validation_failed",
     "password"),
    ({"username": "city", "role": "admin", "password": "long enough"}, 409, "user_exists",
     "username"),
    ({"username": "x", "role": "admin", "password": "long enough", "extra": 1}, 422,
     "validation_failed", "extra"),
])
def test_create_user_refusals_name_the_field(client, world, body, status, code, field):
    response = client.post(f"{A}/users", headers=login(client, "admin"), json=body)
    assert response.status_code == status
    error = response.get_json()["error"]
    assert error["code"] == code and field in error["fields"]
    assert db.session.scalar(select(func.count()).select_from(User)) == 8


def test_deactivating_a_user_revokes_their_tokens_for_good(client, world):
    admin, phone = login(client, "admin"), login(client, "insp_hbt")
    other = login(client, "insp_hbt2")
    user_id = world["users"]["insp_hbt"].id
    response = client.patch(f"{A}/users/{user_id}", headers=admin, json={"active": False})
    assert response.status_code == 200 and response.get_json()["active"] is False
    refused = client.get("/api/v1/sync/pull", headers=phone)
    assert refused.status_code == 401 and refused.get_json()["error"]["code"] == "token_revoked"
    devices = client.get(f"{A}/devices?user_id={user_id}", headers=admin).get_json()["devices"]
    assert [d["status"] for d in devices] == ["revoked"]
    login_body = {"username": "insp_hbt", "password": PASSWORD, "device_id": "d"}
    assert client.post("/api/v1/auth/token", json=login_body).status_code == 401

    # Reactivated: the old token stays dead (the phone signs in again), a new one works.
    client.patch(f"{A}/users/{user_id}", headers=admin, json={"active": True})
    again = client.get("/api/v1/sync/pull", headers=phone)
    assert again.status_code == 401 and again.get_json()["error"]["code"] == "token_revoked"
    assert client.post("/api/v1/auth/token", json=login_body).status_code == 201
    assert client.get("/api/v1/sync/pull", headers=other).status_code == 200  # others untouched


def test_change_role_and_unit(client, world):
    admin = login(client, "admin")
    user_id = world["users"]["insp_hbt"].id
    response = client.patch(f"{A}/users/{user_id}", headers=admin, json={
        "role": "ward_officer", "org_unit_id": world["units"]["BD-1"].id, "display_name": "Lan"})
    assert response.status_code == 200
    assert response.get_json() | {"created_at": None} == {
        "id": user_id, "username": "insp_hbt", "display_name": "Lan", "role": "ward_officer",
        "org_unit_id": world["units"]["BD-1"].id, "active": True, "created_at": None}
    queue = client.get("/api/v1/review/queue", headers=login(client, "insp_hbt"))
    assert queue.status_code == 200  # a ward officer now


@pytest.mark.parametrize(("body", "field"), [
    ({}, "_schema"),
    ({"role": "inspector", "org_unit_id": None}, "org_unit_id"),
    ({"org_unit_id": None}, "org_unit_id"),  # an inspector needs one
    ({"org_unit_id": 424242}, "org_unit_id"),
    ({"active": "no"}, "active"),
    ({"display_name": ""}, "display_name"),
    ({"role": "root"}, "role"),
    ({"username": "renamed"}, "username"),  # not changeable
])
def test_change_user_refusals_name_the_field(client, world, body, field):
    user_id = world["users"]["insp_hbt"].id
    response = client.patch(f"{A}/users/{user_id}", headers=login(client, "admin"), json=body)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]


def test_unknown_user_is_404(client, world):
    admin = login(client, "admin")
    for user_id in (424242, 2**40):
        response = client.patch(f"{A}/users/{user_id}", headers=admin, json={"active": False})
        assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


def test_the_last_active_admin_stays(client, world):
    admin = login(client, "admin")
    admin_id = world["users"]["admin"].id
    for body in ({"active": False}, {"role": "city_officer"}):
        response = client.patch(f"{A}/users/{admin_id}", headers=admin, json=body)
        assert response.status_code == 409 and response.get_json()["error"]["code"] == "last_admin"
    client.post(f"{A}/users", headers=admin, json={
        "username": "admin2", "role": "admin", "password": "long enough"})
    response = client.patch(f"{A}/users/{admin_id}", headers=admin, json={"role": "city_officer"})
    assert response.status_code == 200


def test_password_reset(client, world):
    admin, phone = login(client, "admin"), login(client, "insp_hbt")
    user_id = world["users"]["insp_hbt"].id
    weak = client.post(f"{A}/users/{user_id}/password", headers=admin, json={"password": "1234"})
    assert weak.status_code == 422
    assert weak.get_json()["error"]["code"] == "weak_password"
    assert "password" in weak.get_json()["error"]["fields"]
    missing = client.post(f"{A}/users/{user_id}/password", headers=admin, json={})
    assert missing.status_code == 422 and "password" in missing.get_json()["error"]["fields"]

    response = client.post(f"{A}/users/{user_id}/password", headers=admin,
                           json={"password": "mật khẩu mới"})
    assert response.status_code == 200 and response.get_json()["revoked_devices"] == 0
    old = {"username": "insp_hbt", "password": PASSWORD, "device_id": "d"}
    assert client.post("/api/v1/auth/token", json=old).status_code == 401
    new = {**old, "password": "mật khẩu mới"}
    assert client.post("/api/v1/auth/token", json=new).status_code == 201
    assert client.get("/api/v1/me", headers=phone).status_code == 200  # kept unless asked

    response = client.post(f"{A}/users/{user_id}/password", headers=admin,
                           json={"password": "mật khẩu khác", "revoke_devices": True})
    assert response.get_json()["revoked_devices"] == 2
    refused = client.get("/api/v1/me", headers=phone)
    assert refused.status_code == 401 and refused.get_json()["error"]["code"] == "token_revoked"


# --- devices -----------------------------------------------------------------------------


def test_devices_list_never_shows_the_token(client, world):
    response = client.post("/api/v1/auth/token", json={
        "username": "insp_hbt", "password": PASSWORD, "device_id": "phone-7",
        "device_name": "Redmi 9A"})
    token = response.get_json()["token"]
    admin = login(client, "admin")
    body = client.get(f"{A}/devices", headers=admin).get_json()
    assert body["total"] == 2
    phone = next(d for d in body["devices"] if d["device_id"] == "phone-7")
    assert set(phone) == {"id", "user", "device_id", "device_name", "created_at", "last_seen_at",
                          "expires_at", "revoked_at", "status"}
    assert phone["user"]["username"] == "insp_hbt" and phone["device_name"] == "Redmi 9A"
    assert phone["status"] == "active" and phone["revoked_at"] is None
    stored = db.session.scalar(select(DeviceToken.token_hash).where(DeviceToken.id == phone["id"]))
    raw = client.get(f"{A}/devices", headers=admin).data.decode()
    assert token not in raw and stored not in raw
    mine = client.get(f"{A}/devices?user_id={world['users']['insp_hbt'].id}", headers=admin)
    assert [d["device_id"] for d in mine.get_json()["devices"]] == ["phone-7"]
    bad = client.get(f"{A}/devices?limit=0", headers=admin)
    assert bad.status_code == 400 and "limit" in bad.get_json()["error"]["fields"]


def test_revoked_device_gets_401_token_revoked_on_its_next_request(client, world):
    phone = login(client, "insp_hbt", device_id="phone-1")
    other = login(client, "insp_hbt", device_id="phone-2")
    push(client, phone, upsert(visit_data(world["markets"]["hom"])))
    admin = login(client, "admin")
    devices = client.get(f"{A}/devices?active=1", headers=admin).get_json()["devices"]
    token_id = next(d["id"] for d in devices if d["device_id"] == "phone-1")
    response = client.post(f"{A}/devices/{token_id}/revoke", headers=admin)
    assert response.status_code == 200
    revoked_at = response.get_json()["revoked_at"]
    assert response.get_json()["status"] == "revoked" and revoked_at.endswith("Z")

    for refused in (client.get("/api/v1/sync/pull", headers=phone),
                    client.post("/api/v1/sync/push", headers=phone, json={
                        "device_id": "phone-1",
                        "mutations": [upsert(visit_data(world["markets"]["hom"]))]})):
        assert refused.status_code == 401
        assert refused.get_json()["error"]["code"] == "token_revoked"
    assert client.get("/api/v1/sync/pull", headers=other).status_code == 200
    again = client.post(f"{A}/devices/{token_id}/revoke", headers=admin)
    assert again.status_code == 200 and again.get_json()["revoked_at"] == revoked_at
    inactive = client.get(f"{A}/devices?active=0", headers=admin).get_json()["devices"]
    assert [d["id"] for d in inactive] == [token_id]
    assert client.post(f"{A}/devices/424242/revoke", headers=admin).status_code == 404


# --- markets -----------------------------------------------------------------------------


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


# --- imports -----------------------------------------------------------------------------


def upload(client, path, text, dry_run=False, as_file=True, headers=None):
    url = f"{A}/{path}" + ("?dry_run=1" if dry_run else "")
    headers = headers or login(client, "admin")
    data = text.encode() if isinstance(text, str) else text
    if as_file:
        return client.post(url, headers=headers, content_type="multipart/form-data",
                           data={"file": (io.BytesIO(data), "import.csv")})
    return client.post(url, headers=headers, data=data, content_type="text/csv")


@pytest.mark.parametrize("as_file", [True, False])
def test_import_markets(client, world, as_file):
    dry = upload(client, "markets/import", MARKETS_CSV, dry_run=True, as_file=as_file)
    assert dry.status_code == 200
    assert dry.get_json() == {"dry_run": True, "rows": 2, "created": 1, "updated": 1}
    assert db.session.scalar(select(func.count()).select_from(Market)) == 4
    done = upload(client, "markets/import", MARKETS_CSV, as_file=as_file)
    assert done.status_code == 200
    assert done.get_json() == {"dry_run": False, "rows": 2, "created": 1, "updated": 1}
    names = dict(db.session.execute(select(Market.code, Market.name)).all())
    assert names["M-NEW"] == "Chợ Mới" and names["M-HOM"] == "Chợ Hôm – Đức Viên"


@pytest.mark.parametrize(("path", "text", "line"), [
    ("markets/import", MARKETS_CSV + "M-BAD,Chợ Lỗi,HBT-1,,95,105.8,3,,\n", "line 4"),
    ("markets/import", MARKETS_CSV.replace(",2,2001", ",7,2001"), "line 2"),
    ("markets/import", MARKETS_CSV + "M-X,Chợ X,NOWHERE,,,,,,\n", "line 4"),
    ("org-units/import", UNITS_CSV + "HBT-4,Phường Lỗi,hamlet,HBT,,\n", "line 4"),
    ("org-units/import", UNITS_CSV + "HBT-5,Phường X,ward,MISSING,,\n", "line 4"),
    ("org-units/import", "code,name\nX,Y\n", "line 1"),
])
@pytest.mark.parametrize("dry_run", [False, True])
def test_import_with_a_bad_line_changes_nothing_and_names_the_line(
        client, world, path, text, line, dry_run):
    admin = login(client, "admin")
    before = state()
    response = upload(client, path, text, dry_run=dry_run, headers=admin)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed" and "nothing was written" in error["message"]
    assert list(error["fields"]) == [line] and error["fields"][line][0]
    db.session.expire_all()
    assert state() == before


def test_import_org_units(client, world):
    dry = upload(client, "org-units/import", UNITS_CSV, dry_run=True)
    assert dry.get_json() == {"dry_run": True, "rows": 2, "created": 1, "updated": 1}
    assert db.session.scalar(select(func.count()).select_from(OrgUnit)) == 7
    done = upload(client, "org-units/import", UNITS_CSV)
    assert done.status_code == 200 and done.get_json()["created"] == 1
    ward = db.session.scalar(select(OrgUnit).where(OrgUnit.code == "HBT-3"))
    assert ward.parent_id == world["units"]["HBT"].id
    changes, _ = pull_all(client, login(client, "insp_bd"))
    assert "Phường Bạch Đằng" in {c["data"]["name"] for c in changes if c["entity"] == "org_unit"}


@pytest.mark.parametrize(("kwargs", "status", "field"), [
    ({"text": "code,name\n".encode("utf-16")}, 422, "file"),
    ({"text": b"code,name\x00\n"}, 422, "file"),
    ({"text": b"  \n"}, 422, "file"),
])
def test_import_refuses_files_that_are_not_csv_text(client, world, kwargs, status, field):
    admin = login(client, "admin")
    before = state()
    response = upload(client, "markets/import", **kwargs, headers=admin)
    assert response.status_code == status
    assert field in response.get_json()["error"]["fields"]
    assert state() == before


def test_import_needs_a_file(client, world):
    admin = login(client, "admin")
    no_file = client.post(f"{A}/markets/import", headers=admin, content_type="multipart/form-data",
                          data={"other": (io.BytesIO(b"x"), "x.csv")})
    assert no_file.status_code == 422 and "file" in no_file.get_json()["error"]["fields"]
    as_json = client.post(f"{A}/markets/import", headers=admin, json={"csv": MARKETS_CSV})
    assert as_json.status_code == 415
    assert as_json.get_json()["error"]["code"] == "unsupported_media_type"
    bad_flag = client.post(f"{A}/markets/import?dry_run=perhaps", headers=admin,
                           data=MARKETS_CSV.encode(), content_type="text/csv")
    assert bad_flag.status_code == 400 and "dry_run" in bad_flag.get_json()["error"]["fields"]


# --- targets -----------------------------------------------------------------------------


def test_targets(client, world):
    admin = login(client, "admin")
    assert client.get(f"{A}/targets", headers=admin).get_json() == {"targets": []}
    first = client.put(f"{A}/targets/2023", headers=admin, json={"target": 1, "org_unit_id": None})
    assert first.status_code == 201
    assert first.get_json() == {"period": "2023", "org_unit_id": None, "target": 1.0}
    again = client.put(f"{A}/targets/2023", headers=admin, json={"target": 0.95})
    assert again.status_code == 200 and again.get_json()["target"] == 0.95
    hbt = world["units"]["HBT"].id
    unit = client.put(f"{A}/targets/2023-Q2", headers=admin, json={"target": 0.5,
                                                                    "org_unit_id": hbt})
    assert unit.status_code == 201
    client.put(f"{A}/targets/2023-07", headers=admin, json={"target": 0})
    assert client.get(f"{A}/targets", headers=admin).get_json()["targets"] == [
        {"period": "2023", "org_unit_id": None, "target": 0.95},
        {"period": "2023-07", "org_unit_id": None, "target": 0.0},
        {"period": "2023-Q2", "org_unit_id": hbt, "target": 0.5},
    ]
    assert db.session.scalar(select(func.count()).select_from(IndicatorTarget)) == 3


@pytest.mark.parametrize(("period", "body", "field"), [
    ("2023-Q5", {"target": 1}, "period"),
    ("2023-13", {"target": 1}, "period"),
    ("23", {"target": 1}, "period"),
    ("2023-q1", {"target": 1}, "period"),
    ("2023", {"target": 1.5}, "target"),
    ("2023", {"target": -0.1}, "target"),
    ("2023", {"target": "all"}, "target"),
    ("2023", {}, "target"),
    ("2023", {"target": 1, "org_unit_id": 424242}, "org_unit_id"),
])
def test_target_refusals_name_the_field(client, world, period, body, field):
    response = client.put(f"{A}/targets/{period}", headers=login(client, "admin"), json=body)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]
    assert db.session.scalar(select(func.count()).select_from(IndicatorTarget)) == 0
