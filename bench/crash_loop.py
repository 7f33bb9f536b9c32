"""Kill -9 the server many times in the middle of pushes; report how many crashes it survived.

    .venv/bin/python bench/crash_loop.py --kills 100                       # SQLite (WAL)
    .venv/bin/python bench/crash_loop.py --kills 100 --database-url postgresql://…/scratch_db
    .venv/bin/python bench/crash_loop.py --kills 100 --gunicorn 2          # under gunicorn

The PostgreSQL database given is EMPTIED first. Each kill comes a few milliseconds after a
phone sent a push. After the last kill the phones sync until their outboxes are empty, and the
database is checked (tests/resilience/crashes.py): every recorded visit stored exactly once at
rev 1, one applied mutation and one change-log row per visit, every referenced photo stored and
hashing to its name, SQLite's integrity_check ok, every phone holding the same visits.
The short version runs in the test suite: tests/resilience/test_crash_loop.py.
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.resilience.crashes import run_crash_loop  # noqa: E402
from tests.resilience.live import Server  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--phones", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--database-url", help="PostgreSQL URL (emptied!); default SQLite")
    parser.add_argument("--gunicorn", type=int, default=0, metavar="WORKERS",
                        help="serve with gunicorn and this many workers")
    args = parser.parse_args()
    backend = "postgres" if args.database_url else "sqlite"
    with tempfile.TemporaryDirectory(prefix="crash-loop-") as tmp:
        workdir = Path(tmp)
        database = {"DATABASE_URL": args.database_url} if args.database_url else None
        if database:
            from tests.resilience.live import empty_postgres

            empty_postgres(args.database_url)
        server = Server(workdir, backend, args.gunicorn, database=database).prepare()
        started = time.monotonic()
        try:
            server.start()
            stats, problems = run_crash_loop(
                server, workdir, args.kills, args.phones, args.seed,
                log=lambda m: print(f"{time.monotonic() - started:7.1f}s {m}", flush=True))
        finally:
            server.stop(hard=True)
    survived = stats.kills if not problems else 0
    print(f"\n{backend}{' + gunicorn' if args.gunicorn else ''}: {stats.kills} kills, "
          f"{stats.interrupted_pushes} pushes and {stats.interrupted - stats.interrupted_pushes}"
          f" other requests cut off mid-flight, {stats.recorded} visits recorded by "
          f"{args.phones} phones, {stats.failed_syncs} failed syncs retried")
    if problems:
        print("PROBLEMS:\n  " + "\n  ".join(problems))
    print(f"crashes survived with nothing lost or doubled: {survived}/{stats.kills} "
          f"({time.monotonic() - started:.0f} s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
