"""Photo bytes on disk, content-addressed by SHA-256 (DESIGN §5 attachments, §9).

A photo is stored when its row exists *and* its file exists. The file is written first (atomically)
and the row inserted after, so a row never points at a partial file. Every check runs before
anything is written: bad input stores nothing.
"""

import hashlib
import os
import re
import tempfile
from contextlib import suppress
from pathlib import Path

from flask import current_app
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from server.auth.scope import visit_clause
from server.core.errors import ApiError
from server.core.extensions import begin_write, db
from server.models import Attachment, User, Visit, VisitAttachment

IMAGE_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WebP"}
_SHA256 = re.compile(r"[0-9a-f]{64}")


def is_sha256(value) -> bool:
    """Exactly 64 lowercase hex characters (nothing that could ever be a path)."""
    return isinstance(value, str) and _SHA256.fullmatch(value) is not None


def sniff_image_type(data: bytes) -> str | None:
    """The image type the bytes really are, by their magic bytes; None if none we accept."""
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def path_for(sha: str) -> Path:
    """ATTACHMENTS_DIR/ab/cd/<sha>: two fan-out levels keep directories small."""
    if not is_sha256(sha):
        raise ValueError("not a SHA-256 hex digest")
    return Path(current_app.config["ATTACHMENTS_DIR"]) / sha[:2] / sha[2:4] / sha


def _fsync_dir(directory: Path) -> None:
    """Make the rename durable (a no-op where directories cannot be opened, e.g. Windows)."""
    with suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_atomically(sha: str, data: bytes) -> Path:
    """Write to a temp file, fsync, rename into place, fsync the directory.
    The final name only ever holds complete bytes; the temp file never outlives a failure."""
    final = path_for(sha)
    tmp_dir = Path(current_app.config["ATTACHMENTS_DIR"]) / "tmp"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=tmp_dir, prefix=sha[:8] + ".", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(data)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp_name, final)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    _fsync_dir(final.parent)
    return final


def _check(sha: str, data: bytes, declared_type: str | None) -> str:
    """Every check of an upload, in order; returns the (verified) content type."""
    if not is_sha256(sha):
        raise ApiError(422, "validation_failed", "The address must end with the photo's SHA-256.",
                       {"sha256": ["Must be 64 lowercase hexadecimal characters."]})
    if not data:
        raise ApiError(422, "validation_failed", "The body is empty; send the image bytes.",
                       {"body": ["Must not be empty."]})
    declared = (declared_type or "").split(";")[0].strip().lower()
    if declared not in IMAGE_TYPES:
        raise ApiError(415, "unsupported_media_type",
                       "Send a JPEG, PNG or WebP photo with Content-Type image/jpeg, image/png "
                       "or image/webp.")
    if sniff_image_type(data) != declared:
        raise ApiError(415, "unsupported_media_type",
                       f"The bytes are not a {IMAGE_TYPES[declared]} image ({declared}); "
                       "nothing was stored.")
    actual = hashlib.sha256(data).hexdigest()
    if actual != sha:
        raise ApiError(422, "hash_mismatch",
                       f"The bytes hash to {actual}, not to the SHA-256 in the address; "
                       "nothing was stored.")
    return declared


def _existing(sha: str) -> Attachment | None:
    return db.session.get(Attachment, sha)


def store_attachment(sha: str, data: bytes, declared_type: str | None,
                     user: User) -> tuple[Attachment, bool]:
    """Store a photo once. Returns (row, created): created is False when it was already stored
    (row and file). A row whose file is missing gets its file written again (created True)."""
    content_type = _check(sha, data, declared_type)
    seen = _existing(sha)
    if seen is not None and path_for(sha).is_file():
        return seen, False
    write_atomically(sha, data)  # outside any write transaction: no lock held during fsync
    begin_write()  # SQLite: BEGIN IMMEDIATE, so the look and the insert are one step
    row = _existing(sha)
    if row is not None:  # a repaired file (created), or a concurrent upload's row (not)
        db.session.commit()  # release the write lock now, not at the end of the request
        return row, seen is not None
    row = Attachment(sha256=sha, content_type=content_type, size=len(data), uploaded_by=user.id)
    db.session.add(row)
    try:
        db.session.commit()
    except IntegrityError:  # PostgreSQL: the same photo, uploaded concurrently, inserted first
        db.session.rollback()
        row = _existing(sha)
        if row is None:
            raise
        return row, False
    return row, True


def stored_attachment(sha: str) -> Attachment | None:
    """The row, if the photo is fully stored (row and file)."""
    if not is_sha256(sha):
        return None
    row = _existing(sha)
    return row if row is not None and path_for(sha).is_file() else None


def visible_attachment(user: User, sha: str) -> Attachment | None:
    """The stored photo, only if a visit the user may see references it."""
    if not is_sha256(sha):
        return None
    referenced = exists(
        select(VisitAttachment.visit_id)
        .join(Visit, Visit.id == VisitAttachment.visit_id)
        .where(VisitAttachment.sha256 == sha, visit_clause(user))
    )
    row = db.session.scalar(select(Attachment).where(Attachment.sha256 == sha, referenced))
    return row if row is not None and path_for(sha).is_file() else None
