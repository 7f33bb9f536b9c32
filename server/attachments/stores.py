"""Where photo bytes live: one interface, two stores (DESIGN §10 "on disk or an S3-compatible
store"), chosen by ATTACHMENTS_URL.

    unset, or file:///path   LocalStore: ATTACHMENTS_DIR (or the path), ab/cd/<sha256> files
    s3://bucket/prefix       S3Store (server/attachments/s3store.py): objects <prefix>/<sha256>,
                             configured by boto3's own AWS_* variables

Every store keeps the same promises, checked by one contract suite run against each
(tests/attachments/contract.py, the Kinto way):

- content-addressed: the caller has verified the bytes hash to `sha` and are an image; a store
  holds exactly those bytes under that name and never anything else;
- `put` is idempotent and atomic: a reader sees no object or the whole object, never part of
  one; a failed `put` leaves nothing behind;
- any failure to reach the store raises StoreUnavailable (the API answers 503
  storage_unavailable; a missing object is not a failure: `exists` is False, `open` raises
  KeyError).
"""

import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote, urlsplit

from flask import Flask, current_app

_SHA256 = re.compile(r"[0-9a-f]{64}")
EXTENSION = "attachment_store"


class StoreUnavailable(Exception):
    """The store could not be reached, or refused (credentials, bucket gone, disk error)."""


def is_sha256(value) -> bool:
    """Exactly 64 lowercase hex characters (nothing that could ever be a path)."""
    return isinstance(value, str) and _SHA256.fullmatch(value) is not None


def _checked(sha: str) -> str:
    if not is_sha256(sha):
        raise ValueError("not a SHA-256 hex digest")
    return sha


class AttachmentStore:
    """The interface. `url` says where the bytes are (for logs and the CLI)."""

    url = ""
    # Whether `exists` is cheaper than a database query (a local stat, not a request).
    cheap_exists = False

    def exists(self, sha: str) -> bool:
        raise NotImplementedError

    def put(self, sha: str, data: bytes) -> bool:
        """Store the bytes under their sha; False (and no write) if already there."""
        raise NotImplementedError

    def open(self, sha: str) -> BinaryIO:
        """A readable binary file of the bytes; KeyError if there is no such object."""
        raise NotImplementedError

    def get(self, sha: str) -> bytes:
        with self.open(sha) as handle:
            return handle.read()

    def delete(self, sha: str) -> None:
        """Remove the object (nothing if it is not there)."""
        raise NotImplementedError

    def shas(self) -> Iterator[str]:
        """Every stored sha (needs listing rights; backups do not use it, migrate does)."""
        raise NotImplementedError

    def check(self) -> None:
        """Raise StoreUnavailable unless the store answers (the health check)."""
        raise NotImplementedError


def _fsync_dir(directory: Path) -> None:
    """Make the rename durable (a no-op where directories cannot be opened, e.g. Windows)."""
    with suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class LocalStore(AttachmentStore):
    """Files ROOT/ab/cd/<sha>, written to ROOT/tmp, fsynced, renamed into place."""

    cheap_exists = True

    def __init__(self, root):
        self.root = Path(root)
        self.url = self.root.resolve().as_uri()

    def path_for(self, sha: str) -> Path:
        """ROOT/ab/cd/<sha>: two fan-out levels keep directories small."""
        sha = _checked(sha)
        return self.root / sha[:2] / sha[2:4] / sha

    def exists(self, sha: str) -> bool:
        return self.path_for(sha).is_file()

    def put(self, sha: str, data: bytes) -> bool:
        final = self.path_for(sha)
        if final.is_file():
            return False
        try:
            tmp_dir = self.root / "tmp"
            tmp_dir.mkdir(parents=True, exist_ok=True)
            final.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(dir=tmp_dir, prefix=sha[:8] + ".", suffix=".part")
        except OSError as exc:
            raise StoreUnavailable(f"cannot write under {self.root}: {exc}") from exc
        try:
            with os.fdopen(fd, "wb") as tmp:
                tmp.write(data)
                tmp.flush()
                os.fsync(tmp.fileno())
            os.replace(tmp_name, final)
        except OSError as exc:  # disk full, read-only, I/O error: the store refuses
            Path(tmp_name).unlink(missing_ok=True)
            raise StoreUnavailable(f"cannot write {final}: {exc}") from exc
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        _fsync_dir(final.parent)
        return True

    def open(self, sha: str) -> BinaryIO:
        try:
            return open(self.path_for(sha), "rb")  # noqa: SIM115  (the caller closes it)
        except FileNotFoundError:
            raise KeyError(sha) from None
        except OSError as exc:
            raise StoreUnavailable(f"cannot read under {self.root}: {exc}") from exc

    def delete(self, sha: str) -> None:
        self.path_for(sha).unlink(missing_ok=True)

    def shas(self) -> Iterator[str]:
        try:
            os.listdir(self.root)
        except FileNotFoundError:
            return  # a fresh install: nothing stored yet
        except OSError as exc:
            raise StoreUnavailable(f"cannot list {self.root}: {exc}") from exc
        for path in sorted(self.root.glob("??/??/*")):
            if path.is_file() and is_sha256(path.name) and path.parent.parent.name == \
                    path.name[:2] and path.parent.name == path.name[2:4]:
                yield path.name

    def check(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreUnavailable(str(exc)) from exc
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise StoreUnavailable(f"{self.root} is not writable")


def store_for_url(url: str | None, attachments_dir=None) -> AttachmentStore:
    """The store an ATTACHMENTS_URL names (unset → the local folder ATTACHMENTS_DIR)."""
    if not url:
        if not attachments_dir:
            raise ValueError("ATTACHMENTS_URL is unset and there is no ATTACHMENTS_DIR")
        return LocalStore(attachments_dir)
    parts = urlsplit(url)
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise ValueError(f"ATTACHMENTS_URL {url!r}: a file URL names a local path only")
        return LocalStore(unquote(parts.path))
    if parts.scheme == "s3":
        from server.attachments.s3store import S3Store

        return S3Store(parts.netloc, unquote(parts.path))
    raise ValueError(f"ATTACHMENTS_URL {url!r}: use file:///path or s3://bucket/prefix")


def init_app(app: Flask) -> None:
    """Fail at start on a malformed ATTACHMENTS_URL; the store itself is made on first use,
    in each worker (a boto3 client is not shared across a fork)."""
    store_for_url(app.config.get("ATTACHMENTS_URL"), app.config.get("ATTACHMENTS_DIR"))
    app.extensions[EXTENSION] = None


def current_store() -> AttachmentStore:
    store = current_app.extensions.get(EXTENSION)
    if store is None or getattr(store, "_pid", None) != os.getpid():
        store = store_for_url(current_app.config.get("ATTACHMENTS_URL"),
                              current_app.config.get("ATTACHMENTS_DIR"))
        store._pid = os.getpid()
        current_app.extensions[EXTENSION] = store
    return store
