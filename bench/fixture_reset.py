"""What each test pays before it starts: the database reset of tests/conftest.py against the
one it replaced (2026-12-06), alternating, and create_app()'s CPU time with and without the
reused URL builders. Figures in docs/PERFORMANCE.md ("Test suite time").

    TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/SCRATCH \\
        .venv/bin/python bench/fixture_reset.py --rounds 10

SCRATCH is emptied: not the database of a running test pass."""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CREATE_APP_CPU = """
import sys, tempfile, time, statistics
sys.path.insert(0, {root!r})
if {reuse}:
    import tests.conftest  # noqa: F401  (reuses the URL builders)
from server import create_app
d = tempfile.mkdtemp()
times = []
for _ in range(30):
    t = time.process_time()
    create_app({{"TESTING": True, "DATABASE_URL": f"sqlite:///{{d}}/t.sqlite3", "INSTANCE_DIR": d}})
    times.append(time.process_time() - t)
print(statistics.median(times[1:]))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    os.environ.setdefault("CHOXANH_TEST_DB", "sqlite")
    import tests.conftest as fixtures
    from server import create_app
    from server.core.extensions import db
    from tests.factories import make_world

    results: dict[str, list[float]] = {}

    def record(name, seconds):
        results.setdefault(name, []).append(seconds)

    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        app = create_app({"TESTING": True, "DATABASE_URL": url,
                          "INSTANCE_DIR": tempfile.mkdtemp()})

        def before():
            fixtures.empty_database()
            db.create_all()

        with app.app_context():
            fixtures.reset_postgres()
            for _ in range(args.rounds):
                for name, reset in (("PostgreSQL, before: DROP SCHEMA + create_all", before),
                                    ("PostgreSQL, after: fingerprint + DELETE",
                                     fixtures.reset_postgres)):
                    make_world()  # rows to remove, as a test leaves them
                    db.session.remove()
                    start = time.perf_counter()
                    reset()
                    record(name, time.perf_counter() - start)
            db.engine.dispose()

    template_dir = tempfile.mkdtemp()
    template = Path(template_dir) / "t.sqlite3"
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{template}",
                      "INSTANCE_DIR": template_dir})
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    for _ in range(args.rounds):
        work = Path(tempfile.mkdtemp())
        app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{work / 'a.sqlite3'}",
                          "INSTANCE_DIR": str(work)})
        with app.app_context():
            start = time.perf_counter()
            db.drop_all()
            db.create_all()
            record("SQLite, before: new file, drop_all + create_all", time.perf_counter() - start)
            db.engine.dispose()
        start = time.perf_counter()
        shutil.copyfile(template, work / "b.sqlite3")
        record("SQLite, after: copy of the template", time.perf_counter() - start)
        shutil.rmtree(work)

    for name, values in results.items():
        print(f"{name:52s} median {statistics.median(values) * 1000:8.1f} ms"
              f"  min {min(values) * 1000:8.1f} ms  (n={len(values)})")
    for reuse in (False, True):
        out = subprocess.run([sys.executable, "-c", CREATE_APP_CPU.format(root=str(ROOT),
                                                                          reuse=reuse)],
                             capture_output=True, text=True, check=True).stdout
        label = "after: builders reused" if reuse else "before"
        print(f"{'create_app() CPU, ' + label:52s} median {float(out) * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
