"""Kill -9 a real server while phones push, restart it, resync, and check nothing was lost or
doubled. Shared by tests/resilience/test_crash_loop.py (a few kills) and bench/crash_loop.py
(many).

Phones are syncclient.SyncClient instances of the demo inspector, each with its own durable
store, recording visits with a photo and syncing in a loop in their own threads. The killer
thread sends SIGKILL to the server's process group at random moments and restarts it."""

import hashlib
import random
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import requests
from sqlalchemy import create_engine, text

from server.core.config import normalise_database_url
from syncclient.client import SyncClient
from syncclient.simulate import fake_answers, fake_photo
from tests.resilience.live import DEMO, DEMO_PASSWORD, Server

HANOI = timezone(timedelta(hours=7))


class CountingSession(requests.Session):
    """Counts requests cut off mid-flight (the server died holding them) apart from those
    refused while it was down."""

    def __init__(self, stats):
        super().__init__()
        self.stats = stats

    def request(self, method, url, *args, **kwargs):
        if "/sync/push" in url:
            self.stats.push_sent.set()
        try:
            return super().request(method, url, *args, **kwargs)
        except requests.ConnectionError as exc:
            refused = "refused" in str(exc).lower()
            key = "refused" if refused else "interrupted"
            with self.stats.lock:
                setattr(self.stats, key, getattr(self.stats, key) + 1)
                if not refused and "/sync/push" in url:
                    self.stats.interrupted_pushes += 1
            raise


@dataclass
class Stats:
    kills: int = 0
    interrupted: int = 0
    interrupted_pushes: int = 0
    refused: int = 0
    failed_syncs: int = 0
    recorded: int = 0
    push_sent: threading.Event = field(default_factory=threading.Event, repr=False)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


class Phone:
    def __init__(self, url: str, store: Path, stats: Stats, seed: int,
                 username: str = DEMO["inspector"], password: str = DEMO_PASSWORD, **options):
        self.rng = random.Random(seed)
        options = {"max_attempts": 3, "base_delay": 0.05, "max_delay": 0.3, "timeout": (2, 15),
                   **options}
        self.client = SyncClient(url, username, password, store_path=store,
                                 session=CountingSession(stats), rng=random.Random(seed + 1),
                                 **options)
        self.username = username
        self.stats, self.recorded, self.seed = stats, [], seed

    def record(self, count: int) -> None:
        markets = [m for m in self.client.records("market") if not m.get("closed_on")]
        for _ in range(count):
            label = f"{self.seed}-{len(self.recorded)}-{self.rng.getrandbits(48):x}"
            visit_id = self.client.record_visit(
                self.rng.choice(markets)["id"], fake_answers(self.rng),
                observed_at=datetime.now(HANOI).replace(microsecond=0),
                photos=[fake_photo(label)] if self.rng.random() < 0.4 else [])
            self.recorded.append(visit_id)
        with self.stats.lock:
            self.stats.recorded += count

    def try_sync(self) -> bool:
        try:
            self.client.sync()
            return True
        except Exception:  # noqa: BLE001  (the server is down or died mid-sync: try later)
            with self.stats.lock:
                self.stats.failed_syncs += 1
            return False


def run_crash_loop(server: Server, workdir: Path, kills: int, phones: int = 3, seed: int = 0,
                   pause=(0.3, 1.0), log=lambda message: None, pushes_cut: int = 0,
                   max_kills: int = 0) -> tuple[Stats, list[str]]:
    """Run `phones` phones while killing the server `kills` times; return the stats and the
    consistency problems found after a final clean sync (an empty list: nothing lost).

    A push is answered in a few milliseconds, so a kill aimed at one can still land after its
    answer: with `pushes_cut`, the loop goes on killing (up to `max_kills` in all) until that
    many pushes were cut off mid-flight."""
    stats, rng = Stats(), random.Random(seed)
    devices = [Phone(server.url, workdir / f"phone-{i}", stats, seed * 100 + i)
               for i in range(phones)]
    for device in devices:
        assert device.try_sync(), "the first sync (login, markets) failed"
    stop = threading.Event()

    def work(device: Phone) -> None:
        while not stop.is_set():
            if len(device.client.outbox) < 12:  # a phone in the field: a few visits per sync
                device.record(device.rng.randint(1, 6))
            if not device.try_sync():
                time.sleep(0.2)

    threads = [threading.Thread(target=work, args=(d,), daemon=True) for d in devices]
    for thread in threads:
        thread.start()
    while stats.kills < kills or (stats.interrupted_pushes < pushes_cut
                                  and stats.kills < max(max_kills, kills)):
        time.sleep(rng.uniform(*pause))
        stats.push_sent.clear()  # aim at a push: kill a few ms after the next one is sent
        stats.push_sent.wait(timeout=5)
        # every other kill within the push's first milliseconds (surely while the server holds
        # it), the others anywhere in 30 ms (also between its commit and its answer)
        time.sleep(rng.uniform(0, 0.004 if stats.kills % 2 == 0 else 0.03))
        server.kill9()
        stats.kills += 1
        time.sleep(rng.uniform(0, 0.3))
        server.start()
        log(f"kill {stats.kills}/{kills}: {stats.interrupted_pushes} pushes cut off so far")
    stop.set()
    for thread in threads:
        thread.join(timeout=120)
    log("phones stopped")
    for device in devices:  # the signal is back for good: every outbox drains
        for _ in range(5):
            if device.try_sync() and not device.client.outbox:
                break
    for device in devices:  # and every phone hears of the others' last visits
        device.try_sync()
    log("phones drained")
    return stats, problems(server, devices)


def problems(server: Server, devices: list[Phone]) -> list[str]:
    found = []
    recorded = [v for d in devices for v in d.recorded]
    for device in devices:
        if device.client.outbox:
            found.append(f"a phone still holds {len(device.client.outbox)} unsent mutations")
        if device.client.problems:
            found.append(f"a phone got conflicts/rejections: {device.client.problems[:2]}")
    found += database_problems(server.env["DATABASE_URL"], Path(server.env["ATTACHMENTS_DIR"]),
                               recorded)
    server_visits = {k: v for k, v in devices[0].client.state().items() if k[0] == "visit"}
    for device in devices[1:]:
        mine = {k: v for k, v in device.client.state().items() if k[0] == "visit"}
        if mine != server_visits:
            found.append("two phones of one inspector hold different visits after syncing")
    if {k[1] for k in server_visits} != set(recorded):
        found.append("a phone's replica is not the set of visits recorded")
    return found


def database_problems(database_url: str, attachments: Path, recorded: list[str]) -> list[str]:
    """Nothing lost, nothing doubled, nothing dangling — read straight from the database."""
    found = []
    engine = create_engine(normalise_database_url(database_url))
    with engine.connect() as conn:
        q = lambda sql: conn.execute(text(sql)).all()  # noqa: E731
        visits = {row[0]: row[1] for row in q("SELECT id, rev FROM visit")}
        if len(recorded) != len(set(recorded)):
            found.append("the phones made the same visit id twice")
        lost, extra = set(recorded) - set(visits), set(visits) - set(recorded)
        if lost:
            found.append(f"{len(lost)} recorded visits lost")
        if extra:
            found.append(f"{len(extra)} visits nobody recorded")
        if any(rev != 1 for rev in visits.values()):
            found.append("a visit was applied more than once (rev > 1)")
        mutations = q("SELECT count(*) FROM applied_mutation")[0][0]
        if mutations != len(visits):
            found.append(f"{mutations} applied mutations for {len(visits)} visits")
        logged = q("SELECT entity_id, count(*) FROM change_log WHERE entity = 'visit' "
                   "GROUP BY entity_id")
        logged = dict(logged)
        if set(logged) != set(visits):
            found.append(f"{len(set(visits) - set(logged))} visits missing from the change log")
        if any(n != 1 for n in logged.values()):
            found.append("a visit has more than one change-log row")
        stored = {sha: size for sha, size in q("SELECT sha256, size FROM attachment")}
        referenced = [row[0] for row in q("SELECT sha256 FROM visit_attachment")]
        for sha in referenced:
            path = attachments / sha[:2] / sha[2:4] / sha
            if sha not in stored:
                found.append(f"photo {sha[:12]} referenced but not stored")
            elif not path.is_file():
                found.append(f"photo {sha[:12]} has a row but no file")
            elif hashlib.sha256(path.read_bytes()).hexdigest() != sha:
                found.append(f"photo {sha[:12]} file does not hash to its name")
        if conn.dialect.name == "sqlite":
            check = q("PRAGMA integrity_check")[0][0]
            if check != "ok":
                found.append(f"SQLite integrity_check: {check}")
    engine.dispose()
    return found
