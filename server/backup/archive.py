"""Backups: one consistent snapshot of the database, the photos its rows name, a manifest.

A backup directory holds
    database.sqlite3 | database.pgdump   the snapshot (sqlite3 online backup API / pg_dump -Fc)
    attachments/ab/cd/<sha256>          every photo file, checked against its name on copy
    manifest.json                       row counts per table (of the snapshot itself), the
                                        snapshot's sha256, and every photo's sha256 and size

Consistency while serving: SQLite's online backup copies a single read transaction (WAL lets
writers go on meanwhile); on PostgreSQL, the row counts are taken in a REPEATABLE READ
transaction whose snapshot pg_dump shares (--snapshot), so manifest and dump agree exactly.
Photos are written to disk before their row is committed and never deleted, so copying the
files *after* the snapshot finds every photo the snapshot names.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

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


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(database)


# --- backup ----------------------------------------------------------------------------------


def backup(database_url: str, attachments_dir: Path, output: Path) -> dict:
    """Write a backup of the database and the photos into `output` (must be new or empty)."""
    output = Path(output)
    if output.exists() and any(output.iterdir()):
        raise BackupError(f"{output} is not empty; give a new directory")
    output.mkdir(parents=True, exist_ok=True)
    backend = make_url(database_url).get_backend_name()
    if backend == "sqlite":
        snapshot, counts = _backup_sqlite(database_url, output)
    elif backend == "postgresql":
        snapshot, counts = _backup_postgres(database_url, output)
    else:
        raise BackupError(f"cannot back up a {backend} database")
    photos = _copy_attachments(Path(attachments_dir), output / "attachments")
    manifest = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "backend": backend,
        "database": {"file": snapshot.name, "sha256": sha256_file(snapshot),
                     "size": snapshot.stat().st_size},
        "tables": counts,
        "attachments": photos,
    }
    missing = _unreferenced_photos(counts, photos, snapshot, backend)
    if missing:
        raise BackupError(f"{len(missing)} photos named by the database are not on disk, "
                          f"e.g. {missing[0]}")
    _write_json(output / MANIFEST, manifest)
    return manifest


def _backup_sqlite(database_url: str, output: Path) -> tuple[Path, dict]:
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
        if conn.execute(text("PRAGMA integrity_check")).scalar() != "ok":
            raise BackupError("the copy fails SQLite's integrity check")
    engine.dispose()
    return target, counts


def _backup_postgres(database_url: str, output: Path) -> tuple[Path, dict]:
    target = output / "database.pgdump"
    engine = create_engine(database_url)
    try:
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
            snapshot_id = conn.execute(text("SELECT pg_export_snapshot()")).scalar()
            counts = _counts(conn)
            result = subprocess.run(
                ["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                 f"--snapshot={snapshot_id}", f"--file={target}", libpq_url(database_url)],
                capture_output=True, text=True)
            conn.rollback()
    finally:
        engine.dispose()
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    return target, counts


def _copy_attachments(source: Path, target: Path) -> list[dict]:
    photos = []
    if not source.is_dir():
        return photos
    for path in sorted(source.rglob("*")):
        if not path.is_file() or path.name.startswith(".") or len(path.name) != 64:
            continue  # temp files of uploads in progress
        relative = path.relative_to(source)
        copy = target / relative
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, copy)
        digest = sha256_file(copy)
        if digest != path.name:
            raise BackupError(f"photo {relative} does not hash to its name (disk damage?)")
        photos.append({"sha256": digest, "size": copy.stat().st_size})
    return photos


def _unreferenced_photos(counts, photos, snapshot: Path, backend: str) -> list[str]:
    """Photo rows of the SQLite snapshot whose file was not copied (PostgreSQL's dump is
    checked the same way after a restore)."""
    if backend != "sqlite" or "attachment" not in counts:
        return []
    with sqlite3.connect(snapshot) as conn:
        rows = [r[0] for r in conn.execute("SELECT sha256 FROM attachment")]
    conn.close()
    copied = {p["sha256"] for p in photos}
    return [sha for sha in rows if sha not in copied]


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
        path = backup_dir / "attachments" / sha[:2] / sha[2:4] / sha
        if not path.is_file() or sha256_file(path) != sha:
            raise BackupError(f"photo {sha} is missing or damaged in the backup")
    return manifest


def restore(backup_dir: Path, database_url: str, attachments_dir: Path) -> dict:
    """Restore into an EMPTY database (no tables) and the attachments directory; check the
    restored row counts against the manifest. Returns the manifest."""
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
    for photo in manifest["attachments"]:
        sha = photo["sha256"]
        target = Path(attachments_dir) / sha[:2] / sha[2:4] / sha
        if target.is_file() and sha256_file(target) == sha:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        temp = target.with_name(f".{sha}.restore")
        shutil.copy2(source / sha[:2] / sha[2:4] / sha, temp)
        os.replace(temp, target)
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
