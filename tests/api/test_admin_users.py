"""Admin API, users (DESIGN §1 admin, §9): list, create, change role and unit, deactivate,
the last admin, password reset. Validation errors name their fields."""

import pytest
from sqlalchemy import func, select

from server.core.extensions import db
from server.models import User
from tests.api.admin import A
from tests.factories import PASSWORD, login


def test_list_and_create_users(client, world):
    admin = login(client, "admin")
    body = client.get(f"{A}/users", headers=admin).get_json()
    assert body["total"] == 8 and [u["username"] for u in body["users"]][:2] == ["admin", "city"]
    first = body["users"][0]
    assert set(first) == {"id", "username", "display_name", "role", "org_unit_id", "active",
                          "created_at", "totp_enabled"}
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
        "org_unit_id": world["units"]["BD-1"].id, "active": True, "created_at": None,
            "totp_enabled": False}
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
