"""Migrations: one head, and `db upgrade` on an empty database gives exactly the models' schema."""

import json

import pyotp
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from server.core.extensions import db
from server.core.sealing import unseal
from tests.factories import PASSWORD, login, make_world, new_id, push, upsert, visit_data


def _scripts(app) -> ScriptDirectory:
    return ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())


def test_single_head(make_app):
    app = make_app(schema=False)
    with app.app_context():
        assert len(_scripts(app).get_heads()) == 1


def test_upgrade_on_empty_database_matches_models(make_app):
    app = make_app(schema=False)
    with app.app_context():
        assert inspect(db.engine).get_table_names() == []
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            drift = compare_metadata(context, db.metadata)
        assert drift == []
        tables = set(inspect(db.engine).get_table_names())
        assert set(db.metadata.tables) <= tables
        assert "alembic_version" in tables


def test_visit_versions_backfill_one_submission_per_existing_visit(make_app):
    """0007 keeps, for each visit that existed before it, its data as the submission."""
    app = make_app(schema=False)
    with app.app_context():
        upgrade()
        world = make_world()
        inspector_id = world["users"]["insp_hbt"].id  # read now: the session is removed below
        data = visit_data(world["markets"]["hom"], visit_id=new_id(),
                          attachments=["b" * 64], observed_at="2023-03-01T08:30:00+07:00")
        client = app.test_client()
        [result] = push(client, login(client, "insp_hbt"), upsert(data))
        assert result["status"] == "applied"
        db.session.remove()
        downgrade(revision="0004_market_assignment")
        upgrade()
        rows = db.session.execute(text(
            "SELECT visit_id, rev, inspector_id, data FROM visit_version")).all()
        assert len(rows) == 1
        visit_id, rev, kept_inspector_id, kept = rows[0]
        kept = kept if isinstance(kept, dict) else json.loads(kept)
        assert (visit_id, rev, kept_inspector_id) == (data["id"], 1, inspector_id)
        assert kept == {k: data[k] for k in ("market_id", "form_version", "observed_at",
                                             "answers", "location", "attachments")}


def test_totp_secrets_stored_before_0011_are_sealed_and_still_check_codes(make_app):
    """0011 seals each two-factor secret in place; its downgrade gives the plain one back."""
    app = make_app(schema=False)
    with app.app_context():
        upgrade(revision="0010_drop_visit_status_index")
        world_user = make_world()["users"]["admin"].id
        db.session.commit()
        plain = pyotp.random_base32()
        db.session.execute(text(
            "INSERT INTO user_totp (user_id, secret, created_at, confirmed_at) "
            "VALUES (:u, :s, '2026-01-01 00:00:00', '2026-01-01 00:00:00')"),
            {"u": world_user, "s": plain})
        db.session.commit()
        db.session.remove()
        app.config["SECRET_KEY"] = "the server's own key"
        upgrade()
        sealed = db.session.execute(text("SELECT sealed_secret FROM user_totp")).scalar()
        assert plain not in sealed and unseal(sealed, app.config) == plain
        client = app.test_client()  # the official signs in with the code of the same secret
        body = {"username": "admin", "password": PASSWORD, "device_id": "d",
                "otp": pyotp.TOTP(plain).now()}
        assert client.post("/api/v1/auth/token", json=body).status_code == 201
        db.session.remove()
        downgrade(revision="0010_drop_visit_status_index")
        assert db.session.execute(text("SELECT secret FROM user_totp")).scalar() == plain
        db.session.remove()
        upgrade()
