"""The peer servers we compare with, each started on a free loopback port and stopped afterwards.

Kinto 26 (Mozilla's JSON storage and sync server; Pyramid) under gunicorn from
bench/peers/.venv, memory or PostgreSQL backend, basic-auth users (an HMAC per request, as
cheap as our token lookup), `kinto.batch_max_requests` raised to the push batch size, and the
collection's JSON Schema validation switched on with the form's rules (`VISIT_SCHEMA`), so
that both servers validate what they store.

PouchDB Server 4.2 (CouchDB's HTTP API on Node), in memory (`--in-memory`) or on disk
(LevelDB). It validates nothing: a validate_doc_update function would be CouchDB's way, but
PouchDB Server's is JavaScript evaluated per document; we leave it out, so PouchDB does less
work than we do.
"""

import contextlib
import tempfile
from pathlib import Path

import requests
from harness import PEERS, PEERS_BIN, POUCHDB_SERVER, free_port, pg_url, process

KINTO_USER = ("bench", "bench password")
BUCKET, COLLECTION = "choxanh", "visits"
ALTERNATIVES = ["biodegradable_bag", "paper_bag", "cloth_bag", "leaf_wrap", "customer_own_bag",
                "none"]
# The form's rules as far as JSON Schema can say them (not: stalls_using ≤ stalls_total,
# "none" alone, the market's existence and the inspector's scope, the 24 h future limit).
VISIT_SCHEMA = {
    "type": "object",
    "required": ["market_id", "form_version", "observed_at", "answers", "attachments"],
    "properties": {
        "base_rev": {"type": ["integer", "null"], "minimum": 1},
        "market_id": {"type": "integer", "minimum": 1},
        "form_version": {"enum": ["2023.1"]},
        "observed_at": {"type": "string", "format": "date-time", "maxLength": 40},
        "answers": {
            "type": "object",
            "additionalProperties": False,
            "required": ["stalls_total", "stalls_using_nondegradable", "signage_present",
                         "outreach_held"],
            "properties": {
                "stalls_total": {"type": "integer", "minimum": 1, "maximum": 5000},
                "stalls_using_nondegradable": {"type": "integer", "minimum": 0, "maximum": 5000},
                "alternatives": {"type": "array", "uniqueItems": True,
                                 "items": {"enum": ALTERNATIVES}},
                "signage_present": {"type": "boolean"},
                "outreach_held": {"type": "boolean"},
                "notes": {"type": "string", "maxLength": 2000},
            },
        },
        "location": {
            "oneOf": [
                {"type": "null"},
                {"type": "object", "required": ["lat", "lon"],
                 "properties": {"lat": {"type": "number", "minimum": -90, "maximum": 90},
                                "lon": {"type": "number", "minimum": -180, "maximum": 180},
                                "accuracy_m": {"type": ["number", "null"], "minimum": 0}}},
            ]
        },
        "attachments": {"type": "array", "maxItems": 5, "uniqueItems": True,
                        "items": {"type": "string", "pattern": "^[0-9a-f]{64}$"}},
    },
}

KINTO_INI = """\
[app:main]
use = egg:kinto
kinto.storage_backend = kinto.core.storage.{backend}
kinto.storage_url = {url}
kinto.cache_backend = kinto.core.cache.{backend}
kinto.cache_url = {url}
kinto.permission_backend = kinto.core.permission.{backend}
kinto.permission_url = {url}
kinto.batch_max_requests = {batch}
kinto.experimental_collection_schema_validation = true
kinto.userid_hmac_secret = bench-not-secret
multiauth.policies = basicauth
multiauth.policy.basicauth.use = kinto.core.authentication.BasicAuthAuthenticationPolicy
kinto.bucket_create_principals = system.Authenticated
kinto.paginate_by = {page}

[loggers]
keys = root
[handlers]
keys = console
[formatters]
keys = plain
[logger_root]
level = WARNING
handlers = console
[handler_console]
class = StreamHandler
args = (sys.stderr,)
formatter = plain
[formatter_plain]
format = %(levelname)s %(name)s %(message)s
"""


@contextlib.contextmanager
def kinto_server(backend: str, pg_db: str | None = None, batch: int = 500, page: int = 500):
    """Kinto on a free port with a fresh store whose bucket and collection exist; yields
    (base URL of /v1, requests.Session, pid). backend: "memory" or "postgresql" (pg_db is
    EMPTIED)."""
    import subprocess

    from harness import empty_pg_database

    with tempfile.TemporaryDirectory(prefix="chx-bench-kinto-") as tmp:
        url = ""
        if backend == "postgresql":
            empty_pg_database(pg_db)
            url = pg_url(pg_db)
        ini = Path(tmp) / "kinto.ini"
        ini.write_text(KINTO_INI.format(backend=backend, url=url, batch=batch, page=page))
        if backend == "postgresql":
            subprocess.run([str(PEERS_BIN / "kinto"), "migrate", "--ini", str(ini)], check=True,
                           capture_output=True)
        port = free_port()
        argv = [str(PEERS_BIN / "gunicorn"), "kinto_wsgi:application", "-b",
                f"127.0.0.1:{port}", "-w", "1", "--timeout", "300", "--log-level", "warning"]
        base = f"http://127.0.0.1:{port}/v1"
        with process(argv, base + "/", env={"KINTO_INI": str(ini)}, cwd=PEERS,
                     log_name=f"kinto-{backend}") as proc:
            session = requests.Session()
            session.auth = KINTO_USER
            r = session.put(f"{base}/buckets/{BUCKET}", json={"data": {}})
            assert r.status_code in (200, 201), r.text
            r = session.put(f"{base}/buckets/{BUCKET}/collections/{COLLECTION}",
                            json={"data": {"schema": VISIT_SCHEMA}})
            assert r.status_code in (200, 201), r.text
            yield base, session, proc.pid


def kinto_records_path() -> str:
    return f"/buckets/{BUCKET}/collections/{COLLECTION}/records"


@contextlib.contextmanager
def pouchdb_server(in_memory: bool):
    """PouchDB Server on a free port; yields (URL of the `visits` database, Session,
    pid)."""
    with tempfile.TemporaryDirectory(prefix="chx-bench-pouch-") as tmp:
        port = free_port()
        argv = [str(POUCHDB_SERVER), "-p", str(port), "-o", "127.0.0.1", "-n",
                "-c", str(Path(tmp) / "config.json"), "-d", str(Path(tmp) / "data")]
        if in_memory:
            argv.append("--in-memory")
        (Path(tmp) / "data").mkdir()
        base = f"http://127.0.0.1:{port}"
        with process(argv, base + "/", cwd=tmp, log_name="pouchdb") as proc:
            session = requests.Session()
            r = session.put(base + "/visits")
            assert r.status_code in (201, 412), r.text
            yield base + "/visits", session, proc.pid
