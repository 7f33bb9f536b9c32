"""Closing an account (DESIGN §9: tokens revocable): deactivating a user revokes every token,
and reactivating never revives one. test_admin_users.py holds the plain deactivate/reactivate
case."""

from server.auth.tokens import issue_token
from server.core.extensions import db
from server.models import User
from tests.factories import login

A = "/api/v1/admin"


def test_reactivating_revokes_a_token_that_raced_in_while_the_account_closed(client, world):
    """A login that read the account as active just before it was closed may still write its
    token afterwards (PostgreSQL: no lock on the read); reactivation must not bring it alive."""
    admin = login(client, "admin")
    user = world["users"]["insp_hbt"]
    client.patch(f"{A}/users/{user.id}", headers=admin, json={"active": False})
    raced, _ = issue_token(db.session.get(User, user.id), "raced-phone", None)
    db.session.commit()
    client.patch(f"{A}/users/{user.id}", headers=admin, json={"active": True})
    refused = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raced}"})
    assert refused.status_code == 401 and refused.get_json()["error"]["code"] == "token_revoked"
