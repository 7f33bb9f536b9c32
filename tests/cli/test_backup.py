"""`manage.py backup` while a server takes pushes, `manage.py restore` into a fresh database:
on SQLite and PostgreSQL, every table and every photo comes back (DESIGN §3, docs/DEPLOY.md)."""

import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from server import create_app
from server.core.config import normalise_database_url
from server.core.extensions import db
from tests.resilience.conftest import make_server  # noqa: F401  (a fixture)
from tests.resilience.crashes import Phone, Stats, database_problems
from tests.resilience.live import BACKENDS, empty_postgres

VOLATILE = {"last_seen_at"}  # a device's last request time moves on after the backup


@dataclass
class Result:
    returncode: int
    stderr: str


def manage(env: dict, *args: str) -> Result:
    """`manage.py ARGS` with this environment's database and photos (in this process: the
    server under test is the separate one)."""
    app = create_app({"DATABASE_URL": env["DATABASE_URL"], "ATTACHMENTS_DIR":
                      env["ATTACHMENTS_DIR"], "INSTANCE_DIR": env["INSTANCE_DIR"],
                      "ATTACHMENTS_URL": env.get("ATTACHMENTS_URL", "")})
    result = app.test_cli_runner().invoke(args=list(args))
    with app.app_context():
        db.engine.dispose()
    return Result(result.exit_code, result.output)


def restore_target(backend: str, workdir: Path) -> dict:
    """A fresh, empty database (and photo directory) to restore into."""
    workdir.mkdir()
    env = {"ATTACHMENTS_DIR": str(workdir / "attachments"), "INSTANCE_DIR": str(workdir)}
    if backend == "sqlite":
        return {**env, "DATABASE_URL": f"sqlite:///{workdir / 'restored.sqlite3'}"}
    url = make_url(os.environ["TEST_DATABASE_URL"])
    name = f"{url.database}_restore"
    admin = create_engine(normalise_database_url(url.render_as_string(hide_password=False)),
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                            {"n": name}).scalar():
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    target = url.set(database=name).render_as_string(hide_password=False)
    empty_postgres(target)
    return {**env, "DATABASE_URL": target}


def tables(database_url: str) -> dict[str, list[tuple]]:
    engine = create_engine(normalise_database_url(database_url))
    found = {}
    with engine.connect() as conn:
        for name in sorted(inspect(conn).get_table_names()):
            columns = [c["name"] for c in inspect(conn).get_columns(name)
                       if c["name"] not in VOLATILE]
            select = ", ".join(f'"{c}"' for c in columns)
            rows = conn.execute(text(f'SELECT {select} FROM "{name}"'))
            found[name] = sorted(tuple(map(repr, row)) for row in rows)
    engine.dispose()
    return found


def photos(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in directory.rglob("*") if p.is_file()}


@pytest.mark.parametrize("backend", BACKENDS)
def test_backup_while_serving_then_restore_gives_back_every_row_and_photo(
        make_server, tmp_path, backend):  # noqa: F811
    server = make_server(backend).start()
    stats, stop = Stats(), threading.Event()
    phones = [Phone(server.url, tmp_path / f"phone-{i}", stats, seed=i) for i in range(2)]
    for phone in phones:
        assert phone.try_sync()

    def work(phone):
        while not stop.is_set():
            phone.record(3)
            phone.try_sync()

    threads = [threading.Thread(target=work, args=(p,), daemon=True) for p in phones]
    for thread in threads:
        thread.start()
    while stats.recorded < 20:
        time.sleep(0.05)
    during = manage(server.env, "backup", "--output", str(tmp_path / "during"))
    after_backup = stats.recorded
    while stats.recorded < after_backup + 10:  # the phones went on writing throughout
        time.sleep(0.05)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    for phone in phones:
        assert phone.try_sync() and not phone.client.outbox
    assert during.returncode == 0, during.stderr
    live_url = server.env["DATABASE_URL"]
    live, live_photos = tables(live_url), photos(Path(server.env["ATTACHMENTS_DIR"]))

    # 1. The backup taken under writes: a consistent earlier state, nothing half-written.
    first = restore_target(backend, tmp_path / "restored-during")
    restored = manage(first, "restore", "--input", str(tmp_path / "during"))
    assert restored.returncode == 0, restored.stderr
    manifest = json.loads((tmp_path / "during" / "manifest.json").read_text())
    got = tables(first["DATABASE_URL"])
    assert {name: len(rows) for name, rows in got.items()} == manifest["tables"]
    assert 0 < manifest["tables"]["visit"] < len(live["visit"])
    for name, rows in got.items():
        if name == "sync_meta":  # counters that only grow
            continue
        assert set(rows) <= set(live[name]), f"{name}: restored rows the server never held"
    # Closed at once: an open read would hold a lock that the DROP SCHEMA below waits for.
    engine = create_engine(normalise_database_url(first["DATABASE_URL"]))
    with engine.connect() as conn:
        visits = [row[0] for row in conn.execute(text("SELECT id FROM visit"))]
    engine.dispose()
    assert database_problems(first["DATABASE_URL"], Path(first["ATTACHMENTS_DIR"]), visits) == []

    # 2. A backup of the quiet server restores to exactly the same tables and photos.
    server.stop()
    quiet = manage(server.env, "backup", "--output", str(tmp_path / "quiet"))
    assert quiet.returncode == 0, quiet.stderr
    if backend == "postgres":
        empty_postgres(first["DATABASE_URL"])
        second = {**first, "ATTACHMENTS_DIR": str(tmp_path / "restored-quiet-photos")}
    else:
        second = restore_target(backend, tmp_path / "restored-quiet")
    assert manage(second, "restore", "--input", str(tmp_path / "quiet")).returncode == 0
    assert tables(second["DATABASE_URL"]) == live
    assert photos(Path(second["ATTACHMENTS_DIR"])) == live_photos
    assert len(live_photos) > 0


def test_restore_refuses_a_damaged_backup_or_a_database_in_use(make_server, tmp_path):  # noqa: F811
    server = make_server("sqlite")
    assert manage(server.env, "backup", "--output", str(tmp_path / "b")).returncode == 0
    again = manage(server.env, "backup", "--output", str(tmp_path / "b"))
    assert again.returncode != 0 and "not empty" in again.stderr
    # restoring over the live database is refused
    refused = manage(server.env, "restore", "--input", str(tmp_path / "b"))
    assert refused.returncode != 0 and "not empty" in refused.stderr
    # a flipped byte in the snapshot is caught before anything is written
    snapshot = tmp_path / "b" / "database.sqlite3"
    data = bytearray(snapshot.read_bytes())
    data[len(data) // 2] ^= 0xFF
    snapshot.write_bytes(bytes(data))
    target = restore_target("sqlite", tmp_path / "target")
    damaged = manage(target, "restore", "--input", str(tmp_path / "b"))
    assert damaged.returncode != 0 and "damaged" in damaged.stderr
    assert not Path(make_url(target["DATABASE_URL"]).database).exists()
