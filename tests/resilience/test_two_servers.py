"""Two gunicorn servers on one PostgreSQL (DESIGN §10): 50 phones of 6 inspectors and 2 ward
officers sync through both, alternately, at once. Every phone ends up holding exactly the
server's visible set for its user: no gap, no duplicate, nothing lost."""

import threading

import pytest
import requests
from sqlalchemy import create_engine, text

from server.core.config import normalise_database_url
from syncclient.client import SyncClient
from tests.conftest import BACKEND
from tests.resilience.crashes import Phone, Stats, database_problems
from tests.resilience.live import DEMO, DEMO_PASSWORD

PHONES = 50
ROUNDS = 2
PASSWORD = "Rau sạch mỗi ngày 2024"
POSTGRES_ONLY = ("several server hosts on one database is the PostgreSQL deployment "
                 "(DESIGN §10); SQLite is the embedded, single-host default")


def add_users(server) -> list[tuple[str, str]]:
    """Five more inspectors in five units with markets today (the demo's wards and communes of
    1 July 2025, under the city), and a second ward officer, via the admin API."""
    engine = create_engine(normalise_database_url(server.env["DATABASE_URL"]))
    with engine.connect() as conn:
        districts = [row[0] for row in conn.execute(text(
            "SELECT DISTINCT m.org_unit_id FROM market m ORDER BY m.org_unit_id LIMIT 5"))]
    engine.dispose()
    admin = requests.post(f"{server.url}/api/v1/auth/token", timeout=30, json={
        "username": DEMO["admin"], "password": DEMO_PASSWORD, "device_id": "setup"}).json()
    headers = {"Authorization": f"Bearer {admin['token']}"}
    logins = [(DEMO["inspector"], DEMO_PASSWORD), (DEMO["ward_officer"], DEMO_PASSWORD)]
    for number, unit in enumerate(districts):
        for role in ("inspector",) + (("ward_officer",) if number == 0 else ()):
            name = f"{role[:4]}{number}"
            created = requests.post(f"{server.url}/api/v1/admin/users", headers=headers,
                                    timeout=30, json={"username": name, "role": role,
                                                      "org_unit_id": unit, "password": PASSWORD})
            assert created.status_code == 201, created.text
            logins.append((name, PASSWORD))
    return logins


@pytest.mark.postgres_only
@pytest.mark.skipif(BACKEND != "postgres", reason=POSTGRES_ONLY)
def test_50_phones_through_two_gunicorn_servers_converge(make_server, tmp_path):
    a = make_server("postgres", "a", gunicorn_workers=2).start()
    b = a.sibling(tmp_path / "b", gunicorn_workers=2)
    (tmp_path / "b").mkdir()
    b.start()
    urls = [a.url + "/api/v1", b.url + "/api/v1"]
    try:
        logins = add_users(a)
        stats = Stats()
        phones = []
        for index in range(PHONES):
            username, password = logins[index % len(logins)]
            phones.append(Phone(urls[index % 2], tmp_path / f"phone-{index}", stats, index,
                                username, password, max_attempts=6, base_delay=0.1,
                                timeout=(10, 60)))
        errors = []

        def run(index, phone):
            try:
                for round_ in range(ROUNDS + 1):
                    phone.client.http.api = urls[(index + round_) % 2]  # alternate servers
                    if round_ < ROUNDS and phone.client.records("market") and \
                            phone.username.startswith(("kiemtra", "insp")):
                        phone.record(2)
                    phone.client.sync()
            except Exception as exc:  # noqa: BLE001
                errors.append(f"phone {index} ({phone.username}): {exc!r}")

        threads = [threading.Thread(target=run, args=(i, p)) for i, p in enumerate(phones)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        assert not errors, errors[:3]
        for phone in phones:  # everyone has now pushed: one more pull each, through either
            phone.client.http.api = urls[phones.index(phone) % 2 - 1]
            phone.client.sync()

        recorded = [v for p in phones for v in p.recorded]
        assert len(recorded) == stats.recorded > 0
        assert database_problems(a.env["DATABASE_URL"], a.attachments_dir(), recorded) == []
        by_user = {}
        for phone in phones:
            assert not phone.client.outbox and not phone.client.problems
            by_user.setdefault(phone.username, []).append(phone.client.state())
        for username, replicas in by_user.items():
            fresh = SyncClient(urls[1], username, dict(logins)[username],
                               store_path=tmp_path / f"fresh-{username}")
            fresh.sync()
            assert all(r == fresh.state() for r in replicas), f"{username}: phones differ"
        mine = {p.username: set() for p in phones}
        for phone in phones:
            mine[phone.username] |= set(phone.recorded)
        for phone in phones:
            visits = {k[1] for k in phone.client.state() if k[0] == "visit"}
            if phone.username.startswith(("kiemtra", "insp")):
                assert visits == mine[phone.username]
        print(f"{PHONES} phones, {len(by_user)} users, {len(recorded)} visits, "
              f"{stats.failed_syncs} failed syncs: converged")
    finally:
        b.stop(hard=True)
