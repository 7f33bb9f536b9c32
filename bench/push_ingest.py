"""Benchmark: visits per second through the real HTTP push, against the raw insert rate and peers.

One client pushes phone-like visits (syncclient's generators: random valid answers, GPS, one
photo reference each) in batches of 100 and of 500, one request at a time, and times each
request from send to parsed answer. Targets, each started here on loopback and stopped after:

  ours-sqlite, ours-pg   gunicorn "server:create_app()" (1 sync worker) on a fresh migrated
                         database: POST /api/v1/sync/push, full validation, exactly-once
                         bookkeeping (applied_mutation), gap-free change log; every result
                         must be `applied`
  raw-sqlite, raw-pg     no server: the same rows (visit, visit_attachment, applied_mutation,
                         change_log) inserted with SQLAlchemy Core executemany, one transaction
                         per batch (`raw`) — the ceiling — and one per visit (`raw-1tx`), which
                         is what per-mutation atomicity (DESIGN §5.1) costs at the database;
                         on PostgreSQL also `raw-pg-copy`: each table's rows in one COPY, as
                         our set-wise push writes them (the database's own ingest speed)
  kinto-mem, kinto-pg    Kinto 26 under gunicorn (1 worker), POST /v1/batch of PUTs with
                         If-None-Match: * (create-only), JSON Schema validation on
  pouch-mem, pouch-disk  PouchDB Server 4.2, POST /visits/_bulk_docs (no validation)
  base-sqlite, base-pg   with --baseline REV: our server as of commit REV (before a change)

Besides visits/s (wall clock, client side), it prints the server's CPU time per visit (the
server process and its workers, from /proc; not the PostgreSQL backend's), which a busy,
shared machine disturbs much less than the wall clock.

    .venv/bin/python bench/push_ingest.py                       # everything, 2000 visits x 3 runs
    .venv/bin/python bench/push_ingest.py --visits 5000 --runs 5
    .venv/bin/python bench/push_ingest.py --targets ours-sqlite,ours-pg --baseline d4a54ac

PostgreSQL databases (EMPTIED; created if missing): --pg-db (default chx_bench_ours) and
--kinto-pg-db (chx_bench_kinto). The peers need `bench/peers/setup.sh` once.
"""

import argparse
import json
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
from harness import login, median, mutations, our_database, our_server, phone_visits  # noqa: E402

ALL_TARGETS = ("ours-sqlite", "ours-pg", "raw-sqlite", "raw-pg", "kinto-mem", "kinto-pg",
               "pouch-mem", "pouch-disk")


# --- pushers: each takes a list of batches and returns the seconds each batch took ------


def push_ours(base, world, batches):
    session = login(base, "insp1", "bench-phone")
    times = []
    for batch in batches:
        body = {"device_id": "bench-phone", "mutations": mutations(batch)}
        payload = json.dumps(body, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json"}
        started = time.perf_counter()
        answer = session.post(base + "/api/v1/sync/push", data=payload, headers=headers)
        results = answer.json()["results"]
        times.append(time.perf_counter() - started)
        assert answer.status_code == 200, answer.text[:500]
        statuses = {r["status"] for r in results}
        assert statuses == {"applied"} and len(results) == len(batch), (statuses, results[0])
    return times


def push_kinto(base, session, batches):
    from peer_servers import kinto_records_path

    times = []
    for batch in batches:
        body = {"defaults": {"method": "PUT", "headers": {"If-None-Match": "*"}},
                "requests": [{"path": f"{kinto_records_path()}/{v['id']}",
                              "body": {"data": harness.wire(v)}} for v in batch]}
        payload = json.dumps(body, ensure_ascii=False).encode()
        started = time.perf_counter()
        answer = session.post(base + "/batch", data=payload,
                              headers={"Content-Type": "application/json"})
        responses = answer.json()["responses"]
        times.append(time.perf_counter() - started)
        assert answer.status_code == 200, answer.text[:500]
        statuses = {r["status"] for r in responses}
        assert statuses == {201} and len(responses) == len(batch), (statuses, responses[0])
    return times


def push_pouch(db_url, session, batches):
    times = []
    for batch in batches:
        docs = [{"_id": v["id"], **{k: x for k, x in harness.wire(v).items() if k != "id"}}
                for v in batch]
        payload = json.dumps({"docs": docs}, ensure_ascii=False).encode()
        started = time.perf_counter()
        answer = session.post(db_url + "/_bulk_docs", data=payload,
                              headers={"Content-Type": "application/json"})
        results = answer.json()
        times.append(time.perf_counter() - started)
        assert answer.status_code == 201, answer.text[:500]
        assert all(r.get("ok") for r in results) and len(results) == len(batch), results[0]
    return times


# --- the raw insert ceiling --------------------------------------------------------------


def raw_rows(visit: dict, inspector_id: int, n: int):
    """The rows one applied visit.upsert writes, as plain dicts (no validation, no checks)."""
    now = datetime.now(UTC).replace(tzinfo=None)
    observed = datetime.fromisoformat(visit["observed_at"])
    loc = visit["location"] or {}
    visit_row = {
        "id": visit["id"], "rev": 1, "market_id": visit["market_id"],
        "inspector_id": inspector_id, "device_id": "bench-phone", "form_version": "2023.1",
        "observed_at": observed.astimezone(UTC).replace(tzinfo=None),
        "observed_offset_min": 420, "received_at": now, "updated_at": now,
        "answers": visit["answers"], "location_lat": loc.get("lat"),
        "location_lon": loc.get("lon"), "location_accuracy_m": loc.get("accuracy_m"),
        "distance_m": None, "status": "submitted",
        "compliant": visit["answers"]["stalls_using_nondegradable"] == 0,
    }
    record = {**harness.wire(visit), "rev": 1, "status": "submitted"}
    return (
        visit_row,
        [{"visit_id": visit["id"], "position": i, "sha256": s}
         for i, s in enumerate(visit["attachments"])],
        {"id": f"raw-{visit['id']}", "user_id": inspector_id, "device_id": "bench-phone",
         "request_hash": "0" * 64, "result": {"id": n, "status": "applied", "record": record},
         "applied_at": now},
        {"entity": "visit", "entity_id": visit["id"], "op": "upsert", "rev": 1,
         "org_unit_id": 3, "prev_org_unit_id": None, "owner_id": inspector_id,
         "changed_at": now},
    )


def push_raw(url, workdir, world, batches, per_visit: bool, copy: bool = False):
    """`copy`: each table's rows in one COPY (server/sync/bulk.py, as the set-wise push
    writes them) instead of Core executemany: PostgreSQL's own ingest speed for these rows."""
    from sqlalchemy import insert

    from server import create_app
    from server.core.extensions import db
    from server.models import AppliedMutation, ChangeLog, Visit, VisitAttachment
    from server.sync.bulk import insert_rows

    app = create_app({"DATABASE_URL": url, "INSTANCE_DIR": str(workdir),
                      "ATTACHMENTS_DIR": str(workdir / "attachments")})
    times = []
    with app.app_context():
        engine = db.engine
        inspector = world["inspectors"][0]
        for batch in batches:
            started = time.perf_counter()
            groups = [[v] for v in batch] if per_visit else [batch]
            for group in groups:
                rows = [raw_rows(v, inspector, i) for i, v in enumerate(group)]
                if copy:
                    for model, part in ((Visit, [r[0] for r in rows]),
                                        (VisitAttachment, [a for r in rows for a in r[1]]),
                                        (AppliedMutation, [r[2] for r in rows]),
                                        (ChangeLog, [r[3] for r in rows])):
                        insert_rows(model.__table__, part)
                    db.session.commit()
                    continue
                with engine.begin() as conn:
                    conn.execute(insert(Visit), [r[0] for r in rows])
                    conn.execute(insert(VisitAttachment), [a for r in rows for a in r[1]])
                    conn.execute(insert(AppliedMutation), [r[2] for r in rows])
                    conn.execute(insert(ChangeLog), [r[3] for r in rows])
            times.append(time.perf_counter() - started)
        db.session.remove()
        engine.dispose()
    return times


# --- driver ------------------------------------------------------------------------------


def batches_for(visits, size):
    return [visits[i : i + size] for i in range(0, len(visits), size)]


def run_target(target, args, sizes, tmp: Path):
    """{(name, batch size): [(visits/s, server CPU ms per visit or None) of each run]}."""
    rates: dict[tuple[str, int], list[tuple]] = {}
    seed = [0]

    def visits_for(world_markets):
        seed[0] += 1
        return phone_visits(args.visits, world_markets, seed=seed[0] * 100 + len(rates))

    def timed(name, size, pid, push):
        cpu = harness.cpu_seconds(pid) if pid else None
        times = push()
        cpu_ms = (harness.cpu_seconds(pid) - cpu) * 1000 / args.visits if pid else None
        rates.setdefault((name, size), []).append((args.visits / sum(times), cpu_ms))

    if target.startswith(("ours", "raw", "base")):
        kind = "sqlite" if target.endswith("sqlite") else "postgresql"
        url = our_database(kind, tmp, args.pg_db)
        world = harness.seed_world(url, tmp)
        if target.startswith("raw"):
            for size in sizes:
                for _ in range(args.runs):
                    variants = [(False, False, target), (True, False, target + "-1tx")]
                    if kind == "postgresql":
                        variants.append((False, True, target + "-copy"))
                    for per_visit, copy, name in variants:
                        batches = batches_for(visits_for(world["markets"]), size)
                        timed(name, size, None, lambda b=batches, p=per_visit, c=copy:
                              push_raw(url, tmp, world, b, p, c))
            return rates
        root = args.baseline_root if target.startswith("base") else harness.ROOT
        with our_server(url, tmp, root=root) as (base, pid):
            for size in sizes:
                for _ in range(args.runs):
                    batches = batches_for(visits_for(world["markets"]), size)
                    timed(target, size, pid, lambda b=batches: push_ours(base, world, b))
        return rates
    markets = list(range(1, 21))
    if target.startswith("kinto"):
        from peer_servers import kinto_server

        backend = "memory" if target == "kinto-mem" else "postgresql"
        with kinto_server(backend, args.kinto_pg_db, batch=max(sizes)) as (base, session, pid):
            for size in sizes:
                for _ in range(args.runs):
                    batches = batches_for(visits_for(markets), size)
                    timed(target, size, pid, lambda b=batches: push_kinto(base, session, b))
        return rates
    from peer_servers import pouchdb_server

    with pouchdb_server(in_memory=target == "pouch-mem") as (db_url, session, pid):
        for size in sizes:
            for _ in range(args.runs):
                batches = batches_for(visits_for(markets), size)
                timed(target, size, pid, lambda b=batches: push_pouch(db_url, session, b))
    return rates


def print_table(rates, sizes):
    names = []
    for name, _ in rates:
        if name not in names:
            names.append(name)

    def rate(name, size):
        return median([r for r, _ in rates.get((name, size), [])])

    def cpu(name, size):
        values = [c for _, c in rates.get((name, size), []) if c is not None]
        return f"{median(values):.2f}" if values else "-"

    print()
    print("| target | " + " | ".join(f"batch {s}: visits/s" for s in sizes) + " | "
          + " | ".join(f"batch {s}: server CPU ms/visit" for s in sizes) + " | runs (visits/s) |")
    print("| --- | " + " | ".join("---:" for _ in sizes * 2) + " | --- |")
    for name in names:
        cells = [f"{rate(name, s):,.0f}" for s in sizes] + [cpu(name, s) for s in sizes]
        runs = "; ".join(" ".join(f"{r:,.0f}" for r, _ in rates.get((name, s), []))
                         for s in sizes)
        print(f"| {name} | " + " | ".join(cells) + f" | {runs} |")
    print()
    ours = [n for n in names if n.startswith("ours")]
    others = [n for n in names if not n.startswith("ours")]
    if ours and others:
        print("ratios: ours / other (median visits/s, same batch size)")
        print("| ours | other | " + " | ".join(f"batch {s}" for s in sizes) + " |")
        print("| --- | --- | " + " | ".join("---:" for _ in sizes) + " |")
        for mine in ours:
            for other in others:
                cells = []
                for s in sizes:
                    a, b = rate(mine, s), rate(other, s)
                    cells.append(f"{a / b:.2f}×" if b else "-")
                print(f"| {mine} | {other} | " + " | ".join(cells) + " |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    # 2000: with 500 a batch-500 run is one push, and PouchDB's first writes are slow
    parser.add_argument("--visits", type=int, default=2000, help="visits per run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--batches", default="100,500")
    parser.add_argument("--targets", default=",".join(ALL_TARGETS))
    parser.add_argument("--pg-db", default="chx_bench_ours")
    parser.add_argument("--kinto-pg-db", default="chx_bench_kinto")
    parser.add_argument("--baseline", metavar="REV",
                        help="also push to the server as of git commit REV (targets base-sqlite, "
                             "base-pg): before/after a change, in the same run")
    args = parser.parse_args()
    sizes = [int(s) for s in args.batches.split(",")]
    targets = [t for t in args.targets.split(",") if t]
    unknown = set(targets) - set(ALL_TARGETS)
    if unknown:
        parser.error(f"unknown targets {sorted(unknown)}; choose from {ALL_TARGETS}")
    keep = tempfile.TemporaryDirectory(prefix="chx-bench-baseline-")
    if args.baseline:
        args.baseline_root = harness.export_baseline(args.baseline, Path(keep.name))
        at = targets.index("ours-pg") + 1 if "ours-pg" in targets else len(targets)
        targets[at:at] = ["base-sqlite", "base-pg"]
    print(f"push ingest: {args.visits} visits per run, {args.runs} runs, batches {sizes}, "
          f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    rates = {}
    for target in targets:
        with tempfile.TemporaryDirectory(prefix="chx-bench-push-") as tmp:
            started = time.perf_counter()
            rates.update(run_target(target, args, sizes, Path(tmp)))
            print(f"  {target}: done in {time.perf_counter() - started:.0f} s", flush=True)
    print_table(rates, sizes)
    keep.cleanup()


if __name__ == "__main__":
    main()
