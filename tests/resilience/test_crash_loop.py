"""kill -9 of the real server in the middle of pushes, again and again (DESIGN §5.1: exactly
once across "a server killed between commit and response"), on SQLite (WAL) and PostgreSQL.
The long version is bench/crash_loop.py."""

import time
import uuid
from pathlib import Path

import pytest

from tests.resilience.crashes import database_problems, run_crash_loop
from tests.resilience.live import BACKENDS

KILLS = 5


@pytest.fixture(params=BACKENDS)
def server(request, make_server):
    return make_server(request.param).start()


def test_five_kills_during_pushes_lose_and_double_nothing(server, tmp_path):
    started = time.monotonic()
    stats, problems = run_crash_loop(
        server, tmp_path, kills=KILLS, phones=3, seed=1, pushes_cut=1, max_kills=3 * KILLS,
        log=lambda m: print(f"{time.monotonic() - started:6.1f}s {m}"))
    print(f"{server.backend}: {stats}")
    assert KILLS <= stats.kills <= 3 * KILLS
    assert stats.recorded > 0
    assert stats.interrupted_pushes > 0, "no kill hit a push in flight; nothing was tested"
    assert problems == []
    # the check itself sees a loss: one more visit "recorded" than the database holds
    assert database_problems(server.env["DATABASE_URL"], Path(server.env["ATTACHMENTS_DIR"]),
                             [str(uuid.uuid4())]) != []
