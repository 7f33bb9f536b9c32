"""Photos per second through the API, 1 MB each: the local folder against an S3-compatible
store (moto's standalone server, its own process on loopback), our server under gunicorn on
SQLite. PUT /attachments/<sha256> (new photos, sequential or from several clients at once), then
GET of each as the city officer (scope checked, bytes streamed by the app).

    .venv/bin/python bench/attachments_store.py [--photos 40] [--runs 3] [--clients 1,4]

Prints a Markdown table for docs/PERFORMANCE.md (median of the runs, and every run)."""

import argparse
import hashlib
import os
import random
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import (  # noqa: E402
    VENV_BIN,
    free_port,
    login,
    median,
    mutations,
    our_database,
    our_server,
    phone_visits,
    process,
    seed_world,
)

BUCKET = "bench-photos"
AWS = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
       "AWS_DEFAULT_REGION": "us-east-1"}


def photos(count: int, seed: int, size: int = 1 << 20) -> list[bytes]:
    rng = random.Random(seed)
    return [b"\xff\xd8\xff\xe0" + rng.randbytes(size - 6) + b"\xff\xd9" for _ in range(count)]


def timed(fn, items, clients: int) -> float:
    """Items per second, `clients` at once."""
    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(fn, items))
    return len(items) / (time.perf_counter() - start)


def one_run(base: str, ids: dict, count: int, seed: int, clients: int) -> tuple[float, float]:
    inspector, city = login(base, "insp1"), login(base, "city")
    data = photos(count, seed)
    shas = [hashlib.sha256(d).hexdigest() for d in data]
    sessions = {}

    def session_for(who):  # requests.Session is not shared between threads
        key = (who, os.getpid(), __import__("threading").get_ident())
        if key not in sessions:
            sessions[key] = login(base, who)
        return sessions[key]

    def put(photo):
        answer = session_for("insp1").put(
            f"{base}/api/v1/attachments/{hashlib.sha256(photo).hexdigest()}", data=photo,
            headers={"Content-Type": "image/jpeg"})
        assert answer.status_code == 201, answer.text

    put_rate = timed(put, data, clients)
    visits = phone_visits((count + 4) // 5, ids["markets"], seed=seed)
    for n, visit in enumerate(visits):
        visit["attachments"] = shas[5 * n: 5 * n + 5]
    pushed = inspector.post(f"{base}/api/v1/sync/push", json={
        "device_id": str(uuid.uuid4()), "mutations": mutations(visits)}).json()
    assert all(r["status"] == "applied" for r in pushed["results"]), pushed

    def get(sha):
        answer = session_for("city").get(f"{base}/api/v1/attachments/{sha}")
        assert answer.status_code == 200 and len(answer.content) == 1 << 20

    get_rate = timed(get, shas, clients)
    city.close()
    return put_rate, get_rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photos", type=int, default=40)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--clients", default="1,4")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    clients = [int(c) for c in args.clients.split(",")]
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    moto = [str(VENV_BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)]
    results = {}
    with process(moto, endpoint + "/moto-api/", env=AWS, log_name="moto"):
        boto3.client("s3", endpoint_url=endpoint, **{
            "aws_access_key_id": "bench", "aws_secret_access_key": "bench",
            "region_name": "us-east-1"}).create_bucket(Bucket=BUCKET)
        stores = {"disk (ATTACHMENTS_DIR)": {},
                  "S3 (moto on loopback)": {**AWS, "AWS_ENDPOINT_URL": endpoint,
                                            "ATTACHMENTS_URL": f"s3://{BUCKET}/bench"}}
        for name, env in stores.items():
            with tempfile.TemporaryDirectory(prefix="chx-bench-photos-") as tmp:
                workdir = Path(tmp)
                url = our_database("sqlite", workdir, "")
                ids = seed_world(url, workdir)
                with our_server(url, workdir, workers=args.workers, extra_env=env) as (base, _):
                    for count in clients:
                        runs = [one_run(base, ids, args.photos, seed=1000 * count + run,
                                        clients=count) for run in range(args.runs)]
                        results[(name, count)] = runs
                        print(f"{name}, {count} client(s): " + ", ".join(
                            f"PUT {p:.1f}/s GET {g:.1f}/s" for p, g in runs), file=sys.stderr)
    print(f"| store ({args.workers} gunicorn workers, SQLite) | clients | PUT 1 MB photos/s "
          "| GET 1 MB photos/s | runs (PUT; GET) |")
    print("| --- | ---: | ---: | ---: | --- |")
    for (name, count), runs in results.items():
        puts, gets = [p for p, _ in runs], [g for _, g in runs]
        print(f"| {name} | {count} | {median(puts):.1f} | {median(gets):.1f} | "
              f"{' '.join(f'{p:.1f}' for p in puts)}; {' '.join(f'{g:.1f}' for g in gets)} |")


if __name__ == "__main__":
    main()
