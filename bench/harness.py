"""What the server benchmarks share: fresh databases, servers on free loopback ports, payloads.

Every server a benchmark needs is started here as its own process on 127.0.0.1 (a free port
picked by the OS), waited for, and stopped when the `with` block ends — ours under gunicorn,
Kinto under gunicorn from the bench-only virtualenv `bench/peers/.venv`, PouchDB Server with
Node from `bench/peers/node_modules` (`bench/peers/setup.sh` creates both).
"""

import contextlib
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from syncclient.report import HANOI  # noqa: E402
from syncclient.simulate import fake_answers, fake_location, fake_photo  # noqa: E402

PEERS = ROOT / "bench" / "peers"
VENV_BIN = ROOT / ".venv" / "bin"
PEERS_BIN = PEERS / ".venv" / "bin"
POUCHDB_SERVER = PEERS / "node_modules" / ".bin" / "pouchdb-server"
PASSWORD = "bench password"
PG_ADMIN_URL = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432")


# A benchmark stopped with SIGTERM still runs its `finally` blocks, which stop its servers.
signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def median(values) -> float:
    return statistics.median(values) if values else float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and all its descendants (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total, stack = 0.0, [pid]
    while stack:
        current = stack.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{current}/task").iterdir():
                children = (task / "children").read_text().split()
                stack.extend(int(c) for c in children)
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


# --- processes ---------------------------------------------------------------------------


@contextlib.contextmanager
def process(argv, ready_url: str, env=None, cwd=None, log_name="server", timeout=60):
    """Start `argv`, wait until GET ready_url answers < 500, yield, then stop it (SIGTERM)."""
    log = tempfile.NamedTemporaryFile(  # noqa: SIM115  (outlives this frame: the server's log)
        prefix=f"chx-bench-{log_name}-", suffix=".log", delete=False)
    proc = subprocess.Popen(argv, env={**os.environ, **(env or {})}, cwd=cwd, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{log_name} exited ({proc.returncode}); see {log.name}:\n"
                                   + Path(log.name).read_text()[-3000:])
            try:
                if requests.get(ready_url, timeout=2).status_code < 500:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{log_name} not ready after {timeout} s; see {log.name}")
            time.sleep(0.2)
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)  # its own session: gunicorn and its workers
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()
        os.unlink(log.name)


# --- our server --------------------------------------------------------------------------


def pg_url(dbname: str) -> str:
    return f"{PG_ADMIN_URL}/{dbname}"


def ensure_pg_database(dbname: str) -> None:
    import psycopg

    with psycopg.connect(pg_url("postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{dbname}"')


def empty_pg_database(dbname: str) -> None:
    import psycopg

    ensure_pg_database(dbname)
    with psycopg.connect(pg_url(dbname), autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


def our_database(kind: str, workdir: Path, pg_db: str) -> str:
    """A fresh, migrated, empty database URL: SQLite file in workdir, or pg_db EMPTIED."""
    if kind == "sqlite":
        url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    else:
        empty_pg_database(pg_db)
        url = pg_url(pg_db)
    from flask_migrate import upgrade

    from server import create_app
    from server.core.extensions import db

    app = create_app({"DATABASE_URL": url, "INSTANCE_DIR": str(workdir),
                      "ATTACHMENTS_DIR": str(workdir / "attachments")})
    with app.app_context():
        upgrade()
        db.session.remove()
        db.engine.dispose()
    return url


def seed_world(url: str, workdir: Path, inspectors: int = 1, markets: int = 20) -> dict:
    """City > district > wards HBT-1 and HBT-2. HBT-1: `markets` markets, inspectors
    insp1..N (district-wide) and the city officer `city`; HBT-2: 5 markets, its inspector
    `inspB` and ward officer `wardB`. All with PASSWORD. Returns ids."""
    from werkzeug.security import generate_password_hash

    from server import create_app
    from server.core.extensions import db
    from server.models import Market, OrgUnit, User

    app = create_app({"DATABASE_URL": url, "INSTANCE_DIR": str(workdir),
                      "ATTACHMENTS_DIR": str(workdir / "attachments")})
    with app.app_context():
        def unit(code, name, level, parent=None):
            row = OrgUnit(code=code, name=name, level=level,
                          parent_id=parent.id if parent else None)
            db.session.add(row)
            db.session.flush()
            return row

        city = unit("HN", "Thành phố Hà Nội", "city")
        district = unit("HBT", "Quận Hai Bà Trưng", "district", city)
        ward = unit("HBT-1", "Phường Phố Huế", "ward", district)
        ward_b = unit("HBT-2", "Phường Đồng Nhân", "ward", district)
        rng = random.Random(7)
        for i in range(markets + 5):
            db.session.add(Market(code=f"M-{i:04d}", name=f"Chợ số {i + 1}",
                                  org_unit_id=ward.id if i < markets else ward_b.id,
                                  lat=21.0 + rng.uniform(0, 0.05), lon=105.8 + rng.uniform(0, 0.05),
                                  market_class=rng.choice("123")))
        cheap = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
        users = [(f"insp{i + 1}", "inspector", district.id) for i in range(inspectors)]
        users += [("city", "city_officer", None), ("inspB", "inspector", ward_b.id),
                  ("wardB", "ward_officer", ward_b.id)]
        for username, role, unit_id in users:
            db.session.add(User(username=username, display_name=username, role=role,
                                org_unit_id=unit_id, password_hash=cheap))
        db.session.commit()

        def market_ids(unit_id):
            return list(db.session.scalars(
                db.select(Market.id).where(Market.org_unit_id == unit_id).order_by(Market.id)))

        ids = {"city": city.id, "district": district.id, "ward": ward.id, "ward_b": ward_b.id,
               "markets": market_ids(ward.id), "markets_b": market_ids(ward_b.id),
               "inspectors": list(db.session.scalars(
                   db.select(User.id).where(User.username.like("insp%"),
                                            User.username != "inspB").order_by(User.id)))}
        db.session.remove()
        db.engine.dispose()
    return ids


@contextlib.contextmanager
def our_server(url: str, workdir: Path, workers: int = 1, threads: int = 1, root: Path = ROOT,
               extra_env: dict | None = None):
    """gunicorn "server:create_app()" (the code under `root`) on a free loopback port; yields
    (base URL, the gunicorn master's pid). `extra_env`: e.g. ATTACHMENTS_URL and AWS_*."""
    port = free_port()
    argv = [str(VENV_BIN / "gunicorn"), "server:create_app()", "-b", f"127.0.0.1:{port}",
            "-w", str(workers), "--threads", str(threads), "--timeout", "120",
            "--log-level", "warning"]
    env = {"DATABASE_URL": url, "INSTANCE_DIR": str(workdir),
           "ATTACHMENTS_DIR": str(workdir / "attachments"), "SECRET_KEY": "bench",
           "PYTHONPATH": str(root), **(extra_env or {})}
    base = f"http://127.0.0.1:{port}"
    with process(argv, base + "/api/v1/health", env=env, cwd=root, log_name="ours") as proc:
        yield base, proc.pid


def login(base: str, username: str, device_id: str | None = None) -> requests.Session:
    session = requests.Session()
    answer = session.post(base + "/api/v1/auth/token",
                          json={"username": username, "password": PASSWORD,
                                "device_id": device_id or f"bench-{uuid.uuid4()}"})
    assert answer.status_code == 201, answer.text
    session.headers["Authorization"] = f"Bearer {answer.json()['token']}"
    return session


# --- the payloads ------------------------------------------------------------------------


def phone_visits(count: int, market_ids: list[int], seed: int = 1, markets=None) -> list[dict]:
    """`count` visit.upsert `data` objects as the phone sends them (syncclient's generators):
    random valid answers, GPS near the market, one photo (its sha256; bytes in ["_photo"])."""
    import hashlib

    rng = random.Random(seed)
    markets = markets or {m: {"lat": 21.02, "lon": 105.82} for m in market_ids}
    now = datetime.now(HANOI).replace(microsecond=0)
    visits = []
    for n in range(count):
        market_id = rng.choice(market_ids)
        photo = fake_photo(f"bench-{seed}-{n}-{rng.getrandbits(64):x}")
        visits.append({
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "base_rev": None,
            "market_id": market_id,
            "form_version": "2023.1",
            "observed_at": (now - timedelta(minutes=rng.randint(0, 7 * 24 * 60))).isoformat(),
            "answers": fake_answers(rng),
            "location": fake_location(markets[market_id], rng),
            "attachments": [hashlib.sha256(photo).hexdigest()],
            "_photo": photo,
        })
    return visits


def wire(visit: dict) -> dict:
    return {k: v for k, v in visit.items() if not k.startswith("_")}


def mutations(visits: list[dict]) -> list[dict]:
    return [{"id": str(uuid.uuid4()), "type": "visit.upsert", "data": wire(v)} for v in visits]


def export_baseline(rev: str, into: Path) -> Path:
    """The tree of commit `rev` (git archive), with this checkout's .venv: the code before."""
    root = into / "baseline"
    root.mkdir()
    archive = subprocess.run(["git", "archive", rev], cwd=ROOT, check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(root)], input=archive, check=True)
    (root / ".venv").symlink_to(ROOT / ".venv")
    return root
