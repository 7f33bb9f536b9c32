"""Benchmark: a ward officer bulk-approves 300 visits in ONE push (DESIGN §1, §5.1).

Each run starts from a fresh database: it creates a small org tree, one market, an inspector
and a ward officer, pushes N submitted visits through the real push API (Flask test client,
in-process), then times one push of N `review.decide` approve mutations. It prints each run,
the median seconds and the median per-visit milliseconds.

    .venv/bin/python bench/bulk_approve.py                      # SQLite in a temp directory
    .venv/bin/python bench/bulk_approve.py --database-url postgresql://postgres@127.0.0.1/bench
    .venv/bin/python bench/bulk_approve.py --profile            # needs `pip install pyinstrument`

With --database-url the database is EMPTIED before every run (DROP SCHEMA public CASCADE on
PostgreSQL): give it a scratch database.
"""

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from server import create_app  # noqa: E402
from server.core.extensions import db  # noqa: E402
from server.models import (
    Market,  # noqa: E402
    OrgUnit,  # noqa: E402
    User,  # noqa: E402
)

PASSWORD = "bench password"
ANSWERS = {"stalls_total": 40, "stalls_using_nondegradable": 0, "alternatives": ["paper_bag"],
           "signage_present": True, "outreach_held": True}


def fresh_app(database_url: str | None, workdir: Path, run: int):
    url = database_url or f"sqlite:///{workdir / f'bench-{run}.sqlite3'}"
    app = create_app({"DATABASE_URL": url, "INSTANCE_DIR": str(workdir),
                      "ATTACHMENTS_DIR": str(workdir / "attachments")})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        db.create_all()
        city = OrgUnit(code="HN", name="Thành phố Hà Nội", level="city")
        db.session.add(city)
        db.session.flush()
        district = OrgUnit(code="HBT", name="Quận Hai Bà Trưng", level="district",
                           parent_id=city.id)
        db.session.add(district)
        db.session.flush()
        ward = OrgUnit(code="HBT-1", name="Phường Phố Huế", level="ward", parent_id=district.id)
        db.session.add(ward)
        db.session.flush()
        db.session.add(Market(code="M-HOM", name="Chợ Hôm", org_unit_id=ward.id, lat=21.0153,
                              lon=105.8513, market_class="1"))
        cheap = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
        for username, role in (("insp", "inspector"), ("ward", "ward_officer")):
            db.session.add(User(username=username, display_name=username, role=role,
                                org_unit_id=district.id, password_hash=cheap, active=True))
        db.session.commit()
    return app


def login(client, username: str) -> dict:
    body = {"username": username, "password": PASSWORD, "device_id": f"bench-{username}"}
    response = client.post("/api/v1/auth/token", json=body)
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def push(client, headers, mutations) -> list[dict]:
    response = client.post("/api/v1/sync/push", headers=headers,
                           json={"device_id": "bench", "mutations": mutations})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["results"]


def submitted_visits(client, count: int) -> list[dict]:
    with_market = client.get("/api/v1/sync/pull", headers=login(client, "insp")).get_json()
    market_id = next(c["id"] for c in with_market["changes"] if c["entity"] == "market")
    mutations = [
        {"id": str(uuid.uuid4()), "type": "visit.upsert",
         "data": {"id": str(uuid.uuid4()), "base_rev": None, "market_id": market_id,
                  "form_version": "2023.1", "observed_at": "2023-03-01T08:30:00+07:00",
                  "answers": ANSWERS,
                  "location": {"lat": 21.0155, "lon": 105.8515, "accuracy_m": 10},
                  "attachments": []}}
        for _ in range(count)
    ]
    results = push(client, login(client, "insp"), mutations)
    assert {r["status"] for r in results} == {"applied"}, results[0]
    return [r["record"] for r in results]


def one_run(args, workdir: Path, run: int, profiler=None) -> float:
    app = fresh_app(args.database_url, workdir, run)
    try:
        with app.app_context():
            client = app.test_client()
            records = submitted_visits(client, args.visits)
            ward = login(client, "ward")
            approvals = [
                {"id": str(uuid.uuid4()), "type": "review.decide",
                 "data": {"visit_id": r["id"], "base_rev": r["rev"], "decision": "approve",
                          "comment": None}}
                for r in records
            ]
            if profiler:
                profiler.start()
            started = time.perf_counter()
            results = push(client, ward, approvals)
            elapsed = time.perf_counter() - started
            if profiler:
                profiler.stop()
            statuses = {r["status"] for r in results}
            assert statuses == {"applied"}, f"not all applied: {statuses}"
            return elapsed
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--visits", type=int, default=300, help="approvals in the one push")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database-url", help="PostgreSQL (or SQLite) URL; EMPTIED each run")
    parser.add_argument("--profile", action="store_true",
                        help="profile the timed push with pyinstrument (last run printed)")
    args = parser.parse_args()
    if not 1 <= args.visits <= 500:
        parser.error("--visits must be 1..500 (the push limit)")
    profiler = None
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler()
    backend = (args.database_url or "sqlite (temp file)").split("@")[-1]
    print(f"bulk approve: {args.visits} approvals in one push, {args.runs} runs, {backend}")
    times = []
    with tempfile.TemporaryDirectory(prefix="chx-bench-") as tmp:
        for run in range(args.runs):
            seconds = one_run(args, Path(tmp), run, profiler)
            times.append(seconds)
            print(f"  run {run + 1}: {seconds:.3f} s ({seconds / args.visits * 1000:.2f} ms/visit)")
    median = statistics.median(times)
    print(f"median: {median:.3f} s  per visit: {median / args.visits * 1000:.2f} ms")
    if profiler:
        print(profiler.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    main()
