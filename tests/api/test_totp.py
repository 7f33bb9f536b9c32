"""Two-factor sign-in (issue #17), end to end through the API, with the codes an authenticator
app would show computed here from the secret (pyotp): enrol, confirm, sign in with and without
a code, a wrong code, a replayed code, a recovery code once, turning it off, an admin reset, and
a role that must enrol."""

import time
from urllib.parse import parse_qs, unquote, urlparse

import pyotp
from sqlalchemy import select

from server.core.extensions import db
from server.models import TotpRecoveryCode, UserTotp
from tests.factories import PASSWORD, login

V = "/api/v1"


def sign_in(client, username, otp=None, device_id="phone-2fa"):
    body = {"username": username, "password": PASSWORD, "device_id": device_id}
    if otp is not None:
        body["otp"] = otp
    return client.post(f"{V}/auth/token", json=body)


def code_at(secret, offset_seconds=0):
    """The code the app shows `offset_seconds` from now."""
    return pyotp.TOTP(secret).at(time.time() + offset_seconds)


def wrong_code(secret):
    near = {code_at(secret, s) for s in (-30, 0, 30)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in near)


def error(response):
    return response.status_code, response.get_json()["error"]["code"]


def enrol(client, headers):
    """Start and confirm; returns (secret, recovery codes)."""
    started = client.post(f"{V}/me/totp", headers=headers)
    assert started.status_code == 201, started.get_json()
    secret = started.get_json()["secret"]
    confirmed = client.post(f"{V}/me/totp/confirm", headers=headers,
                            json={"code": code_at(secret)})
    assert confirmed.status_code == 200, confirmed.get_json()
    return secret, confirmed.get_json()["recovery_codes"]


def test_enrol_confirm_and_sign_in_with_a_code(client, world):
    headers = login(client, "admin")
    assert client.get(f"{V}/me", headers=headers).get_json()["totp"] == {
        "enabled": False, "required": False}
    started = client.post(f"{V}/me/totp", headers=headers)
    assert started.status_code == 201
    body = started.get_json()
    secret = body["secret"]
    uri = urlparse(body["otpauth_uri"])
    assert (uri.scheme, uri.netloc) == ("otpauth", "totp")
    assert unquote(uri.path) == "/Chợ Xanh:admin"
    assert parse_qs(uri.query)["secret"] == [secret]
    assert parse_qs(uri.query)["issuer"] == ["Chợ Xanh"]

    # Not active before confirmation: the password alone still signs in.
    assert sign_in(client, "admin").status_code == 201
    refused = client.post(f"{V}/me/totp/confirm", headers=headers,
                          json={"code": wrong_code(secret)})
    assert error(refused) == (422, "invalid_otp")
    assert "code" in refused.get_json()["error"]["fields"]
    assert sign_in(client, "admin").status_code == 201

    confirmed = client.post(f"{V}/me/totp/confirm", headers=headers,
                            json={"code": code_at(secret)})
    assert confirmed.status_code == 200
    codes = confirmed.get_json()["recovery_codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get(f"{V}/me", headers=headers).get_json()["totp"]["enabled"] is True
    # Recovery codes are kept only as hashes.
    stored = db.session.scalars(select(TotpRecoveryCode.code_hash)).all()
    assert len(stored) == 10 and not set(stored) & set(codes)
    assert error(client.post(f"{V}/me/totp", headers=headers)) == (409, "totp_already_enabled")

    # Without a code: 401 otp_required; with a wrong one: invalid_otp; with the next one: in.
    assert error(sign_in(client, "admin")) == (401, "otp_required")
    assert error(sign_in(client, "admin", otp=wrong_code(secret))) == (401, "invalid_otp")
    # The code used to confirm was accepted once already: not again.
    assert error(sign_in(client, "admin", otp=code_at(secret))) == (401, "otp_already_used")
    signed_in = sign_in(client, "admin", otp=code_at(secret, 30))
    assert signed_in.status_code == 201, signed_in.get_json()
    assert signed_in.get_json()["totp"] == {"enabled": True, "required": False}
    # The same code a second time (a replay within its window) is refused.
    assert error(sign_in(client, "admin", otp=code_at(secret, 30))) == (401, "otp_already_used")
    # A wrong password with a good code is still the password's error.
    wrong_password = client.post(f"{V}/auth/token", json={
        "username": "admin", "password": "wrong", "device_id": "d", "otp": code_at(secret)})
    assert error(wrong_password) == (401, "invalid_credentials")


def test_recovery_code_works_once(client, world):
    headers = login(client, "city")
    _, codes = enrol(client, headers)
    assert sign_in(client, "city", otp=codes[3].lower()).status_code == 201  # case and dashes
    assert error(sign_in(client, "city", otp=codes[3])) == (401, "invalid_otp")
    assert sign_in(client, "city", otp=codes[4].replace("-", " ")).status_code == 201
    assert db.session.scalar(select(TotpRecoveryCode).where(
        TotpRecoveryCode.used_at.is_(None)).limit(1)) is not None


def test_wrong_codes_count_toward_the_login_throttle(client, world):
    secret, _ = enrol(client, login(client, "admin"))
    for _ in range(5):
        assert error(sign_in(client, "admin", otp=wrong_code(secret))) == (401, "invalid_otp")
    assert error(sign_in(client, "admin", otp=code_at(secret, 30))) == (429, "rate_limited")
    # otp_required (the first step of a normal sign-in) is not a failure.
    assert sign_in(client, "city").status_code == 201


def test_turn_it_off_with_a_code(client, world):
    headers = login(client, "ward_hbt")
    assert error(client.delete(f"{V}/me/totp", headers=headers, json={"code": "123456"})) == (
        409, "totp_not_enabled")
    secret, codes = enrol(client, headers)
    refused = client.delete(f"{V}/me/totp", headers=headers, json={"code": wrong_code(secret)})
    assert error(refused) == (422, "invalid_otp")
    assert error(sign_in(client, "ward_hbt")) == (401, "otp_required")
    off = client.delete(f"{V}/me/totp", headers=headers, json={"code": codes[0]})
    assert off.status_code == 204
    assert sign_in(client, "ward_hbt").status_code == 201
    assert db.session.scalar(select(TotpRecoveryCode).limit(1)) is None
    assert db.session.scalar(select(UserTotp).limit(1)) is None


def test_confirm_without_starting(client, world):
    headers = login(client, "insp_hbt")
    refused = client.post(f"{V}/me/totp/confirm", headers=headers, json={"code": "123456"})
    assert error(refused) == (409, "totp_not_started")
    bad = client.post(f"{V}/me/totp/confirm", headers=headers, json={})
    assert error(bad) == (422, "validation_failed")


def test_starting_again_replaces_an_unconfirmed_secret(client, world):
    headers = login(client, "insp_hbt")
    first = client.post(f"{V}/me/totp", headers=headers).get_json()["secret"]
    second = client.post(f"{V}/me/totp", headers=headers).get_json()["secret"]
    assert first != second
    refused = client.post(f"{V}/me/totp/confirm", headers=headers,
                          json={"code": code_at(first)})
    if code_at(first) != code_at(second):
        assert error(refused) == (422, "invalid_otp")
    assert client.post(f"{V}/me/totp/confirm", headers=headers,
                       json={"code": code_at(second, 30)}).status_code == 200


def test_admin_sees_and_resets_a_second_factor(client, world):
    city = world["users"]["city"]
    enrol(client, login(client, "city"))
    admin = login(client, "admin")
    listed = {u["username"]: u["totp_enabled"] for u in
              client.get(f"{V}/admin/users", headers=admin).get_json()["users"]}
    assert listed["city"] is True and listed["insp_hbt"] is False
    assert client.get(f"{V}/admin/users/{city.id}", headers=admin).get_json()["totp_enabled"]
    assert error(sign_in(client, "city")) == (401, "otp_required")

    insp = login(client, "insp_hbt")
    assert error(client.delete(f"{V}/admin/users/{city.id}/totp", headers=insp)) == (
        403, "forbidden")
    assert error(client.delete(f"{V}/admin/users/99999/totp", headers=admin)) == (
        404, "not_found")
    assert client.delete(f"{V}/admin/users/{city.id}/totp", headers=admin).status_code == 204
    assert client.get(f"{V}/admin/users/{city.id}", headers=admin).get_json()[
        "totp_enabled"] is False
    assert sign_in(client, "city").status_code == 201
    assert db.session.scalar(select(TotpRecoveryCode).limit(1)) is None
    # Idempotent: nothing left to reset.
    assert client.delete(f"{V}/admin/users/{city.id}/totp", headers=admin).status_code == 204


def test_a_role_that_must_enrol_can_only_enrol_until_it_does(app, client, world):
    app.config["TOTP_REQUIRED_ROLES"] = "admin, city_officer"
    answer = sign_in(client, "city")
    assert answer.status_code == 201
    assert answer.get_json()["totp"] == {"enabled": False, "required": True}
    headers = {"Authorization": f"Bearer {answer.get_json()['token']}"}
    for path in ("/sync/pull", "/markets/overdue", "/indicator?period=2023"):
        refused = client.get(V + path, headers=headers)
        assert error(refused) == (403, "totp_enrolment_required"), path
    me = client.get(f"{V}/me", headers=headers)
    assert me.status_code == 200 and me.get_json()["totp"] == {"enabled": False,
                                                                "required": True}
    admin = login(client, "admin")
    assert error(client.get(f"{V}/admin/users", headers=admin)) == (
        403, "totp_enrolment_required")
    # Roles not listed are not affected.
    assert client.get(f"{V}/sync/pull", headers=login(client, "insp_hbt")).status_code == 200

    enrol(client, headers)
    assert client.get(f"{V}/sync/pull", headers=headers).status_code == 200  # same token
    assert client.get(f"{V}/me", headers=headers).get_json()["totp"]["enabled"] is True
    # Signing out is allowed while enrolment is pending.
    assert client.delete(f"{V}/auth/token", headers=admin).status_code == 204


def test_an_operator_resets_it_from_the_command_line(client, runner, world):
    enrol(client, login(client, "admin"))
    assert error(sign_in(client, "admin")) == (401, "otp_required")
    result = runner.invoke(args=["reset-totp", "admin"])
    assert result.exit_code == 0 and "was reset" in result.output
    assert sign_in(client, "admin").status_code == 201
    assert runner.invoke(args=["reset-totp", "nobody"]).exit_code != 0


def test_turning_it_on_and_resetting_it_are_audited_once_each(client, runner, world):
    city = world["users"]["city"]
    secret, _ = enrol(client, login(client, "city"))
    sign_in(client, "city", otp=wrong_code(secret))
    admin = login(client, "admin")

    def audited(action):
        return client.get(f"{V}/admin/audit", headers=admin,
                          query_string={"action": action}).get_json()["events"]

    [enabled] = audited("auth.totp_enabled")
    assert enabled["actor"]["username"] == "city"
    assert enabled["target"] == {"type": "user", "id": str(city.id), "label": "city"}
    assert secret not in str(enabled)
    [failed] = [e for e in audited("auth.login_failed") if e["target"]["label"] == "city"]
    assert failed["details"]["reason"] == "invalid_otp"

    client.delete(f"{V}/admin/users/{city.id}/totp", headers=admin)
    client.delete(f"{V}/admin/users/{city.id}/totp", headers=admin)  # nothing left: no act
    [reset] = audited("auth.totp_reset")
    assert reset["actor"]["username"] == "admin"

    enrol(client, login(client, "admin"))
    runner.invoke(args=["reset-totp", "admin"])
    by_cli = [e for e in audited("auth.totp_reset") if e["actor"] is None]
    assert len(by_cli) == 1 and by_cli[0]["details"]["via"] == "cli"
