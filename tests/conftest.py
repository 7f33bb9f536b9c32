"""Fixtures in the shape of Flask's tutorial: `app`, `client`, `runner`, a fresh database each.

The whole suite is a contract run against every backend (as Kinto does for its storage): the
Makefile runs it once on SQLite and again on PostgreSQL with CHOXANH_TEST_DB=postgres and
TEST_DATABASE_URL set.

Every test starts on the models' tables, empty, with ids counting from 1 again. Building them
is not repeated per test (it was most of the per-test cost on PostgreSQL):
- SQLite: the tables are created once per run in a template file, and each test gets a copy
  of it as its own new file.
- PostgreSQL (one database shared by the tests): the tables are created once, then emptied
  between tests (DELETE, children first, and every sequence restarted). Before that, the schema is
  compared with the one the models create (tables, columns, constraints, indexes, sequences,
  types, functions, triggers); when a test left it different (ran the migrations, created a
  table of its own, dropped the schema), it is dropped and created again as before.
"""

import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import text

from server import create_app
from server.core.extensions import db
from server.models.audit import PURGE_VARIABLE as AUDIT_PURGE_VARIABLE

BACKEND = os.environ.get("CHOXANH_TEST_DB", "sqlite")
if BACKEND not in ("sqlite", "postgres"):
    raise RuntimeError(f"CHOXANH_TEST_DB must be sqlite or postgres, not {BACKEND!r}")
if BACKEND == "postgres" and not os.environ.get("TEST_DATABASE_URL"):
    raise RuntimeError("CHOXANH_TEST_DB=postgres needs TEST_DATABASE_URL")


def _create_postgres_database_if_missing() -> None:
    """A fresh PostgreSQL server has no database named in TEST_DATABASE_URL yet: make it (the
    tests own it; they empty and rebuild its public schema)."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    from server.core.config import normalise_database_url

    url = make_url(normalise_database_url(os.environ["TEST_DATABASE_URL"]))
    maintenance = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with maintenance.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                            {"n": url.database}).scalar():
            conn.execute(text(f'CREATE DATABASE "{url.database}"'))
    maintenance.dispose()


if BACKEND == "postgres":
    _create_postgres_database_if_missing()


def _reuse_url_builders() -> None:
    """Most of create_app()'s time is Werkzeug compiling two URL-builder functions (ast, then
    compile()) for each of the ~40 rules, again for every app, i.e. every test. A builder only
    depends on the rule's text and parsed parts (the converters are looked up on the rule when
    it runs), so the tests compile each one once and reuse it. Rules with defaults are left
    alone; without Werkzeug's private `_compile_builder`/`_trace` nothing is changed."""
    from werkzeug.routing.rules import Rule

    compile_builder = getattr(Rule, "_compile_builder", None)
    if compile_builder is None or getattr(compile_builder, "reused", False):
        return
    builders = {}

    def reused(self, append_unknown: bool = True):
        trace = getattr(self, "_trace", None)
        if self.defaults or trace is None:
            return compile_builder(self, append_unknown)
        key = (self.rule, tuple(trace), append_unknown)
        if key not in builders:
            builders[key] = compile_builder(self, append_unknown)
        return builders[key]

    reused.reused = True
    Rule._compile_builder = reused


_reuse_url_builders()


def pytest_report_header(config):
    return f"database backend: {BACKEND}"


def database_url(tmp_path) -> str:
    if BACKEND == "postgres":
        return os.environ["TEST_DATABASE_URL"]
    return f"sqlite:///{sqlite_path(tmp_path)}"


def sqlite_path(tmp_path) -> Path:
    return Path(tmp_path) / "test.sqlite3"


def empty_database() -> None:
    """Leave the bound database with no tables at all (PostgreSQL is shared between tests)."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    else:
        db.drop_all()


# Everything in the public schema whose change would make emptying the tables not enough.
SCHEMA_FINGERPRINT = text("""
SELECT md5(coalesce(string_agg(item, ',' ORDER BY item), '')) FROM (
  SELECT concat_ws(':', 'rel', c.relkind, c.relname, a.attname,
                   format_type(a.atttypid, a.atttypmod), a.attnotnull,
                   pg_get_expr(d.adbin, d.adrelid)) AS item
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
   WHERE n.nspname = 'public'
  UNION ALL
  SELECT concat_ws(':', 'con', k.conname, pg_get_constraintdef(k.oid))
    FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace
   WHERE n.nspname = 'public'
  UNION ALL
  SELECT concat_ws(':', 'type', t.typname)
    FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'public'
  UNION ALL
  SELECT concat_ws(':', 'proc', p.proname)
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'
  UNION ALL
  SELECT concat_ws(':', 'trigger', g.tgname)
    FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname = 'public' AND NOT g.tgisinternal  -- foreign keys' triggers: named by oid
) AS items
""")

_models_schema: dict[str, str] = {}  # PostgreSQL: the fingerprint of what create_all made


def reset_postgres() -> None:
    """The models' tables, empty, their sequences restarted: by DELETE when the schema is the
    one create_all made, else by dropping the schema and creating the tables again.

    DELETE, children first, and not TRUNCATE: on the test database's few rows it is ~10×
    faster (TRUNCATE makes new files for every table and index, and syncs them at commit)."""
    with db.engine.begin() as conn:
        if conn.execute(SCHEMA_FINGERPRINT).scalar() == _models_schema.get("fingerprint"):
            conn.exec_driver_sql(_models_schema["empty"])
            return
    empty_database()
    db.create_all()
    with db.engine.connect() as conn:
        _models_schema["fingerprint"] = conn.execute(SCHEMA_FINGERPRINT).scalar()
    quote = db.engine.dialect.identifier_preparer.format_table
    _models_schema["empty"] = "; ".join(
        # The audit table refuses DELETE (its trigger) but to the retention job's variable:
        # set it past every event, for this transaction only.
        [f"SELECT set_config('{AUDIT_PURGE_VARIABLE}', '9999-12-31', true)"]
        + [f"DELETE FROM {quote(table)}" for table in reversed(db.metadata.sorted_tables)]
        + ["SELECT setval(s.seqrelid, s.seqstart, false) FROM pg_sequence s"
           " JOIN pg_class c ON c.oid = s.seqrelid"
           " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'"])


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A SQLite file holding the models' empty tables, made once; tests start on copies."""
    workdir = tmp_path_factory.mktemp("sqlite-template")
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{sqlite_path(workdir)}",
                      "INSTANCE_DIR": str(workdir)})
    with app.app_context():
        db.create_all()
        db.session.remove()
        db.engine.dispose()  # the last connection closing checkpoints the WAL into the file
    leftovers = sorted(p.name for p in workdir.iterdir() if p.name != "test.sqlite3")
    assert not leftovers, f"the SQLite template is not one self-contained file: {leftovers}"
    return sqlite_path(workdir)


@pytest.fixture(scope="session")
def seeded_sqlite(tmp_path_factory) -> Path:
    """The demo, migrated and seeded once per run (`manage.py db upgrade`, `seed-demo`): the
    SQLite file whose copies the real servers of the e2e, resilience, crash and backup tests
    start on (the seed is deterministic: the same data, without two CLI runs per server)."""
    from tests.e2e.live_server import LiveServer

    return LiveServer(tmp_path_factory.mktemp("seeded")).prepare().db_path


@pytest.fixture
def make_app(tmp_path, sqlite_template):
    """Build an app on a fresh, empty database; `schema=True` also creates the tables.

    Every app of one test uses the same database (building another empties it again)."""
    apps = []

    def build(schema: bool = True, **config):
        url = config.get("DATABASE_URL", database_url(tmp_path))
        # The test's first SQLite app: its new file is a copy of the template.
        copied = (schema and url == f"sqlite:///{sqlite_path(tmp_path)}"
                  and not sqlite_path(tmp_path).exists())
        if copied:
            shutil.copyfile(sqlite_template, sqlite_path(tmp_path))
        app = create_app(
            {
                "TESTING": True,
                "DATABASE_URL": url,
                "INSTANCE_DIR": str(tmp_path),
                "ATTACHMENTS_DIR": str(tmp_path / "attachments"),
                **config,
            }
        )
        with app.app_context():
            if copied:
                pass
            elif schema and db.engine.dialect.name == "postgresql":
                reset_postgres()
            else:
                empty_database()
                if schema:
                    db.create_all()
        apps.append(app)
        return app

    yield build
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    app = make_app()
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def world(app):
    """Two districts, four markets, users of every role (see tests/factories.py)."""
    from tests.factories import make_world

    return make_world()


@pytest.fixture(scope="session")
def s3():
    """One real S3-protocol server (moto) for the whole run, with a bucket (tests/s3.py)."""
    from tests.s3 import start_session_server

    server, stop = start_session_server()
    yield server
    stop()
