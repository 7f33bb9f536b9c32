"""Password rules (server/auth/passwords.py) wherever a password is set: create-user on the
command line, the admin API's create and reset. Refused passwords change nothing."""

import pytest
from sqlalchemy import func, select

from server.auth.passwords import password_problem
from server.auth.users import check_password
from server.core.extensions import db
from server.models import User
from tests.factories import login

DEMO_PASSWORD = "ChoXanh@2023"
REFUSED = [
    ("short", "lan", "at least 10"),
    ("ngắn-9-kt", "lan", "at least 10"),  # 9 characters, more than 10 bytes in UTF-8
    ("lan.nguyen", "lan.nguyen", "username"),
    ("LAN.NGUYEN1", "lan.nguyen", "username"),
    ("1234567890", "lan", "too common"),
    ("Password123", "lan", "too common"),
    ("matkhau123", "lan", "too common"),
    ("zzzzzzzzzzzz", "lan", "too common"),
]
ACCEPTED = [(DEMO_PASSWORD, "kiemtra"), ("mật khẩu dài", "lan"),
            ("lan.nguyen và chợ Hôm", "lan.nguyen"), ("Tr0ng-Rau-S4ch", "lan")]


@pytest.mark.parametrize(("password", "username", "reason"), REFUSED)
def test_refused(password, username, reason):
    assert reason in password_problem(password, username)


@pytest.mark.parametrize(("password", "username"), ACCEPTED)
def test_accepted(password, username):
    assert password_problem(password, username) is None


def users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_create_user_command_applies_the_rules(runner, world):
    before = users()
    for password, _username, reason in REFUSED:
        result = runner.invoke(args=["create-user", "lan.nguyen", "--role", "city_officer",
                                     "--password", password])
        assert result.exit_code != 0
        assert reason in result.output or "username" in result.output, result.output
    assert users() == before
    result = runner.invoke(args=["create-user", "lan.nguyen", "--role", "city_officer",
                                 "--password", DEMO_PASSWORD])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.username == "lan.nguyen"))
    assert check_password(user, DEMO_PASSWORD) and DEMO_PASSWORD not in user.password_hash


def test_admin_api_create_and_reset_apply_the_rules(client, world):
    admin = login(client, "admin")
    victim = world["users"]["insp_hbt"]
    before = (users(), victim.password_hash)
    for password, _username, _reason in REFUSED:
        created = client.post("/api/v1/admin/users", headers=admin, json={
            "username": "lan.nguyen", "role": "city_officer", "password": password})
        assert created.status_code == 422, created.get_json()
        assert created.get_json()["error"]["code"] == "weak_password"
        assert "password" in created.get_json()["error"]["fields"]
    for password in ("insp_hbt", "insp_hbt123", "1234567890"):
        reset = client.post(f"/api/v1/admin/users/{victim.id}/password", headers=admin,
                            json={"password": password})
        assert reset.status_code == 422 and reset.get_json()["error"]["code"] == "weak_password"
        assert "password" in reset.get_json()["error"]["fields"]
    db.session.expire_all()
    assert (users(), db.session.get(User, victim.id).password_hash) == before
    ok = client.post(f"/api/v1/admin/users/{victim.id}/password", headers=admin,
                     json={"password": DEMO_PASSWORD})
    assert ok.status_code == 200
    created = client.post("/api/v1/admin/users", headers=admin, json={
        "username": "lan.nguyen", "role": "city_officer", "password": "Rau sạch mỗi ngày"})
    assert created.status_code == 201
    body = {"username": "lan.nguyen", "password": "Rau sạch mỗi ngày", "device_id": "d"}
    assert client.post("/api/v1/auth/token", json=body).status_code == 201
