"""Backups: one consistent snapshot of the database, the photos its rows name, a manifest.

A backup directory holds
    database.sqlite3 | database.pgdump   the snapshot (sqlite3 online backup API / pg_dump -Fc)
    attachments/ab/cd/<sha256>          every photo the snapshot's attachment rows name, read
                                        from the configured store (a local folder or a bucket:
                                        server/attachments/stores.py), checked against its name
    manifest.json                       row counts per table (of the snapshot itself), the
                                        snapshot's sha256, and every photo's sha256 and size

The photos to copy are the snapshot's own rows, not a listing of the store: a bucket need not
grant listing, and the backup holds exactly what the database names.

Consistency while serving: SQLite's online backup copies a single read transaction (WAL lets
writers go on meanwhile); on PostgreSQL, the row counts are taken in a REPEATABLE READ
transaction whose snapshot pg_dump shares (--snapshot), so manifest and dump agree exactly.
Photos are written to the store before their row is committed (and only the orphan-photo job,
off by default, ever deletes one), so copying them *after* the snapshot finds every photo the
snapshot names.
"""

import hashlib
import json
import os
import sqlite3
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from server.attachments.stores import AttachmentStore, StoreUnavailable

MANIFEST = "manifest.json"
FORMAT = 1


class BackupError(Exception):
    pass


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def libpq_url(sqlalchemy_url: str) -> str:
    """postgresql+psycopg://… → postgresql://… (what pg_dump and pg_restore understand)."""
    url = make_url(sqlalchemy_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _counts(conn) -> dict[str, int]:
    names = sorted(inspect(conn).get_table_names())
    return {name: conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar() for name in names}


def _photo_rows(conn, counts) -> list[str]:
    if "attachment" not in counts:
        return []
    return [row[0] for row in conn.execute(text("SELECT sha256 FROM attachment ORDER BY 1"))]


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(database)


# --- backup ----------------------------------------------------------------------------------


def backup(database_url: str, store: AttachmentStore, output: Path) -> dict:
    """Write a backup of the database and of the photos it names, read from `store`, into
    `output` (must be new or empty)."""
    output = Path(output)
    if output.exists() and any(output.iterdir()):
        raise BackupError(f"{output} is not empty; give a new directory")
    output.mkdir(parents=True, exist_ok=True)
    backend = make_url(database_url).get_backend_name()
    if backend == "sqlite":
        snapshot, counts, shas = _backup_sqlite(database_url, output)
    elif backend == "postgresql":
        snapshot, counts, shas = _backup_postgres(database_url, output)
    else:
        raise BackupError(f"cannot back up a {backend} database")
    photos = _copy_attachments(store, shas, output / "attachments")
    manifest = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "backend": backend,
        "database": {"file": snapshot.name, "sha256": sha256_file(snapshot),
                     "size": snapshot.stat().st_size},
        "tables": counts,
        "attachments": photos,
    }
    _write_json(output / MANIFEST, manifest)
    return manifest


def _backup_sqlite(database_url: str, output: Path) -> tuple[Path, dict, list[str]]:
    source_path = _sqlite_path(database_url)
    if not source_path.is_file():
        raise BackupError(f"no database at {source_path}")
    target = output / "database.sqlite3"
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=30)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # one step: a single consistent read transaction
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        copy.commit()
    finally:
        source.close()
        copy.close()
    engine = create_engine(f"sqlite:///{target}")
    with engine.connect() as conn:
        counts = _counts(conn)
        shas = _photo_rows(conn, counts)
        if conn.execute(text("PRAGMA integrity_check")).scalar() != "ok":
            raise BackupError("the copy fails SQLite's integrity check")
    engine.dispose()
    return target, counts, shas


def _backup_postgres(database_url: str, output: Path) -> tuple[Path, dict, list[str]]:
    target = output / "database.pgdump"
    engine = create_engine(database_url)
    try:
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
            snapshot_id = conn.execute(text("SELECT pg_export_snapshot()")).scalar()
            counts = _counts(conn)
            shas = _photo_rows(conn, counts)
            result = subprocess.run(
                ["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                 f"--snapshot={snapshot_id}", f"--file={target}", libpq_url(database_url)],
                capture_output=True, text=True)
            conn.rollback()
    finally:
        engine.dispose()
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    return target, counts, shas


def photo_path(root: Path, sha: str) -> Path:
    return Path(root) / sha[:2] / sha[2:4] / sha


def _copy_attachments(store: AttachmentStore, shas: list[str], target: Path) -> list[dict]:
    """Each photo the snapshot names, from the store into the backup, checked on the way."""
    photos = []
    for sha in shas:
        try:
            data = store.get(sha)
        except KeyError:
            raise BackupError(f"photo {sha}, named by the database, is not in {store.url}") \
                from None
        except StoreUnavailable as exc:
            raise BackupError(f"the photo store cannot be read: {exc}") from None
        if hashlib.sha256(data).hexdigest() != sha:
            raise BackupError(f"photo {sha} in {store.url} does not hash to its name (damage?)")
        copy = photo_path(target, sha)
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_bytes(data)
        photos.append({"sha256": sha, "size": len(data)})
    return photos


def _write_json(path: Path, document: dict) -> None:
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".manifest-")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(document, out, ensure_ascii=False, indent=2)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temp, path)


# --- restore ---------------------------------------------------------------------------------


def verify(backup_dir: Path) -> dict:
    """The manifest, after checking every file of the backup against it."""
    backup_dir = Path(backup_dir)
    try:
        manifest = json.loads((backup_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"no readable {MANIFEST} in {backup_dir}: {exc}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    snapshot = backup_dir / manifest["database"]["file"]
    if not snapshot.is_file() or sha256_file(snapshot) != manifest["database"]["sha256"]:
        raise BackupError(f"{snapshot.name} is missing or damaged (sha256 differs)")
    for photo in manifest["attachments"]:
        sha = photo["sha256"]
        path = photo_path(backup_dir / "attachments", sha)
        if not path.is_file() or sha256_file(path) != sha:
            raise BackupError(f"photo {sha} is missing or damaged in the backup")
    return manifest


def restore(backup_dir: Path, database_url: str, store: AttachmentStore) -> dict:
    """Restore into an EMPTY database (no tables) and the photo store; check the restored row
    counts and every restored photo (by sha256) against the manifest. Returns the manifest."""
    backup_dir = Path(backup_dir)
    manifest = verify(backup_dir)
    backend = make_url(database_url).get_backend_name()
    if backend != manifest["backend"]:
        raise BackupError(f"this is a {manifest['backend']} backup; the target is {backend}")
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            if inspect(conn).get_table_names():
                raise BackupError("the target database is not empty; restore needs a fresh one")
        engine.dispose()
        snapshot = backup_dir / manifest["database"]["file"]
        if backend == "sqlite":
            _restore_sqlite(snapshot, database_url)
        else:
            result = subprocess.run(
                # --clean --if-exists: the dump may re-create schema public, which an empty
                # database already has (the target was checked to hold no table).
                ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
                 "--single-transaction", "--clean", "--if-exists",
                 f"--dbname={libpq_url(database_url)}", str(snapshot)],
                capture_output=True, text=True)
            if result.returncode != 0:
                raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
        with engine.connect() as conn:
            counts = _counts(conn)
    finally:
        engine.dispose()
    if counts != manifest["tables"]:
        differ = sorted(k for k in set(counts) | set(manifest["tables"])
                        if counts.get(k) != manifest["tables"].get(k))
        raise BackupError(f"restored row counts differ from the manifest in {differ}")
    source = backup_dir / "attachments"
    try:
        for photo in manifest["attachments"]:
            sha = photo["sha256"]
            store.put(sha, photo_path(source, sha).read_bytes())  # nothing if already there
            if hashlib.sha256(store.get(sha)).hexdigest() != sha:
                raise BackupError(f"photo {sha} reads back damaged from {store.url}")
    except (StoreUnavailable, KeyError) as exc:
        raise BackupError(f"the photos could not be restored into {store.url}: {exc!r}") \
            from None
    return manifest


def _restore_sqlite(snapshot: Path, database_url: str) -> None:
    target_path = _sqlite_path(database_url)
    target_path.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{snapshot}?mode=ro", uri=True)
    target = sqlite3.connect(target_path)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode=WAL")
    finally:
        source.close()
        target.close()
