"""Benchmark: 200 phones sync at once against gunicorn on PostgreSQL.

Each simulated phone is a real `syncclient.SyncClient` (its own inspector account, device and
requests.Session) in a thread; the threads are spread over a few client processes so that
Python's GIL in the client does not become the bottleneck being measured. All phones are
released together. Each one: logs in and pulls its area (markets, form), records 20 visits
with one photo each (offline), then syncs: HEAD + PUT of every photo, ONE push of its 20
visits, and a pull until up to date. Every HTTP request is timed in the client.

Afterwards, the database is counted exactly and the script asserts: every visit a phone
recorded is in `visit` once (none lost, none doubled), 200 × 20 rows in visit,
applied_mutation and the visits' change log, every photo stored, and every phone's replica
holds exactly its 20 visits, `submitted`, rev 1. Requests/s, p50/p99 latency, errors and
retries are printed.

The server runs with the repository's gunicorn.conf.py (the layout docs/DEPLOY.md §3 uses),
unless --workers N asks for N plain sync workers instead (the layout before issue #15). With
--baseline REV the same load also runs against the server as of commit REV (git archive, with
this checkout's .venv; its own gunicorn.conf.py if it has one, else `-w 4` sync workers), in
the same run. --unloaded N first times N photos' HEAD (404), PUT and HEAD (200) from one
client, one request at a time: the client's wall time and the server's CPU time per request.

The load generator runs on the same machine as the server and PostgreSQL: on a 2-core machine
its own CPU (200 phones' clients, photo hashing, JSON) competes with the server's.

    .venv/bin/python bench/load_phones.py --pg-db chx_bench_NAME
    .venv/bin/python bench/load_phones.py --baseline ab1028e --unloaded 200
    .venv/bin/python bench/load_phones.py --phones 400 --visits 20 --workers 4 --clients 4

The database --pg-db (default chx_bench_ours) is EMPTIED.
"""

import argparse
import contextlib
import hashlib
import multiprocessing as mp
import os
import runpy
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
import requests  # noqa: E402


class TimedSession(requests.Session):
    """A Session that notes (what, seconds, status) of every request it sends."""

    def __init__(self, log: list):
        super().__init__()
        self.log = log

    def request(self, method, url, *args, **kwargs):
        path = url.split("/api/v1", 1)[-1].split("?")[0]
        what = method + " " + ("/attachments/<sha256>" if "/attachments/" in path else path)
        began = time.perf_counter()
        try:
            response = super().request(method, url, *args, **kwargs)
        except requests.RequestException:
            self.log.append((what, time.perf_counter() - began, None))
            raise
        self.log.append((what, time.perf_counter() - began, response.status_code))
        return response


def phone(index: int, url: str, visits: int, go, out: dict) -> None:
    import random
    from datetime import timedelta

    from syncclient.client import SyncClient
    from syncclient.report import HANOI
    from syncclient.simulate import fake_answers, fake_location, fake_photo

    log: list = []
    out.update(log=log, recorded=[], error=None, replica=[])
    rng = random.Random(index)
    client = SyncClient(url, f"insp{index + 1}", harness.PASSWORD, session=TimedSession(log),
                        device_name=f"load phone {index + 1}", batch_size=visits)
    try:
        go.wait()
        client.sync()  # log in, pull the area
        markets = client.records("market")
        now = datetime.now(HANOI).replace(microsecond=0)
        for n in range(visits):
            market = rng.choice(markets)
            out["recorded"].append(client.record_visit(
                market["id"], fake_answers(rng),
                observed_at=now - timedelta(minutes=rng.randint(0, 600)),
                location=fake_location(market, rng),
                photos=[fake_photo(f"load-{index}-{n}-{rng.getrandbits(64):x}")]))
        report = client.sync()  # photos, one push, pull
        out["applied"] = report.applied
        out["problems"] = report.problems
        out["retries"] = client.http.retries
        out["replica"] = [(v["id"], v["status"], v["rev"]) for v in client.records("visit")]
    except Exception as exc:  # noqa: BLE001  (a load test counts failures)
        out["error"] = f"phone {index + 1}: {type(exc).__name__}: {exc}"


def client_process(indices, url, visits, ready, go, results):
    outs = {i: {} for i in indices}
    local_go = threading.Event()
    threads = [threading.Thread(target=phone, args=(i, url, visits, local_go, outs[i]))
               for i in indices]
    for thread in threads:
        thread.start()
    ready.put(len(threads))
    go.wait()
    cpu = time.process_time()
    local_go.set()
    for thread in threads:
        thread.join()
    results.put((outs, time.process_time() - cpu))


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def count(url: str) -> dict:
    import psycopg

    queries = {
        "visit rows": "SELECT count(*) FROM visit",
        "distinct visit ids": "SELECT count(DISTINCT id) FROM visit",
        "applied_mutation rows": "SELECT count(*) FROM applied_mutation",
        "visit change-log rows": "SELECT count(*) FROM change_log WHERE entity = 'visit'",
        "photo references": "SELECT count(*) FROM visit_attachment",
        "photos stored": "SELECT count(*) FROM attachment",
    }
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        counts = {name: conn.execute(sql).fetchone()[0] for name, sql in queries.items()}
        ids = {row[0] for row in conn.execute("SELECT id FROM visit")}
    return counts, ids


@contextlib.contextmanager
def server(url: str, workdir: Path, root: Path, workers: int | None):
    """Our server (the code under `root`) on a free port: its gunicorn.conf.py, or `workers`
    sync workers; yields (base URL, master pid, the layout in words)."""
    config = root / "gunicorn.conf.py"
    port = harness.free_port()
    argv = [str(harness.VENV_BIN / "gunicorn"), "server:create_app()",
            "-b", f"127.0.0.1:{port}", "--log-level", "warning"]
    if workers or not config.exists():
        argv += ["-c", "/dev/null", "-w", str(workers or 4), "--timeout", "120"]
        layout = f"{workers or 4} sync workers"
    else:
        argv += ["-c", str(config)]
        layout = f"{config.name} ({config_words(config)})"
        if os.environ.get("GUNICORN_CMD_ARGS"):
            layout += f", GUNICORN_CMD_ARGS={os.environ['GUNICORN_CMD_ARGS']}"
    env = {"DATABASE_URL": url, "INSTANCE_DIR": str(workdir),
           "ATTACHMENTS_DIR": str(workdir / "attachments"), "SECRET_KEY": "bench",
           "PYTHONPATH": str(root)}
    base = f"http://127.0.0.1:{port}"
    with harness.process(argv, base + "/api/v1/health", env=env, cwd=root,
                         log_name="ours") as proc:
        yield base, proc.pid, layout


def config_words(config: Path) -> str:
    """'2 gthread workers × 4 threads' as the config file computes it on this machine."""
    values = runpy.run_path(str(config))
    return (f"{values['workers']} {values['worker_class']} workers × {values['threads']} "
            f"threads, keep-alive {values['keepalive']} s")


def postgres_cpu() -> float:
    """CPU seconds of every `postgres` process on the machine (other users' too: a rough
    figure on a shared machine)."""
    tick, total = os.sysconf("SC_CLK_TCK"), 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            name, rest = stat.read_text().split(") ", 1)
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
        if name.endswith("(postgres"):  # its CPU, and that of its exited children (backends)
            fields = rest.split()
            total += sum(int(f) for f in fields[11:15]) / tick
    return total


def unloaded(base: str, pid: int, count: int) -> dict:
    """Median wall ms (client) and server CPU ms per request, one request at a time."""
    from syncclient.simulate import fake_photo

    session = harness.login(base, "inspB")  # not a loading phone's account
    photos = [fake_photo(f"unloaded-{n}-{time.time_ns()}") for n in range(count)]
    shas = [hashlib.sha256(p).hexdigest() for p in photos]
    url = base + "/api/v1/attachments/"
    steps = {
        "HEAD 404": lambda i: session.head(url + shas[i]),
        "PUT 201": lambda i: session.put(url + shas[i], data=photos[i],
                                         headers={"Content-Type": "image/jpeg"}),
        "HEAD 200": lambda i: session.head(url + shas[i]),
    }
    expected = {"HEAD 404": 404, "PUT 201": 201, "HEAD 200": 200}
    costs = {}
    for name, step in steps.items():
        walls = []
        cpu = harness.cpu_seconds(pid)
        for i in range(count):
            began = time.perf_counter()
            status = step(i).status_code
            walls.append(time.perf_counter() - began)
            assert status == expected[name], (name, status)
        costs[name] = (harness.median(walls) * 1000,
                       (harness.cpu_seconds(pid) - cpu) / count * 1000)
    return costs


def load(args, root: Path, workers: int | None) -> None:
    with tempfile.TemporaryDirectory(prefix="chx-bench-load-") as tmp:
        tmp = Path(tmp)
        url = harness.our_database("postgresql", tmp, args.pg_db)
        harness.seed_world(url, tmp, inspectors=args.phones)
        with server(url, tmp, root, workers) as (base, pid, layout):
            print(f"\n## {'baseline ' + args.baseline if root != harness.ROOT else 'this tree'}"
                  f": {layout}")
            if args.unloaded:
                print("unloaded, one request at a time: | request | wall ms | server CPU ms |")
                for name, (wall, cpu) in unloaded(base, pid, args.unloaded).items():
                    print(f"| {name} | {wall:.1f} | {cpu:.2f} |")
            cpu_before, pg_before = harness.cpu_seconds(pid), postgres_cpu()
            ctx = mp.get_context("fork")
            ready, results, go = ctx.Queue(), ctx.Queue(), ctx.Event()
            slices = [list(range(c, args.phones, args.clients)) for c in range(args.clients)]
            procs = [ctx.Process(target=client_process,
                                 args=(s, base, args.visits, ready, go, results))
                     for s in slices]
            for proc in procs:
                proc.start()
            for _ in procs:
                ready.get(timeout=120)
            began = time.perf_counter()
            go.set()
            outs, client_cpu = {}, 0.0
            for _ in procs:
                some, cpu = results.get(timeout=1800)
                outs.update(some)
                client_cpu += cpu
            elapsed = time.perf_counter() - began
            for proc in procs:
                proc.join(30)
            server_cpu = harness.cpu_seconds(pid) - cpu_before
            pg_cpu = postgres_cpu() - pg_before
        counts, ids = count(url)
    log = [entry for out in outs.values() for entry in out["log"]]
    print(f"CPU during the load: server (gunicorn and its workers) {server_cpu:.1f} s, "
          f"{server_cpu / max(1, len(log)) * 1000:.2f} ms per request; the load generator's "
          f"client processes {client_cpu:.1f} s, {client_cpu / max(1, len(log)) * 1000:.2f} ms "
          f"per request; every postgres process {pg_cpu:.1f} s")
    report(args, outs, elapsed, counts, ids)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phones", type=int, default=200)
    parser.add_argument("--visits", type=int, default=20, help="visits per phone (≤ 500)")
    parser.add_argument("--workers", type=int, default=None,
                        help="N plain sync workers instead of gunicorn.conf.py")
    parser.add_argument("--clients", type=int, default=4, help="client processes")
    parser.add_argument("--pg-db", default="chx_bench_ours")
    parser.add_argument("--baseline", metavar="REV",
                        help="also load the server as of git commit REV, in the same run")
    parser.add_argument("--unloaded", type=int, default=0, metavar="N",
                        help="first time N photos' HEAD/PUT/HEAD one at a time")
    args = parser.parse_args()
    print(f"load: {args.phones} phones × {args.visits} visits (one photo each), PostgreSQL, "
          f"{args.clients} client processes on the same {os.cpu_count()}-core machine, "
          f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    failures = []
    with tempfile.TemporaryDirectory(prefix="chx-bench-baseline-") as keep:
        roots = [harness.ROOT]
        if args.baseline:
            roots.insert(0, harness.export_baseline(args.baseline, Path(keep)))
        for root in roots:
            try:
                load(args, root, args.workers if root == harness.ROOT else None)
            except AssertionError as exc:  # report the other tree too
                failures.append(f"{root}: {exc}")
    assert not failures, failures


def report(args, outs, elapsed, counts, ids):
    log = [entry for out in outs.values() for entry in out["log"]]
    failed = [e for e in log if e[2] is None or e[2] >= 500 or e[2] == 429]
    errors = [out["error"] for out in outs.values() if out["error"]]
    problems = [p for out in outs.values() for p in out.get("problems") or []]
    retries = sum(out.get("retries", 0) for out in outs.values())
    latencies = [seconds for _, seconds, _ in log]
    print(f"\n{len(log):,} requests in {elapsed:.1f} s: {len(log) / elapsed:,.1f} requests/s; "
          f"latency p50 {percentile(latencies, 50) * 1000:.0f} ms, "
          f"p99 {percentile(latencies, 99) * 1000:.0f} ms")
    print("| request | count | p50 ms | p99 ms |")
    print("| --- | ---: | ---: | ---: |")
    kinds = sorted({what for what, _, _ in log})
    for kind in kinds:
        times = [s for what, s, _ in log if what == kind]
        print(f"| {kind} | {len(times):,} | {percentile(times, 50) * 1000:.0f} | "
              f"{percentile(times, 99) * 1000:.0f} |")
    print(f"errors: {len(errors)} phones failed, {len(failed)} requests answered 5xx/429 or "
          f"not at all, {retries} retries, {len(problems)} mutations not applied")
    for message in (errors + [str(p) for p in problems])[:10]:
        print("  ", message)
    recorded = [v for out in outs.values() for v in out["recorded"]]
    expected = args.phones * args.visits
    print("database, counted after the run:")
    for name, value in counts.items():
        print(f"  {name}: {value:,}")
    lost = set(recorded) - ids
    replicas_ok = all(
        sorted(out["replica"]) == sorted((v, "submitted", 1) for v in out["recorded"])
        for out in outs.values())
    print(f"  visits recorded by the phones: {len(recorded):,} ({len(set(recorded)):,} distinct); "
          f"lost: {len(lost)}; every phone's replica = its own visits: {replicas_ok}")
    assert not errors and not failed and not problems, "errors during the load"
    assert len(recorded) == len(set(recorded)) == expected
    assert not lost and ids == set(recorded), "a visit was lost or one appeared from nowhere"
    for name in ("visit rows", "distinct visit ids", "applied_mutation rows",
                 "visit change-log rows", "photo references", "photos stored"):
        wanted = expected + (args.unloaded if name == "photos stored" else 0)
        assert counts[name] == wanted, f"{name}: {counts[name]} != {wanted}"
    assert replicas_ok
    print(f"OK: {expected:,} visits, each exactly once; 0 errors")


if __name__ == "__main__":
    main()
