"""Benchmark: pull at scale on PostgreSQL — a full pull, and 100 new changes in a big database.

1. Incremental pull versus database size (DESIGN §5.2: "cost grows with the number of changes
   returned, not with the size of the database"). Ward HBT-2's officer holds a cursor; its
   inspector pushes 100 new visits through the real push; the officer pulls them (timed, one
   request, limit 500; one untimed round first). Repeated --rounds times with 10,000 visits in
   the database, then again after growing it to 1,000,000; the ratio of the medians is the
   answer (aim ≤ 1.5).
2. Full pull of 100,000 visits, changes/s (between the two stages above, at 100,000 visits):
   ours (the city officer pulls from no cursor, pages of 1000, until has_more is false) versus
   Kinto 26 on PostgreSQL (records listing, _sort=last_modified — its changes feed —, pages of
   1000 following Next-Page) and PouchDB Server on disk (_changes?include_docs=true, pages of
   1000). Every document is the same visit shape.

The big tables are bulk-loaded with set-based SQL (INSERT … SELECT generate_series), not the
HTTP API: visit, visit_attachment (one photo each) and change_log for ours, Kinto's `objects`
for Kinto; PouchDB has no SQL, so it is loaded through _bulk_docs (5000 a request, untimed).
Servers: gunicorn, 1 worker, on loopback, started and stopped here.

    .venv/bin/python bench/pull_scale.py
    .venv/bin/python bench/pull_scale.py --small 10000 --big 1000000 --full 100000 --rounds 5
    .venv/bin/python bench/pull_scale.py --skip-peers
    .venv/bin/python bench/pull_scale.py --baseline ab1028e   # also the code of commit ab1028e

--baseline REV also serves each stage with our server as of commit REV (git archive of it, this
checkout's .venv), on the same database right after the current code: before and after in one
run. --full-runs N: full pulls per server (the median counts).

Databases (EMPTIED; created if missing): --pg-db chx_bench_ours, --kinto-pg-db chx_bench_kinto.
"""

import argparse
import gc
import json
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
import orjson  # noqa: E402
from harness import login, median, mutations, our_database, our_server, phone_visits  # noqa: E402

CHUNK = 100_000  # rows per INSERT … SELECT
NOTE = "Khu hàng thịt vẫn dùng túi nilon đen."


# --- bulk loading ------------------------------------------------------------------------


def answers_sql(n: str) -> str:
    """A valid answers object as SQL (jsonb), varied by the integer expression n (for a
    query with parameters: % is written %%)."""
    return f"""jsonb_build_object(
        'stalls_total', 20 + {n} %% 200,
        'stalls_using_nondegradable', CASE WHEN {n} %% 2 = 0 THEN 0 ELSE 1 + {n} %% 7 END,
        'alternatives', '["paper_bag", "leaf_wrap"]'::jsonb,
        'signage_present', {n} %% 3 <> 0, 'outreach_held', {n} %% 2 = 0, 'notes', '{NOTE}')"""


def load_ours(url: str, start: int, stop: int, world: dict) -> float:
    """Visits start..stop-1 of inspector insp1 in ward HBT-1's markets, each with one photo
    reference and its change-log row (under the sequence lock, as every writer)."""
    import psycopg

    began = time.perf_counter()
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as conn:
        for low in range(start, stop, CHUNK):
            high = min(stop, low + CHUNK)
            conn.execute("SELECT pg_advisory_xact_lock(2930404)")
            conn.execute(f"""
                WITH v AS (
                  INSERT INTO visit (id, rev, market_id, inspector_id, device_id, form_version,
                    observed_at, observed_offset_min, received_at, updated_at, answers,
                    location_lat, location_lon, location_accuracy_m, distance_m, status,
                    compliant)
                  SELECT gen_random_uuid()::text, 1, (%(markets)s::int[])[1 + n %% %(m)s],
                    %(inspector)s, 'bulk-load', '2023.1',
                    timestamp '2023-01-01' + n * interval '17 seconds', 420,
                    now() at time zone 'utc', now() at time zone 'utc',
                    ({answers_sql('n')})::json, 21.02, 105.85, 12.0, 35.5,
                    'submitted', n %% 2 = 0
                  FROM generate_series(%(low)s, %(high)s - 1) AS n
                  RETURNING id, market_id, inspector_id
                ), photos AS (
                  INSERT INTO visit_attachment (visit_id, position, sha256)
                  SELECT id, 0, encode(sha256(convert_to(id, 'UTF8')), 'hex') FROM v
                ), arrived AS (  -- the photos' bytes arrived (rows only: pull reads no bytes)
                  INSERT INTO attachment (sha256, content_type, size, uploaded_by, stored_at)
                  SELECT encode(sha256(convert_to(id, 'UTF8')), 'hex'), 'image/jpeg', 150000,
                         inspector_id, now() at time zone 'utc' FROM v
                )
                INSERT INTO change_log (entity, entity_id, op, rev, org_unit_id, owner_id,
                                        changed_at)
                SELECT 'visit', v.id, 'upsert', 1, %(ward)s, v.inspector_id,
                       now() at time zone 'utc'
                FROM v""", {"markets": world["markets"], "m": len(world["markets"]),
                            "inspector": world["inspectors"][0], "ward": world["ward"],
                            "low": low, "high": high})
            conn.commit()
    store_renderings(url)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
        conn.execute("CHECKPOINT")  # the load's dirty pages written now, not while we measure
    return time.perf_counter() - began


def store_renderings(url: str) -> None:
    """What the writers store in visit.rendered (server/sync/render.py: stored_rendering)
    for the visits loaded by SQL, which no writer saw: pull's own SQL rendering of each, in
    one UPDATE (the same meaning; the writers' orjson text differs only in number spelling)."""
    import os

    from sqlalchemy import update

    from server import create_app
    from server.core.extensions import db
    from server.models import Visit
    from server.sync import render

    workdir = Path(os.environ.get("TMPDIR", "/tmp"))
    app = create_app({"DATABASE_URL": url, "INSTANCE_DIR": str(workdir)})
    with app.app_context():
        built = render._visit_statement().where(Visit.rendered.is_(None)).subquery()
        db.session.execute(update(Visit).where(Visit.id == built.c.id)
                           .values(rendered=list(built.c)[-1]))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def load_kinto(pg_db: str, count: int) -> float:
    import psycopg
    from peer_servers import BUCKET, COLLECTION

    began = time.perf_counter()
    with psycopg.connect(harness.pg_url(pg_db)) as conn:
        conn.execute("ALTER TABLE objects DISABLE TRIGGER tgr_objects_last_modified")
        for low in range(0, count, CHUNK):
            high = min(count, low + CHUNK)
            conn.execute(f"""
                INSERT INTO objects (id, parent_id, resource_name, last_modified, data, deleted)
                SELECT u.id, %(parent)s, 'record',
                       timestamp '2026-01-01' + n * interval '1 millisecond',
                       jsonb_build_object('id', u.id, 'market_id', 1 + n %% 20,
                         'form_version', '2023.1',
                         'observed_at', to_char(timestamp '2023-01-01' + n * interval
                                                '17 seconds', 'YYYY-MM-DD"T"HH24:MI:SS+07:00'),
                         'answers', {answers_sql('n')},
                         'location', '{{"lat": 21.02, "lon": 105.85, "accuracy_m": 12}}'::jsonb,
                         'attachments', jsonb_build_array(encode(sha256(convert_to(u.id,
                                                                 'UTF8')), 'hex'))),
                       false
                FROM (SELECT n, gen_random_uuid()::text AS id
                      FROM generate_series(%(low)s, %(high)s - 1) AS n) AS u
                """,
                {"parent": f"/buckets/{BUCKET}/collections/{COLLECTION}", "low": low,
                 "high": high})
        conn.execute("ALTER TABLE objects ENABLE TRIGGER tgr_objects_last_modified")
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")
    return time.perf_counter() - began


def load_pouch(db_url: str, session, count: int) -> float:
    began = time.perf_counter()
    for low in range(0, count, 5000):
        docs = []
        for v in phone_visits(min(5000, count - low), list(range(1, 21)), seed=low):
            doc = harness.wire(v)
            docs.append({"_id": doc.pop("id"), **doc})
        answer = session.post(db_url + "/_bulk_docs", data=json.dumps({"docs": docs}),
                              headers={"Content-Type": "application/json"})
        assert answer.status_code == 201, answer.text[:300]
    return time.perf_counter() - began


# --- pulling -----------------------------------------------------------------------------


PARSING = {"seconds": 0.0}  # the client's own JSON decoding, inside the timed pulls


def settled_heap() -> None:
    """Before a timed full pull: the bench process's own objects (the app it built to load
    and seed, the peers' modules: ~130,000) moved out of the garbage collector's reach. Else
    every collection that the decoded answers' many containers trigger walks them too: on a
    page of 1000 of our changes, orjson.loads took 9.5 ms of CPU with them, 3.7 without
    (measured); the client's own heap was weighing on every server's figure, most on the
    answers with the most objects. Every server's pull gets the same client."""
    gc.collect()
    gc.freeze()


def decoded(answer):
    """The answer's JSON, decoded by orjson for every server alike (requests' .json() is the
    standard library's decoder, ~2-3x slower: it capped what the bench could measure)."""
    began = time.perf_counter()
    body = orjson.loads(answer.content)
    PARSING["seconds"] += time.perf_counter() - began
    return body


def full_pull_ours(base: str) -> tuple[int, int, float]:
    """(changes, visits, seconds) of the city officer's pull from no cursor."""
    session = login(base, "city", "bench-city")
    changes = visits = 0
    cursor = None
    settled_heap()
    began = time.perf_counter()
    while True:
        params = {"limit": 1000, **({"cursor": cursor} if cursor else {})}
        answer = session.get(base + "/api/v1/sync/pull", params=params)
        assert answer.status_code == 200, answer.text[:300]
        body = decoded(answer)
        changes += len(body["changes"])
        visits += sum(1 for c in body["changes"] if c["entity"] == "visit")
        cursor = body["cursor"]
        if not body["has_more"]:
            return changes, visits, time.perf_counter() - began


def full_pull_kinto(base: str, session) -> tuple[int, float]:
    from peer_servers import kinto_records_path

    url = f"{base}{kinto_records_path()}?_sort=last_modified&_limit=1000"
    records = 0
    settled_heap()
    began = time.perf_counter()
    while url:
        answer = session.get(url)
        assert answer.status_code == 200, answer.text[:300]
        records += len(decoded(answer)["data"])
        url = answer.headers.get("Next-Page")
    return records, time.perf_counter() - began


def full_pull_pouch(db_url: str, session) -> tuple[int, float]:
    since, docs = 0, 0
    settled_heap()
    began = time.perf_counter()
    while True:
        answer = session.get(db_url + "/_changes",
                             params={"include_docs": "true", "limit": 1000, "since": since})
        assert answer.status_code == 200, answer.text[:300]
        body = decoded(answer)
        docs += len(body["results"])
        if not body["results"]:
            return docs, time.perf_counter() - began
        since = body["last_seq"]


def incremental_rounds(base: str, world: dict, rounds: int, seed: int) -> list[float]:
    """Seconds of each pull of 100 new changes by ward HBT-2's officer."""
    officer = login(base, "wardB", f"bench-wardB-{seed}")
    inspector = login(base, "inspB", f"bench-inspB-{seed}")
    cursor = None
    while True:  # the officer's phone is up to date: a cursor at the end of the log
        params = {"limit": 1000, **({"cursor": cursor} if cursor else {})}
        body = officer.get(base + "/api/v1/sync/pull", params=params).json()
        cursor = body["cursor"]
        if not body["has_more"]:
            break
    seconds = []
    for r in range(-1, rounds):  # round -1 warms up (caches, connections) and is not counted
        batch = mutations(phone_visits(100, world["markets_b"], seed=seed * 1000 + r + 1))
        answer = inspector.post(base + "/api/v1/sync/push",
                                json={"device_id": "bench-inspB", "mutations": batch})
        assert {x["status"] for x in answer.json()["results"]} == {"applied"}
        began = time.perf_counter()
        answer = officer.get(base + "/api/v1/sync/pull", params={"limit": 500, "cursor": cursor})
        body = answer.json()
        if r >= 0:
            seconds.append(time.perf_counter() - began)
        assert answer.status_code == 200 and not body["has_more"], answer.text[:300]
        got = {c["id"] for c in body["changes"] if c["entity"] == "visit"}
        assert got == {m["data"]["id"] for m in batch}, f"{len(got)} of 100 new visits pulled"
        cursor = body["cursor"]
    return seconds


def servers(args) -> list[tuple[str, Path]]:
    """(name, code root) of each of our servers to measure: this checkout, then the baseline."""
    return [("ours", harness.ROOT)] + ([("base", args.baseline_root)] if args.baseline else [])


def count_visits(url: str) -> int:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        return conn.execute("SELECT count(*) FROM visit").fetchone()[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--big", type=int, default=1_000_000)
    parser.add_argument("--full", type=int, default=100_000, help="visits in the full pull")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--skip-peers", action="store_true")
    parser.add_argument("--pg-db", default="chx_bench_ours")
    parser.add_argument("--kinto-pg-db", default="chx_bench_kinto")
    parser.add_argument("--baseline", metavar="REV", help="also measure our code as of REV")
    parser.add_argument("--full-runs", type=int, default=1)
    args = parser.parse_args()
    assert args.small <= args.full <= args.big
    print(f"pull scale: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, PostgreSQL")
    out = {}
    with tempfile.TemporaryDirectory(prefix="chx-bench-pull-") as tmp:
        tmp = Path(tmp)
        if args.baseline:
            args.baseline_root = harness.export_baseline(args.baseline, tmp)
        url = our_database("postgresql", tmp, args.pg_db)
        world = harness.seed_world(url, tmp)

        def incremental(stage, seed):
            for n, (name, root) in enumerate(servers(args)):
                with our_server(url, tmp, root=root) as (base, _):
                    runs = incremental_rounds(base, world, args.rounds, seed * 10 + n)
                out.setdefault(stage, {})[name] = runs
                print(f"  {name}: 100 new changes at {count_visits(url):,} visits: "
                      f"{[round(s * 1000, 1) for s in runs]} ms", flush=True)

        seconds = load_ours(url, 0, args.small, world)
        print(f"  loaded {args.small:,} visits in {seconds:.1f} s", flush=True)
        incremental("small", 1)
        out["sizes"] = [count_visits(url)]
        seconds = load_ours(url, args.small, args.full, world)
        print(f"  grown to {count_visits(url):,} visits in {seconds:.1f} s", flush=True)
        for _ in range(args.full_runs):
            for name, root in servers(args):
                PARSING["seconds"] = 0.0
                with our_server(url, tmp, root=root) as (base, _):
                    changes, visits, seconds = full_pull_ours(base)
                out.setdefault("full", {}).setdefault(name, []).append((changes, seconds))
                print(f"  {name}: full pull {changes:,} changes ({visits:,} visits) in "
                      f"{seconds:.1f} s, of which the client decoding JSON "
                      f"{PARSING['seconds']:.1f} s", flush=True)
        seconds = load_ours(url, args.full, args.big, world)
        print(f"  grown to {count_visits(url):,} visits in {seconds:.1f} s", flush=True)
        out["sizes"].append(count_visits(url))
        incremental("big", 2)
    if not args.skip_peers:
        from peer_servers import kinto_server, pouchdb_server

        with kinto_server("postgresql", args.kinto_pg_db, page=1000) as (base, session, _):
            seconds = load_kinto(args.kinto_pg_db, args.full)
            print(f"  kinto: loaded {args.full:,} records in {seconds:.1f} s", flush=True)
            PARSING["seconds"] = 0.0
            out["kinto"] = full_pull_kinto(base, session)
        print(f"  kinto: full pull {out['kinto'][0]:,} in {out['kinto'][1]:.1f} s, of which "
              f"the client decoding JSON {PARSING['seconds']:.1f} s", flush=True)
        with pouchdb_server(in_memory=False) as (db_url, session, _):
            seconds = load_pouch(db_url, session, args.full)
            print(f"  pouchdb: loaded {args.full:,} docs in {seconds:.1f} s", flush=True)
            PARSING["seconds"] = 0.0
            out["pouch"] = full_pull_pouch(db_url, session)
        print(f"  pouchdb: full pull {out['pouch'][0]:,} in {out['pouch'][1]:.1f} s, of which "
              f"the client decoding JSON {PARSING['seconds']:.1f} s", flush=True)
    report(out)


def report(out):
    print()
    print("| full pull of the visits | items | seconds (median) | items/s |")
    print("| --- | ---: | ---: | ---: |")
    names = {"ours": "ours: /sync/pull, city officer, limit 1000 (all changes)",
             "base": "baseline: /sync/pull, same"}
    rates = {}
    rows = [(names[n], runs[0][0], median([s for _, s in runs])) for n, runs in out["full"].items()]
    if "kinto" in out:
        rows.append(("Kinto (PostgreSQL): records, _sort=last_modified, _limit=1000",
                     *out["kinto"]))
        rows.append(("PouchDB Server (disk): _changes include_docs, limit 1000", *out["pouch"]))
    for name, items, secs in rows:
        rates[name] = items / secs
        print(f"| {name} | {items:,} | {secs:.1f} | {items / secs:,.0f} |")
    ours = rates[names["ours"]]
    ratios = [f"ours/{label} {ours / rates[name]:.2f}×" for label, name in
              (("baseline", names["base"]), ("Kinto", rows[-2][0] if "kinto" in out else None),
               ("PouchDB", rows[-1][0] if "kinto" in out else None)) if name in rates]
    print("ratios: " + ", ".join(ratios))
    print()
    print("| 100 new changes, one pull (ward officer) | server | median ms | each run (ms) |")
    print("| --- | --- | ---: | --- |")
    for key, size in zip(("small", "big"), out["sizes"], strict=True):
        for name, runs in out[key].items():
            each = " ".join(f"{s * 1000:.1f}" for s in runs)
            print(f"| ~{size:,} visits in the database | {name} | {median(runs) * 1000:.1f} "
                  f"| {each} |")
    for name in out["small"]:
        ratio = median(out["big"][name]) / median(out["small"][name])
        print(f"{name}: ratio big/small {ratio:.2f} (aim ≤ 1.5)")


if __name__ == "__main__":
    main()
