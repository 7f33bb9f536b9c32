"""syncclient without a server (tests/sync/fake_network.py): after a 401 it logs in again once
with the stored password; a second 401 or a wrong password raises AuthError and keeps the
outbox."""


import pytest

from syncclient import AuthError, SyncClient
from tests.sync.fake_network import (
    BASE,
    phone,
    visit,
)


def test_401_logs_in_again_once_with_the_stored_password(net):
    client, _ = phone(net)
    visit(client)
    client.login()
    net.tokens.clear()  # the token expired or was revoked
    report = client.sync()
    assert report.relogins == 1 and net.logins == 2 and report.applied == 1


def test_401_after_logging_in_again_raises_auth_error_and_keeps_the_outbox(net):
    client, _ = phone(net)
    visit(client)
    client.login()
    net.fail("POST", "/sync/push", 401, 401, 401)
    with pytest.raises(AuthError):
        client.sync()
    assert net.logins == 2 and len(net.pushes()) == 2 and len(client.outbox) == 1


def test_wrong_password_raises_auth_error(net):
    client = SyncClient(BASE, "insp", "wrong", session=net, sleep=lambda _: None)
    with pytest.raises(AuthError) as raised:
        client.login()
    assert raised.value.status == 401 and raised.value.code == "invalid_credentials"
    visit(client)
    with pytest.raises(AuthError):
        client.sync()
    assert len(client.outbox) == 1
