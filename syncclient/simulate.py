"""Many phones at once: each thread is one SyncClient that records visits and syncs.

    totals = simulate_devices("http://127.0.0.1:5000", devices=20, visits=10,
                              username="kiemtra", password="ChoXanh@2023")

Credentials, first match wins: `credentials` (a list of (username, password), dealt out to the
devices in turn); `username_prefix` (device i logs in as f"{prefix}{i + 1}" with `password`; the
caller creates those users); else every device logs in as `username` with its own device_id,
which the server treats as separate phones of one inspector (separate tokens, one scope).
"""

import base64
import random
import struct
import threading
import time
from datetime import datetime, timedelta

from syncclient.client import SyncClient
from syncclient.report import HANOI

# A real 8×8 baseline JPEG (287 bytes); a COM segment after APP0 makes each photo unique.
TINY_JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDABsSFBcUERsXFhceHBsgKEIrKCUlKFE6PTBCYFVlZF9VXVtqeJmBanGQ"
    "c1tdhbWGkJ6jq62rZ4C8ybqmx5moq6T/2wBDARweHigjKE4rK06kbl1upKSkpKSkpKSkpKSkpKSkpKSkpKSkpKSk"
    "pKSkpKSkpKSkpKSkpKSkpKSkpKSkpKSkpKT/wAARCAAIAAgDASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAA"
    "AAT/xAAUEAEAAAAAAAAAAAAAAAAAAAAA/8QAFQEBAQAAAAAAAAAAAAAAAAAAAwT/xAAUEQEAAAAAAAAAAAAAAAAA"
    "AAAA/9oADAMBAAIRAxEAPwCYASd//9k="
)
APP0_END = 20  # SOI (2) + APP0 marker (2) + its 16-byte body
ALTERNATIVES = ["biodegradable_bag", "paper_bag", "cloth_bag", "leaf_wrap", "customer_own_bag"]
NOTES = [
    None,
    "",
    "Khu hàng thịt vẫn dùng túi nilon đen.",
    "Tiểu thương đã chuyển sang túi giấy và lá chuối.",
    "Ban quản lý chợ cam kết treo thêm băng rôn tuyên truyền.",
]


def fake_photo(label: str) -> bytes:
    """A small valid JPEG (starts FF D8 FF E0) whose bytes, and so sha256, are unique per label."""
    comment = f"choxanh-sim {label}".encode()
    segment = b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment
    return TINY_JPEG[:APP0_END] + segment + TINY_JPEG[APP0_END:]


def fake_answers(rng: random.Random) -> dict:
    """Answers that pass form market_visit 2023.1 (see shared_schema/examples)."""
    total = rng.randint(5, 300)
    using = 0 if rng.random() < 0.45 else rng.randint(1, max(1, total // 3))
    answers = {
        "stalls_total": total,
        "stalls_using_nondegradable": using,
        "signage_present": rng.random() < 0.7,
        "outreach_held": rng.random() < 0.5,
    }
    if rng.random() < 0.8:
        picked = rng.sample(ALTERNATIVES, rng.randint(0, 3))
        answers["alternatives"] = picked or ["none"]
    note = rng.choice(NOTES)
    if note is not None:
        answers["notes"] = note
    return answers


def fake_location(market: dict, rng: random.Random) -> dict | None:
    if market.get("lat") is None or market.get("lon") is None or rng.random() < 0.1:
        return None
    return {
        "lat": round(market["lat"] + rng.uniform(-0.0005, 0.0005), 6),
        "lon": round(market["lon"] + rng.uniform(-0.0005, 0.0005), 6),
        "accuracy_m": round(rng.uniform(4, 40), 1),
    }


def _credentials(devices, username, password, username_prefix, credentials) -> list[tuple]:
    if credentials:
        return [tuple(credentials[i % len(credentials)]) for i in range(devices)]
    if username_prefix:
        return [(f"{username_prefix}{i + 1}", password) for i in range(devices)]
    return [(username, password)] * devices


def _run_device(index: int, url: str, login: tuple, visits: int, photo: bool, seed: int,
                client_options: dict, out: dict) -> None:
    rng = random.Random(f"{seed}:{index}")
    client = SyncClient(url, login[0], login[1], device_name=f"simulated phone {index + 1}",
                        rng=random.Random(f"{seed}:{index}:backoff"), **client_options)
    out["client"] = client
    reports, recorded = [], 0
    try:
        reports.append(client.sync())  # log in, pull the markets of this inspector's area
        markets = [m for m in client.records("market") if not m.get("closed_on")]
        if not markets:
            raise RuntimeError(f"{login[0]} sees no open market")
        sync_midway = index % 2 == 0  # half the phones find signal halfway through
        for number in range(visits):
            market = rng.choice(markets)
            observed = datetime.now(HANOI) - timedelta(minutes=rng.randint(0, 7 * 24 * 60))
            client.record_visit(
                market["id"],
                fake_answers(rng),
                observed_at=observed.replace(microsecond=0),
                location=fake_location(market, rng),
                photos=[fake_photo(f"{seed}-{index}-{number}-{rng.getrandbits(64):x}")]
                if photo else [],
            )
            recorded += 1
            if sync_midway and number == visits // 2 - 1:
                reports.append(client.sync())
        reports.append(client.sync())
    except Exception as exc:  # noqa: BLE001  (a load test reports failures, it does not stop)
        out["error"] = f"device {index + 1} ({login[0]}): {type(exc).__name__}: {exc}"
    out["reports"], out["recorded"] = reports, recorded


def simulate_devices(url: str, devices: int, visits: int, username: str = "kiemtra",
                     password: str = "ChoXanh@2023", username_prefix: str | None = None,
                     credentials=None, photo: bool = True, seed: int = 0,
                     **client_options) -> dict:
    """Run `devices` phones in parallel, each recording `visits` visits; return the totals.

    Extra keyword arguments go to every SyncClient (e.g. batch_size, max_attempts).
    """
    logins = _credentials(devices, username, password, username_prefix, credentials)
    outs = [{} for _ in range(devices)]
    threads = [
        threading.Thread(
            target=_run_device,
            args=(i, url, logins[i], visits, photo, seed, client_options, outs[i]),
            name=f"phone-{i + 1}",
            daemon=True,
        )
        for i in range(devices)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    totals = {"devices": devices, "visits_recorded": 0, "applied": 0, "duplicate": 0,
              "conflict": 0, "rejected": 0, "uploaded": 0, "pulled": 0, "retries": 0,
              "requests": 0, "pending": 0, "errors": 0}
    messages = []
    for out in outs:
        totals["visits_recorded"] += out.get("recorded", 0)
        for report in out.get("reports", []):
            for name in ("applied", "duplicate", "conflict", "rejected", "uploaded", "pulled",
                         "retries"):
                totals[name] += getattr(report, name)
        client = out.get("client")
        if client is not None:
            totals["requests"] += client.http.requests  # logins and failed syncs included
            totals["pending"] += len(client.store.outbox)
            messages += [f"{p['status']} {p['error']}" for p in client.store.problems][:3]
        if "error" in out:
            totals["errors"] += 1
            messages.append(out["error"])
    totals["elapsed_s"] = round(elapsed, 3)
    totals["requests_per_s"] = round(totals["requests"] / elapsed, 1) if elapsed else None
    totals["messages"] = messages[:20]
    totals["ok"] = (
        totals["errors"] == totals["conflict"] == totals["rejected"] == totals["pending"] == 0
        and totals["applied"] + totals["duplicate"] == totals["visits_recorded"]
    )
    return totals
