"""A token is remembered for a few seconds per process (server/auth/token_cache.py): whatever
ends or narrows its rights is still refused on the very next request of the process that made
the change, and a change made by another process is followed once those seconds have passed.
Each phone here has just used its token, so the token is remembered when the change lands."""

import pytest
from sqlalchemy import text

from server.auth import token_cache
from server.core.extensions import db
from tests.api.test_totp import enrol, error
from tests.factories import login

V = "/api/v1"
A = f"{V}/admin"


def used(client, headers):
    assert client.get(f"{V}/sync/pull", headers=headers).status_code == 200
    return headers


def device_id_of(client, admin, device):
    devices = client.get(f"{A}/devices?active=1", headers=admin).get_json()["devices"]
    return next(d["id"] for d in devices if d["device_id"] == device)


def sign_out(client, world, phone, admin):
    assert client.delete(f"{V}/auth/token", headers=phone).status_code == 204


def revoke_device(client, world, phone, admin):
    token_id = device_id_of(client, admin, "phone-1")
    assert client.post(f"{A}/devices/{token_id}/revoke", headers=admin).status_code == 200


def deactivate(client, world, phone, admin):
    user_id = world["users"]["insp_hbt"].id
    assert client.patch(f"{A}/users/{user_id}", headers=admin,
                        json={"active": False}).status_code == 200


def new_password(client, world, phone, admin):
    user_id = world["users"]["insp_hbt"].id
    answer = client.post(f"{A}/users/{user_id}/password", headers=admin,
                         json={"password": "một mật khẩu mới", "revoke_devices": True})
    assert answer.status_code == 200, answer.get_json()


@pytest.mark.parametrize("change", [sign_out, revoke_device, deactivate, new_password])
def test_a_remembered_token_is_refused_on_the_next_request_after(client, world, change):
    phone = used(client, login(client, "insp_hbt", device_id="phone-1"))
    admin = login(client, "admin")
    change(client, world, phone, admin)
    refused = client.get(f"{V}/sync/pull", headers=phone)
    assert refused.status_code == 401
    assert refused.get_json()["error"]["code"] == "token_revoked"


def test_a_new_role_shows_on_the_next_request(client, world):
    phone = used(client, login(client, "insp_hbt", device_id="phone-1"))
    user_id = world["users"]["insp_hbt"].id
    assert client.patch(f"{A}/users/{user_id}", headers=login(client, "admin"),
                        json={"role": "ward_officer"}).status_code == 200
    assert client.get(f"{V}/me", headers=phone).get_json()["role"] == "ward_officer"
    assert client.get(f"{V}/review/queue", headers=phone).status_code == 200


def test_a_second_factor_reset_sends_a_remembered_token_back_to_enrolment(app, client, world):
    app.config["TOTP_REQUIRED_ROLES"] = "city_officer"
    city = login(client, "city")
    enrol(client, city)
    used(client, city)
    city_id = world["users"]["city"].id
    assert client.delete(f"{A}/users/{city_id}/totp",
                         headers=login(client, "admin")).status_code == 204
    assert error(client.get(f"{V}/sync/pull", headers=city)) == (403, "totp_enrolment_required")


def another_process(sql: str, **params) -> None:
    """A change committed on a connection of its own, as another gunicorn worker or host
    would make it: this process's session sees nothing of it until it reads again."""
    with db.engine.begin() as conn:
        conn.execute(text(sql), params)
    db.session.rollback()  # the tests' shared session: end its snapshot, as a new request would


def test_a_revocation_by_another_process_is_followed_after_the_few_seconds(
        client, world, monkeypatch):
    phone = used(client, login(client, "insp_hbt", device_id="phone-1"))
    another_process("UPDATE device_token SET revoked_at = CURRENT_TIMESTAMP "
                    "WHERE device_id = 'phone-1'")
    later = token_cache.time.monotonic() + token_cache.TTL_SECONDS + 0.1
    monkeypatch.setattr(token_cache.time, "monotonic", lambda: later)
    refused = client.get(f"{V}/sync/pull", headers=phone)
    assert error(refused) == (401, "token_revoked")


def test_a_role_given_by_another_process_is_never_refused_for_a_stale_one(client, world):
    """A refusal is decided on what the database says now, not on what was remembered."""
    phone = used(client, login(client, "insp_hbt", device_id="phone-1"))
    another_process("UPDATE app_user SET role = 'ward_officer' WHERE id = :id",
                    id=world["users"]["insp_hbt"].id)
    assert client.get(f"{V}/review/queue", headers=phone).status_code == 200


def test_an_unknown_token_is_refused_every_time(client, world):
    for _ in range(2):
        assert error(client.get(f"{V}/me", headers={"Authorization": "Bearer nope"})) == (
            401, "invalid_token")
