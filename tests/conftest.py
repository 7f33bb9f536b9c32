"""Fixtures in the shape of Flask's tutorial: `app`, `client`, `runner`, a fresh database each.

The whole suite is a contract run against every backend (as Kinto does for its storage): the
Makefile runs it once on SQLite and again on PostgreSQL with CHOXANH_TEST_DB=postgres and
TEST_DATABASE_URL set.
"""

import os

import pytest
from sqlalchemy import text

from server import create_app
from server.core.extensions import db

BACKEND = os.environ.get("CHOXANH_TEST_DB", "sqlite")
if BACKEND not in ("sqlite", "postgres"):
    raise RuntimeError(f"CHOXANH_TEST_DB must be sqlite or postgres, not {BACKEND!r}")
if BACKEND == "postgres" and not os.environ.get("TEST_DATABASE_URL"):
    raise RuntimeError("CHOXANH_TEST_DB=postgres needs TEST_DATABASE_URL")


def pytest_report_header(config):
    return f"database backend: {BACKEND}"


def database_url(tmp_path) -> str:
    if BACKEND == "postgres":
        return os.environ["TEST_DATABASE_URL"]
    return f"sqlite:///{tmp_path / 'test.sqlite3'}"


def empty_database() -> None:
    """Leave the bound database with no tables at all (PostgreSQL is shared between tests)."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    else:
        db.drop_all()


@pytest.fixture
def make_app(tmp_path):
    """Build an app on a fresh, empty database; `schema=True` also creates the tables."""
    apps = []

    def build(schema: bool = True, **config):
        app = create_app(
            {
                "TESTING": True,
                "DATABASE_URL": database_url(tmp_path),
                "INSTANCE_DIR": str(tmp_path),
                "ATTACHMENTS_DIR": str(tmp_path / "attachments"),
                **config,
            }
        )
        with app.app_context():
            empty_database()
            if schema:
                db.create_all()
        apps.append(app)
        return app

    yield build
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    app = make_app()
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def world(app):
    """Two districts, four markets, users of every role (see tests/factories.py)."""
    from tests.factories import make_world

    return make_world()


@pytest.fixture(scope="session")
def s3():
    """One real S3-protocol server (moto) for the whole run, with a bucket (tests/s3.py)."""
    from tests.s3 import start_session_server

    server, stop = start_session_server()
    yield server
    stop()
