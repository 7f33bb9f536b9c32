"""Extensions are created once here and bound to the app in create_app()."""

from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names, so Alembic batch migrations on SQLite can find them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    """WAL for concurrent readers, real foreign keys, waiting instead of failing on a lock, and
    a commit on disk before the answer: with synchronous=NORMAL a power cut could undo commits
    a phone had been told were stored (and it had dropped from its outbox)."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        # We emit BEGIN ourselves (below): pysqlite's own transaction handling cannot do
        # BEGIN IMMEDIATE, which writes need so that a read-then-write is never stale.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn):
    if conn.dialect.name == "sqlite":
        immediate = conn.get_execution_options().get("sqlite_immediate")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def begin_write() -> None:
    """Start the session's next transaction as a write transaction.

    On SQLite that is BEGIN IMMEDIATE: the write lock is taken before the first read, so two
    requests can never both read rev n and both write rev n+1. On PostgreSQL the writers lock
    the rows they change (SELECT … FOR UPDATE), and this is a plain BEGIN.
    """
    if db.session().in_transaction():
        db.session.commit()
    db.session.connection(execution_options={"sqlite_immediate": True})
