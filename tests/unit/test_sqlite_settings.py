"""The embedded database's settings every connection gets (server/core/extensions.py): a
commit acknowledged to a phone is on disk (a power cut cannot undo it), readers do not block
the writer, foreign keys hold, and a busy database is waited for, not an error."""

from sqlalchemy import create_engine, text

import server.core.extensions  # noqa: F401  (installs the connect hook on every Engine)


def test_every_sqlite_connection_commits_to_disk_in_wal_with_foreign_keys(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'settings.sqlite3'}")
    with engine.connect() as conn:
        pragma = lambda name: conn.execute(text(f"PRAGMA {name}")).scalar()  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("synchronous") == 2  # FULL: the WAL is synced at each commit
        assert pragma("foreign_keys") == 1
        assert pragma("busy_timeout") >= 5000
    engine.dispose()
