"""Fixtures for real server processes (see tests/resilience/live.py)."""

import pytest

from tests.resilience.live import Server


@pytest.fixture
def make_server(tmp_path, seeded_sqlite):
    """make_server(backend, name=..., gunicorn_workers=0): a seeded server, not started (on
    SQLite a copy of the run's seeded demo, tests/conftest.py); every server made is killed at
    the end."""
    made = []

    def build(backend: str, name: str = "server", gunicorn_workers: int = 0) -> Server:
        workdir = tmp_path / name
        workdir.mkdir()
        server = Server(workdir, backend, gunicorn_workers)
        server.prepare(template=seeded_sqlite if backend == "sqlite" else None)
        made.append(server)
        return server

    yield build
    for server in made:
        server.stop(hard=True)
