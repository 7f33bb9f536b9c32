"""Secrets against real server processes (DESIGN §9): login throttling holds across two
processes (manage.py serve and gunicorn on one database); the database holds no token, no
password and no TOTP recovery code in clear; no log line of either process (access logs
included) carries one, nor a TOTP secret or code."""

import time

import pyotp
import pytest
import requests
from sqlalchemy import create_engine, inspect, text

from server.core.config import normalise_database_url
from tests.resilience.live import BACKENDS, DEMO, DEMO_PASSWORD, Server

TIMEOUT = 20


@pytest.fixture(params=BACKENDS)
def two_servers(request, tmp_path, seeded_sqlite):
    """manage.py serve and gunicorn (2 workers), one seeded database (on SQLite a copy of the
    run's seeded demo)."""
    first = Server(tmp_path / "a", request.param)
    (tmp_path / "a").mkdir()
    first.prepare(template=seeded_sqlite if request.param == "sqlite" else None)
    (tmp_path / "b").mkdir()
    second = first.sibling(tmp_path / "b", gunicorn_workers=2)
    try:
        yield first.start(), second.start()
    finally:
        first.stop(hard=True)
        second.stop(hard=True)


def log_in(server, username, password, device="phone"):
    return requests.post(f"{server.url}/api/v1/auth/token", timeout=TIMEOUT, json={
        "username": username, "password": password, "device_id": device})


def every_text_value(database_url: str) -> list[str]:
    engine = create_engine(normalise_database_url(database_url))
    values = []
    with engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            rows = conn.execute(text(f'SELECT * FROM "{table}"'))
            values += [str(v) for row in rows for v in row if v is not None]
    engine.dispose()
    return values


def test_throttle_tokens_at_rest_and_logs(two_servers):
    a, b = two_servers
    # 1. Five wrong passwords spread over the two processes lock the account on both.
    wrong = "Sai-mật-khẩu-" + "x7Q"
    for server in (a, b, a, b, a):
        assert log_in(server, DEMO["inspector"], wrong).status_code == 401
    for server in (a, b):
        refused = log_in(server, DEMO["inspector"], DEMO_PASSWORD)
        assert refused.status_code == 429, refused.text
        assert refused.json()["error"]["code"] == "rate_limited"
    assert log_in(b, DEMO["ward_officer"], DEMO_PASSWORD).status_code == 201  # others unaffected

    # 2. Tokens issued and used on both processes, a push, failures with bad tokens.
    tokens = []
    for server in (a, b):
        for role in ("ward_officer", "city_officer", "admin"):
            answer = log_in(server, DEMO[role], DEMO_PASSWORD, device=f"{role}-{server.port}")
            assert answer.status_code == 201
            tokens.append(answer.json()["token"])
    for token, server in zip(tokens, (a, b) * 3, strict=True):
        headers = {"Authorization": f"Bearer {token}"}
        assert requests.get(f"{server.url}/api/v1/me", headers=headers,
                            timeout=TIMEOUT).status_code == 200
        pushed = requests.post(f"{server.url}/api/v1/sync/push", headers=headers, timeout=TIMEOUT,
                               json={"device_id": "x", "mutations": [{"id": "m", "type": "x"}]})
        assert pushed.status_code in (400, 422)
        # a token sent in the query string by a confused client must not reach the logs either
        requests.get(f"{server.url}/api/v1/me", params={"token": token}, timeout=TIMEOUT)
    revoked = tokens[0]
    assert requests.delete(f"{a.url}/api/v1/auth/token", timeout=TIMEOUT,
                           headers={"Authorization": f"Bearer {revoked}"}).status_code == 204
    assert requests.get(f"{b.url}/api/v1/me", timeout=TIMEOUT,
                        headers={"Authorization": f"Bearer {revoked}"}).status_code == 401

    # 2b. Two-step verification: the admin enrols on one process and signs in with a code on
    # the other (a confused client repeating it in the query string), then with a recovery code.
    admin = {"Authorization": f"Bearer {tokens[2]}"}
    started = requests.post(f"{a.url}/api/v1/me/totp", headers=admin, timeout=TIMEOUT)
    assert started.status_code == 201, started.text
    totp_secret = started.json()["secret"]
    confirmed = requests.post(f"{b.url}/api/v1/me/totp/confirm", headers=admin, timeout=TIMEOUT,
                              json={"code": pyotp.TOTP(totp_secret).now()})
    assert confirmed.status_code == 200, confirmed.text
    recovery = confirmed.json()["recovery_codes"]
    code = pyotp.TOTP(totp_secret).at(time.time() + 30)
    with_code = requests.post(
        f"{a.url}/api/v1/auth/token", params={"otp": code, "code": code}, timeout=TIMEOUT,
        json={"username": DEMO["admin"], "password": DEMO_PASSWORD, "device_id": "otp-phone",
              "otp": code})
    assert with_code.status_code == 201, with_code.text
    tokens.append(with_code.json()["token"])
    with_recovery = requests.post(f"{b.url}/api/v1/auth/token", timeout=TIMEOUT, json={
        "username": DEMO["admin"], "password": DEMO_PASSWORD, "device_id": "otp-phone-2",
        "otp": recovery[0]})
    assert with_recovery.status_code == 201, with_recovery.text
    tokens.append(with_recovery.json()["token"])

    # 3. At rest: no token, no password, no recovery code anywhere in the database (the TOTP
    # secret must be readable to compute codes: it is the one secret kept).
    stored = "\n".join(every_text_value(a.env["DATABASE_URL"]))
    for secret in [*tokens, DEMO_PASSWORD, wrong, *recovery]:
        assert secret not in stored

    # 4. Logs: the access log lines are there, the secrets are not.
    logs = a.log() + b.log()
    assert "POST /api/v1/auth/token" in a.log() and "POST /api/v1/auth/token" in b.log()
    assert '"GET /api/v1/me' in b.log(), "gunicorn wrote no access log; nothing was checked"
    for secret in [*tokens, DEMO_PASSWORD, wrong, totp_secret, *recovery]:
        assert secret not in logs, "a secret reached a log line"
    assert f"otp={code}" not in logs and f"code={code}" not in logs
    assert "otp=[redacted]" in a.log() and "code=[redacted]" in a.log()
    assert "token=[redacted]" in a.log() and "token=[redacted]" in b.log()
