"""Two-factor secrets are stored sealed (server/core/sealing.py): a copy of the database does
not give an official's second factor away; a new SECRET_KEY opens them only with the old one
in SECRET_KEY_PREVIOUS, and then seals them again under the new key."""

from sqlalchemy import select

from server.core.config import DEV_SECRET_KEY
from server.core.extensions import db
from server.core.sealing import Unsealable, needs_reseal, unseal
from server.models import UserTotp
from tests.api.test_totp import code_at, enrol, error, sign_in
from tests.factories import login


def stored_secret() -> str:
    db.session.expire_all()
    return db.session.scalar(select(UserTotp.sealed_secret))


def test_the_database_holds_the_secret_sealed(app, client, world):
    app.config["SECRET_KEY"] = "this server's own key"
    secret, _ = enrol(client, login(client, "admin"))
    stored = stored_secret()
    assert secret not in stored and secret.lower() not in stored.lower()
    assert unseal(stored, app.config) == secret
    try:
        unseal(stored, {"SECRET_KEY": "somebody else's key"})
    except Unsealable:
        pass
    else:
        raise AssertionError("another key opened the sealed secret")


def test_a_new_secret_key_needs_the_old_one_to_open_the_secrets(app, client, world):
    app.config["SECRET_KEY"] = old = "this server's first key"
    secret, _ = enrol(client, login(client, "admin"))
    app.config["SECRET_KEY"] = "a new production key, rotated"
    # Without the old key the code cannot be checked: said so, and not counted as a wrong code
    # (six tries, and the official is not locked out).
    for _ in range(6):
        assert error(sign_in(client, "admin", otp=code_at(secret, 30))) == (
            503, "totp_unavailable")
    app.config["SECRET_KEY_PREVIOUS"] = f"an older key, {old}"  # several, comma-separated
    signed_in = sign_in(client, "admin", otp=code_at(secret, 30))
    assert signed_in.status_code == 201, signed_in.get_json()
    # Opened by the previous key, sealed again under the new one: the old key can now go.
    assert unseal(stored_secret(), {"SECRET_KEY": "a new production key, rotated"}) == secret


def test_what_a_server_without_its_own_key_sealed_opens_and_moves_to_the_real_key(
        app, client, world):
    app.config["SECRET_KEY"] = DEV_SECRET_KEY  # e.g. `db upgrade` run without SECRET_KEY
    secret, _ = enrol(client, login(client, "admin"))
    app.config["SECRET_KEY"] = "the real key, set later"
    signed_in = sign_in(client, "admin", otp=code_at(secret, 30))
    assert signed_in.status_code == 201, signed_in.get_json()
    assert not needs_reseal(stored_secret(), {"SECRET_KEY": "the real key, set later"})
