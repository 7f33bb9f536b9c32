"""The auth.expire_tokens and auth.purge_login_failures jobs."""

from datetime import timedelta

from sqlalchemy import select, update

from server.auth.expiry import expire_device_tokens, purge_login_failures
from server.core.extensions import db
from server.core.timeutil import utcnow
from server.models import DeviceToken, LoginFailure
from tests.factories import PASSWORD, login


def _age(device_id: str, **values) -> None:
    db.session.execute(update(DeviceToken).where(DeviceToken.device_id == device_id)
                       .values(**values))
    db.session.commit()


def test_tokens_expired_or_revoked_long_ago_go_recent_ones_stay_listed(client, world):
    now = utcnow()
    phones = {name: login(client, "insp_hbt", device_id=name)
              for name in ("live", "expired-recently", "expired-long-ago",
                           "revoked-recently", "revoked-long-ago")}
    admin = login(client, "admin", device_id="admin-desk")
    _age("expired-recently", expires_at=now - timedelta(days=10))
    _age("expired-long-ago", created_at=now - timedelta(days=80),
         expires_at=now - timedelta(days=50))
    _age("revoked-recently", revoked_at=now - timedelta(days=2))
    _age("revoked-long-ago", revoked_at=now - timedelta(days=31))

    assert expire_device_tokens() == {"tokens_deleted": 2, "expired_tokens_listed": 1}

    listed = client.get("/api/v1/admin/devices", query_string={"limit": 50},
                        headers=admin).get_json()["devices"]
    status = {d["device_id"]: d["status"] for d in listed}
    assert status == {"live": "active", "admin-desk": "active",
                      "expired-recently": "expired", "revoked-recently": "revoked"}
    # A phone whose token row is gone is told to sign in again, like any expired token.
    response = client.get("/api/v1/me", headers=phones["expired-long-ago"])
    assert response.status_code == 401
    assert client.get("/api/v1/me", headers=phones["live"]).status_code == 200
    assert expire_device_tokens()["tokens_deleted"] == 0  # a second run finds nothing


def test_retention_is_configurable(make_app):
    from tests.factories import make_world

    app = make_app(EXPIRED_TOKEN_RETENTION_DAYS=0)
    with app.app_context():
        make_world()
        client = app.test_client()
        login(client, "insp_hbt", device_id="old")
        _age("old", expires_at=utcnow() - timedelta(minutes=1))
        assert expire_device_tokens()["tokens_deleted"] == 1
        assert db.session.scalar(select(DeviceToken.id)) is None


def test_failed_logins_older_than_the_throttle_window_are_forgotten(client, world):
    for _ in range(3):
        response = client.post("/api/v1/auth/token", json={
            "username": "insp_hbt", "password": "wrong " + PASSWORD, "device_id": "d"})
        assert response.status_code == 401
    db.session.execute(update(LoginFailure).where(LoginFailure.id <= 2)
                       .values(failed_at=utcnow() - timedelta(minutes=16)))
    db.session.commit()
    assert purge_login_failures() == {"login_failures_deleted": 2}
    assert len(db.session.scalars(select(LoginFailure)).all()) == 1
