"""Fixtures of the concurrency tests: the real app served over HTTP in a background thread
(werkzeug, threaded: one thread per request, each with its own session and database connection,
as in production). In this folder, so that its `app` replaces the default one only here."""

import pytest

from tests.sync.concurrency.live_api import served


@pytest.fixture
def app(make_app):
    """The app with a pool big enough for every writer and reader thread at once."""
    app = make_app(
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True, "pool_size": 24, "max_overflow": 8}
    )
    with app.app_context():
        yield app


@pytest.fixture
def api(app, world):
    with served(app) as api:
        yield api
