"""Device tokens: issue, use, revoke, expire; throttled logins (DESIGN §5, §9)."""

from datetime import timedelta

from sqlalchemy import select

from server.core.extensions import db
from server.core.timeutil import utcnow
from server.models import DeviceToken
from tests.factories import PASSWORD, login


def test_login_returns_a_token_and_the_user(client, world):
    response = client.post("/api/v1/auth/token", json={
        "username": "insp_hbt", "password": PASSWORD, "device_id": "phone-1",
        "device_name": "Redmi 9A"})
    assert response.status_code == 201
    body = response.get_json()
    assert body["user"] == {"id": world["users"]["insp_hbt"].id, "username": "insp_hbt",
                            "display_name": "Insp_Hbt", "role": "inspector",
                            "org_unit_id": world["units"]["HBT"].id}
    assert body["expires_at"].endswith("Z")
    stored = db.session.scalar(select(DeviceToken))
    assert stored.token_hash != body["token"] and body["token"] not in stored.token_hash
    assert stored.device_name == "Redmi 9A"
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200 and me.get_json()["username"] == "insp_hbt"


def test_wrong_password_and_unknown_user_look_the_same(client, world):
    for username in ("insp_hbt", "nobody"):
        response = client.post("/api/v1/auth/token", json={
            "username": username, "password": "wrong", "device_id": "d"})
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "invalid_credentials"


def test_repeated_failures_are_throttled_even_with_the_right_password(client, world):
    for _ in range(5):
        client.post("/api/v1/auth/token",
                    json={"username": "insp_hbt", "password": "guess", "device_id": "d"})
    response = client.post("/api/v1/auth/token",
                           json={"username": "insp_hbt", "password": PASSWORD, "device_id": "d"})
    assert response.status_code == 429
    assert response.get_json()["error"]["code"] == "rate_limited"
    assert login(client, "insp_hbt2")  # other users are not affected


def test_login_body_is_validated(client, world):
    response = client.post("/api/v1/auth/token", json={"username": "insp_hbt"})
    assert response.status_code == 422
    fields = response.get_json()["error"]["fields"]
    assert set(fields) == {"password", "device_id"}
    response = client.post("/api/v1/auth/token", json={
        "username": 5, "password": PASSWORD, "device_id": "d"})
    assert response.status_code == 422 and "username" in response.get_json()["error"]["fields"]


def test_revoked_token_is_refused(client, world):
    headers = login(client, "insp_hbt")
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 204
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "token_revoked"


def test_expired_token_is_refused(client, world):
    headers = login(client, "insp_hbt")
    token = db.session.scalar(select(DeviceToken))
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "token_expired"


def test_missing_malformed_and_forged_tokens(client, world):
    for headers in ({}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer "},
                    {"Authorization": "Bearer forged-token-value"}):
        response = client.get("/api/v1/me", headers=headers)
        assert response.status_code == 401
        assert "error" in response.get_json()


def test_deactivated_user_cannot_log_in_or_use_old_tokens(client, world):
    headers = login(client, "insp_hbt")
    world["users"]["insp_hbt"].active = False
    db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    response = client.post("/api/v1/auth/token", json={
        "username": "insp_hbt", "password": PASSWORD, "device_id": "d"})
    assert response.status_code == 401
