"""Benchmark: indicator 4.4 at city scale on PostgreSQL (docs/PERFORMANCE.md).

Generates N markets (default 10,000) in 30 districts × 20 wards and V visits (default
1,000,000) over 2023 with one review decision per decided visit, all with set-based
INSERT … SELECT generate_series (no ORM loop), on a schema built by the real migrations.
Then it times:
  - a full recompute of a period's snapshot (the city and all 631 units, every market's item):
    the year 2023, a quarter and a month; median of --runs;
  - the dashboard read from a snapshot, through the Flask test client with a real bearer
    token: GET /indicator for the city and a district, /indicator/markets for a ward and a
    district, /indicator/trend; median and p95 of --requests each;
  - the live indicator (server/indicator/live.py): with every 2023 period computed (29
    provisional snapshots), pushes of --batch review decisions by a district's officer and of
    --batch edits of returned visits by their inspectors, through POST /sync/push, with the
    hook and without it (unsubscribed), alternated in one run; median of --rounds each, and
    the hook's own time. Then the snapshots are checked against a full recompute.

    createdb -h 127.0.0.1 -U postgres chx_indbench
    .venv/bin/python bench/indicator_scale.py                       # generate, then measure
    .venv/bin/python bench/indicator_scale.py --reuse               # measure existing data

The database is EMPTIED first (DROP SCHEMA public CASCADE) unless --reuse: give it a scratch one.
"""

import argparse
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import text  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from server import create_app  # noqa: E402
from server.core.extensions import db  # noqa: E402
from server.core.periods import parse_period  # noqa: E402
from server.indicator.snapshots import compute  # noqa: E402
from server.sync import changes  # noqa: E402

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/chx_indbench"
PASSWORD = "bench password"
DISTRICTS, WARDS_PER_DISTRICT, INSPECTORS = 30, 20, 60

GENERATE = [
    # org units: the city, 30 districts, 600 wards (ids 1, 2..31, 32..631)
    "INSERT INTO org_unit (id, code, name, level, parent_id, rev, updated_at) "
    "VALUES (1, 'HN', 'Thành phố Hà Nội', 'city', NULL, 1, now())",
    "INSERT INTO org_unit (id, code, name, level, parent_id, rev, updated_at) "
    "SELECT 1 + d, 'D' || lpad(d::text, 2, '0'), 'Quận ' || d, 'district', 1, 1, now() "
    "FROM generate_series(1, :districts) d",
    "INSERT INTO org_unit (id, code, name, level, parent_id, rev, updated_at) "
    "SELECT 1 + :districts + w, 'W' || lpad(w::text, 3, '0'), 'Phường ' || w, 'ward', "
    "2 + (w - 1) / :wards_per_district, 1, now() FROM generate_series(1, :ward_count) w",
    "SELECT setval(pg_get_serial_sequence('org_unit', 'id'), (SELECT max(id) FROM org_unit))",
    # users: inspectors, one reviewer per district, a city officer
    "INSERT INTO app_user (username, display_name, role, org_unit_id, password_hash, active, "
    "created_at) SELECT 'insp' || i, 'Cán bộ kiểm tra ' || i, 'inspector', 1, :hash, true, now() "
    "FROM generate_series(1, :inspectors) i",
    "INSERT INTO app_user (username, display_name, role, org_unit_id, password_hash, active, "
    "created_at) SELECT 'ward' || d, 'Cán bộ quận ' || d, 'ward_officer', 1 + d, :hash, true, "
    "now() FROM generate_series(1, :districts) d",
    "INSERT INTO app_user (username, display_name, role, org_unit_id, password_hash, active, "
    "created_at) VALUES ('city', 'Sở Công Thương', 'city_officer', 1, :hash, true, now())",
    # markets: spread over the wards; 2 % opened during 2023, 1 % closed in 2022
    "INSERT INTO market (code, name, org_unit_id, lat, lon, market_class, opened_on, closed_on, "
    "rev, updated_at) SELECT 'M' || lpad(m::text, 5, '0'), 'Chợ ' || m, "
    "2 + :districts + (m % :ward_count), 21.0 + (m % 100) / 1000.0, 105.8 + (m % 97) / 1000.0, "
    "(ARRAY['1','2','3','3','3','3','unclassified'])[1 + m % 7], "
    "CASE WHEN m % 50 = 0 THEN date '2023-07-01' ELSE date '2000-01-01' END, "
    "CASE WHEN m % 100 = 1 THEN date '2022-06-30' END, 1, now() "
    "FROM generate_series(1, :markets) m",
    # visits over local 2023 (UTC 2022-12-31 17:00 + up to 365 days): 85 % approved,
    # 5 % submitted, 5 % returned, 5 % rejected; 70 % compliant
    "INSERT INTO visit (id, rev, market_id, inspector_id, device_id, form_version, observed_at, "
    "observed_offset_min, received_at, updated_at, answers, status, compliant) "
    "SELECT md5(g::text)::uuid::text, CASE WHEN g % 100 BETWEEN 85 AND 89 THEN 1 ELSE 2 END, "
    "(SELECT min(id) FROM market) + (g::bigint * 7919) % :markets, "
    "(SELECT min(id) FROM app_user) + g % :inspectors, 'bench', '2023.1', "
    "timestamp '2022-12-31 17:00' + ((g::bigint * 9973) % 31536000) * interval '1 second', "
    "420, now(), now(), "
    "json_build_object('stalls_total', 40, 'stalls_using_nondegradable', "
    "CASE WHEN (g * 31) % 100 < 70 THEN 0 ELSE 3 END), "
    "CASE WHEN g % 100 < 85 THEN 'approved' WHEN g % 100 < 90 THEN 'submitted' "
    "WHEN g % 100 < 95 THEN 'returned' ELSE 'rejected' END, (g * 31) % 100 < 70 "
    "FROM generate_series(1, :visits) g",
    "INSERT INTO review_decision (visit_id, decision, comment, reviewer_id, decided_at, "
    "visit_rev) SELECT v.id, CASE v.status WHEN 'approved' THEN 'approve' WHEN 'returned' "
    "THEN 'return' ELSE 'reject' END, CASE WHEN v.status <> 'approved' THEN 'Lý do' END, "
    "(SELECT min(id) FROM app_user WHERE role = 'ward_officer'), "
    "v.observed_at + interval '26 hours', 2 FROM visit v WHERE v.status <> 'submitted' "
    "ORDER BY v.observed_at",
]


def generate(app, markets: int, visits: int) -> None:
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        upgrade()
        params = {"districts": DISTRICTS, "wards_per_district": WARDS_PER_DISTRICT,
                  "ward_count": DISTRICTS * WARDS_PER_DISTRICT, "inspectors": INSPECTORS,
                  "markets": markets, "visits": visits,
                  "hash": generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")}
        started = time.perf_counter()
        with db.engine.begin() as conn:
            for statement in GENERATE:
                conn.execute(text(statement), params)
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
        print(f"generated {markets} markets, {visits} visits in "
              f"{time.perf_counter() - started:.0f} s")


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def recompute(app, runs: int) -> dict:
    results = {}
    with app.app_context():
        for period_id in ("2023", "2023-Q2", "2023-06"):
            period = parse_period(period_id)
            times = [timed(lambda p=period: compute(p)) for _ in range(runs)]
            results[period_id] = times
            print(f"recompute {period_id:8} runs {', '.join(f'{t:.2f}' for t in times)} s; "
                  f"median {statistics.median(times):.2f} s")
    return results


def latency(app, requests: int) -> None:
    client = app.test_client()
    with app.app_context():
        token = client.post("/api/v1/auth/token", json={
            "username": "city", "password": PASSWORD, "device_id": "bench"}).get_json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        for month in range(1, 13):  # the trend reads the twelve monthly snapshots
            compute(parse_period(f"2023-{month:02d}"))
        cases = [
            ("GET /indicator (city, 2023)", "/api/v1/indicator", {"period": "2023"}),
            ("GET /indicator (district, 2023)", "/api/v1/indicator",
             {"period": "2023", "org_unit": "D07"}),
            ("GET /indicator/markets (ward, 2023)", "/api/v1/indicator/markets",
             {"period": "2023", "org_unit": "W123"}),
            ("GET /indicator/markets (district, 2023)", "/api/v1/indicator/markets",
             {"period": "2023", "org_unit": "D07"}),
            ("GET /indicator/trend (city, 2023)", "/api/v1/indicator/trend", {"year": "2023"}),
        ]
        for label, path, query in cases:
            samples = []
            for _ in range(requests):
                started = time.perf_counter()
                response = client.get(path, query_string=query, headers=headers)
                samples.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.get_json()
            samples.sort()
            p95 = samples[int(0.95 * (len(samples) - 1))]
            print(f"{label:42} median {statistics.median(samples):6.1f} ms, "
                  f"p95 {p95:6.1f} ms ({requests} requests)")


LIVE_SELECT = (
    "SELECT v.id, v.rev, v.market_id, u.username FROM visit v JOIN market m ON m.id = v.market_id "
    "JOIN org_unit w ON w.id = m.org_unit_id JOIN app_user u ON u.id = v.inspector_id "
    "WHERE v.status = :status AND w.parent_id = :district ORDER BY v.id LIMIT :n")
# The district with the most visits awaiting review (earlier runs decided some).
BUSIEST = ("SELECT w.parent_id FROM visit v JOIN market m ON m.id = v.market_id JOIN org_unit w "
           "ON w.id = m.org_unit_id WHERE v.status = 'submitted' GROUP BY w.parent_id "
           "ORDER BY count(*) DESC LIMIT 1")
ANSWERS = {"stalls_total": 40, "stalls_using_nondegradable": 0, "alternatives": ["paper_bag"],
           "signage_present": True, "outreach_held": True}


def _push(client, headers, mutations) -> float:
    started = time.perf_counter()
    response = client.post("/api/v1/sync/push", headers=headers,
                           json={"device_id": "bench", "mutations": mutations})
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, response.get_json()
    results = response.get_json()["results"]
    assert all(r["status"] == "applied" for r in results), results[:2]
    return elapsed


def _token(client, username: str) -> dict:
    token = client.post("/api/v1/auth/token", json={
        "username": username, "password": PASSWORD, "device_id": "bench"}).get_json()["token"]
    return {"Authorization": f"Bearer {token}"}


def live(app, rounds: int, batch: int) -> None:
    """Push cost with and without the live indicator's hook (alternated), and the hook's."""
    from server.indicator.live import on_changes

    client = app.test_client()
    hook_ms: list[float] = []

    def timed_hook(rows):
        started = time.perf_counter()
        on_changes(rows)
        hook_ms.append((time.perf_counter() - started) * 1000)

    handlers = changes._subscribers[changes.CHANGE_ROWS]
    with app.app_context():
        periods = ["2023", *(f"2023-Q{q}" for q in range(1, 5)),
                   *(f"2023-{m:02d}" for m in range(1, 13)),
                   *(f"2023-YTD{m:02d}" for m in range(1, 13))]
        for period_id in periods:
            compute(parse_period(period_id))
        district = db.session.scalar(text(BUSIEST))
        ward = _token(client, f"ward{district - 1}")  # ward<d> is unit 1 + d
        n = rounds * batch * 2
        submitted = db.session.execute(
            text(LIVE_SELECT), {"status": "submitted", "n": n, "district": district}).all()
        returned = db.session.execute(
            text(LIVE_SELECT), {"status": "returned", "n": n, "district": district}).all()
        # Pushed visits have their versions (migration 0007 gave every older visit one at rev
        # 1); the generated ones have none, which would send the hook down its fallback.
        db.session.execute(text(
            "INSERT INTO visit_version (visit_id, rev, inspector_id, device_id, received_at, "
            "data) SELECT v.id, 1, v.inspector_id, 'bench', now(), json_build_object("
            "'market_id', v.market_id, 'observed_at', to_char(v.observed_at, "
            "'YYYY-MM-DD\"T\"HH24:MI:SS\"+00:00\"'), 'answers', v.answers) FROM visit v "
            "WHERE v.id = ANY(:ids) AND NOT EXISTS (SELECT 1 FROM visit_version x "
            "WHERE x.visit_id = v.id)"), {"ids": [v.id for v in returned]})
        db.session.commit()
        tokens = {}
        for kind, visits in (("decide", submitted), ("edit", returned)):
            samples = {True: [], False: []}
            hook_ms.clear()
            for index in range(rounds * 2):
                with_hook = index % 2 == 0
                handlers[:] = [timed_hook] if with_hook else []
                chunk = visits[index * batch:(index + 1) * batch]
                if len(chunk) < batch:
                    break
                if kind == "decide":
                    mutations = [{"id": str(uuid.uuid4()), "type": "review.decide", "data": {
                        "visit_id": v.id, "base_rev": v.rev, "decision": "approve"}}
                        for v in chunk]
                    samples[with_hook].append(_push(client, ward, mutations))
                    continue
                by_inspector = {}
                for v in chunk:
                    by_inspector.setdefault(v.username, []).append(v)
                elapsed = 0.0
                for username, own in by_inspector.items():
                    headers = tokens.get(username) or tokens.setdefault(
                        username, _token(client, username))
                    elapsed += _push(client, headers, [{
                        "id": str(uuid.uuid4()), "type": "visit.upsert", "data": {
                            "id": v.id, "base_rev": v.rev, "market_id": v.market_id,
                            "form_version": "2023.1",
                            "observed_at": "2023-06-15T09:00:00+07:00", "answers": ANSWERS,
                            "location": None, "attachments": []}} for v in own])
                samples[with_hook].append(elapsed)
            handlers[:] = [on_changes]
            on, off = (statistics.median(samples[k]) for k in (True, False))
            print(f"push of {batch} {kind:7} with the live hook median {on:7.1f} ms, without "
                  f"{off:7.1f} ms (x{on / off:.2f}); the hook itself median "
                  f"{statistics.median(hook_ms):.1f} ms ({rounds} rounds each)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--markets", type=int, default=10_000)
    parser.add_argument("--visits", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--reuse", action="store_true", help="keep the data already there")
    parser.add_argument("--rounds", type=int, default=5, help="live indicator: pushes each")
    parser.add_argument("--batch", type=int, default=100, help="live indicator: mutations")
    parser.add_argument("--only-live", action="store_true", help="skip recompute and reads")
    args = parser.parse_args()
    app = create_app({"DATABASE_URL": args.database_url})
    if not args.reuse:
        generate(app, args.markets, args.visits)
    if not args.only_live:
        recompute(app, args.runs)
        latency(app, args.requests)
    live(app, args.rounds, args.batch)


if __name__ == "__main__":
    main()
