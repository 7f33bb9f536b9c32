"""Profile the sync hot paths in-process with pyinstrument: push (visit.upsert) and pull.

The app runs in this process (Flask test client, no HTTP server) on a fresh migrated database,
so the profile shows our code and the database driver, not the network. It prints the timings
and pyinstrument's call tree (only frames over --min-percent of the time).

    .venv/bin/python bench/profile_sync.py push                    # SQLite, 1000 visits, 500 a push
    .venv/bin/python bench/profile_sync.py push --pg-db chx_bench_ours  # PostgreSQL (EMPTIED)
    .venv/bin/python bench/profile_sync.py pull --visits 20000     # full pull as the city officer
    .venv/bin/python bench/profile_sync.py pull --visits 100000 --pg-db chx_bench_prof  # SQL-loaded
"""

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", choices=["push", "pull"])
    parser.add_argument("--visits", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--pg-db", help="profile on this PostgreSQL database (EMPTIED)")
    parser.add_argument("--min-percent", type=float, default=1.5)
    parser.add_argument("--no-profile", action="store_true", help="time only")
    parser.add_argument("--statements", action="store_true",
                        help="list the SQL statements of the last request (round trips)")
    args = parser.parse_args()
    from pyinstrument import Profiler

    from server import create_app

    with tempfile.TemporaryDirectory(prefix="chx-profile-") as tmp:
        tmp = Path(tmp)
        url = harness.our_database("postgresql" if args.pg_db else "sqlite", tmp, args.pg_db)
        world = harness.seed_world(url, tmp)
        app = create_app({"DATABASE_URL": url, "INSTANCE_DIR": str(tmp),
                          "ATTACHMENTS_DIR": str(tmp / "attachments")})
        from server.core.heap import settle_after_startup

        settle_after_startup()  # as a serving process does once its app is built
        client = app.test_client()
        token = client.post("/api/v1/auth/token", json={
            "username": "insp1" if args.path == "push" else "city",
            "password": harness.PASSWORD, "device_id": "profile"}).get_json()["token"]
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        visits = harness.phone_visits(args.visits, world["markets"])
        bodies = [json.dumps({"device_id": "profile", "mutations": harness.mutations(
            visits[i : i + args.batch])}) for i in range(0, len(visits), args.batch)]
        profiler = Profiler(interval=0.0005)
        statements = _count_statements(app)
        if args.path == "pull" and args.pg_db:
            from pull_scale import load_ours  # set-based SQL, as pull_scale.py loads them

            load_ours(url, 0, args.visits, world)
            bodies = []
        if args.path == "pull":
            # the visits arrive through push, unprofiled; then the city officer pulls them all
            insp = client.post("/api/v1/auth/token", json={
                "username": "insp1", "password": harness.PASSWORD,
                "device_id": "p2"}).get_json()["token"]
            for body in bodies:
                r = client.post("/api/v1/sync/push", data=body, headers={
                    "Authorization": f"Bearer {insp}", "Content-Type": "application/json"})
                assert r.status_code == 200
        if not args.no_profile:
            profiler.start()
        statements.clear()
        started, cpu_started = time.perf_counter(), time.process_time()
        count = 0
        if args.path == "push":
            for body in bodies:
                r = client.post("/api/v1/sync/push", data=body, headers=headers)
                assert r.status_code == 200
                assert {x["status"] for x in r.get_json()["results"]} == {"applied"}
                count += len(r.get_json()["results"])
                per_request = list(statements)
                statements.clear()
        else:
            cursor = None
            while True:
                query = {"limit": 1000, **({"cursor": cursor} if cursor else {})}
                r = client.get("/api/v1/sync/pull", query_string=query, headers=headers)
                body = r.get_json()
                count += len(body["changes"])
                cursor = body["cursor"]
                if not body["has_more"]:
                    break
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_started  # this process: on a busy machine, steadier
        if not args.no_profile:
            profiler.stop()
        with app.app_context():
            from server.core.extensions import db

            db.session.remove()
            db.engine.dispose()
    what = "visits pushed" if args.path == "push" else "changes pulled"
    print(f"{count} {what} in {elapsed:.2f} s: {count / elapsed:,.0f}/s "
          f"({'PostgreSQL' if args.pg_db else 'SQLite'}, in-process, profiler "
          f"{'off' if args.no_profile else 'on'}); CPU {cpu * 1e6 / max(count, 1):,.0f} µs "
          f"per {'visit' if args.path == 'push' else 'change'} in this process")
    if args.statements and args.path == "push":
        print(f"{len(per_request)} statements in the last push request (COPY included):")
        for sql in per_request:
            print("  ", " ".join(sql.split())[:150])
    if not args.no_profile:
        print(profiler.output_text(unicode=True, color=False, show_all=False,
                                   processor_options={"filter_threshold": args.min_percent / 100}))


def _count_statements(app) -> list[str]:
    """Every statement the app sends, as it sends it: SQLAlchemy's cursor executes and the
    COPYs of server/sync/bulk.py (a raw psycopg cursor)."""
    from sqlalchemy import event

    from server.core.extensions import db

    sent: list[str] = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute",
                     lambda _c, _cur, sql, *_a: sent.append(sql))
    try:
        import psycopg

        copy = psycopg.Cursor.copy

        def counted(self, statement, *args, **kwargs):
            sent.append(str(statement))
            return copy(self, statement, *args, **kwargs)

        psycopg.Cursor.copy = counted
    except ImportError:  # pragma: no cover
        pass
    return sent


if __name__ == "__main__":
    main()
