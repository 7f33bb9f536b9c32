"""Admin API, devices (DESIGN §9: tokens revocable): the list never shows a token, and a
revoked device is refused on its next request while the user's other phones carry on."""

from sqlalchemy import select

from server.core.extensions import db
from server.models import DeviceToken
from tests.api.admin import A
from tests.factories import PASSWORD, login, push, upsert, visit_data


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
                          "last_synced_at", "expires_at", "revoked_at", "status"}
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
