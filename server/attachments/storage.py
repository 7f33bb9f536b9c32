"""Photos, content-addressed by SHA-256 (DESIGN §5 attachments, §9), in the configured store
(server/attachments/stores.py: a local folder or an S3-compatible bucket).

A photo is stored when its row exists *and* its object exists. The object is written first
(atomically) and the row inserted after, so a row never points at a partial object. Every check
(hash, magic bytes) runs before anything is written: bad input stores nothing. A store that
cannot be reached is a 503 `storage_unavailable` (the phone keeps the photo and retries).
"""

import hashlib
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from sqlalchemy import exists, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from server.attachments.stores import LocalStore, StoreUnavailable, current_store, is_sha256
from server.auth.scope import visit_clause
from server.core.errors import ApiError
from server.core.extensions import begin_write, db
from server.core.timeutil import utcnow
from server.models import Attachment, User, Visit, VisitAttachment

IMAGE_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WebP"}
__all__ = ["is_sha256", "sniff_image_type", "store_attachment", "stored_attachment",
           "visible_attachment", "open_attachment", "path_for"]


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
    """The file of a photo in the local folder store (tests and tools of the local store)."""
    store = current_store()
    if not isinstance(store, LocalStore):
        raise TypeError(f"the attachments are not in a local folder but in {store.url}")
    return store.path_for(sha)


_READ = "The photo store cannot be reached just now; try again later."
_WRITE = ("The photo store cannot be reached just now; nothing was stored. "
          "Keep the photo and try again later.")


@contextmanager
def _reachable(message: str = _READ):
    """StoreUnavailable → the API's 503 storage_unavailable (logged with its cause)."""
    try:
        yield
    except StoreUnavailable as exc:
        current_app.logger.warning("attachment store unavailable: %s", exc)
        raise ApiError(503, "storage_unavailable", message) from None


def _in_store(sha: str, message: str = _READ) -> bool:
    with _reachable(message):
        return current_store().exists(sha)


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


# Core statements on the table, not ORM ones: no ORM object is needed, and the ORM's statement
# handling was a third of a PUT's CPU.
_TABLE = Attachment.__table__


def _row_exists(sha: str) -> bool:
    return db.session.connection().execute(
        select(_TABLE.c.sha256).where(_TABLE.c.sha256 == sha)).first() is not None


def _postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _insert_once(sha: str, content_type: str, size: int, user_id: int) -> bool:
    """Insert the row unless it is there (one statement, whoever inserts first); True if this
    call inserted it. On PostgreSQL plainly (in the look's transaction if it is still open: the
    look took no lock), on SQLite in a write transaction of its own."""
    insert = pg_insert if _postgresql() else sqlite_insert
    if not _postgresql():
        begin_write()
    inserted = db.session.connection().execute(
        insert(_TABLE)
        .values(sha256=sha, content_type=content_type, size=size, uploaded_by=user_id,
                stored_at=utcnow())
        .on_conflict_do_nothing(index_elements=["sha256"])
        .returning(_TABLE.c.sha256)
    ).first() is not None
    db.session.commit()
    return inserted


def store_attachment(sha: str, data: bytes, declared_type: str | None,
                     user_id: int) -> tuple[str, bool]:
    """Store a photo once. Returns (content type, created): created is False when it was
    already stored (row and object). A row whose object is missing gets it written again
    (created True).

    One look at the row (and the store), then for a new photo the object and one INSERT … ON
    CONFLICT DO NOTHING: of two uploads of the same photo at once, the one whose insert lands
    is the 201, the other a 200. The answer is built from the checked request (the bytes are
    content-addressed: a stored row says the same), so nothing is read back."""
    content_type = _check(sha, data, declared_type)
    seen = _row_exists(sha)
    if seen and _in_store(sha, _WRITE):
        return content_type, False
    # End the read before the bytes are written on SQLite (a read transaction cannot become a
    # write one) and before a remote store's upload (no transaction idles across the network);
    # on PostgreSQL with a local folder the insert joins it (one BEGIN and COMMIT per PUT).
    if not (_postgresql() and current_store().cheap_exists):
        db.session.rollback()
    with _reachable(_WRITE):
        current_store().put(sha, data)
    # Insert even when the row was seen: the orphan job may have deleted it meanwhile.
    inserted = _insert_once(sha, content_type, len(data), user_id)
    return content_type, inserted or seen


def stored_attachment(sha: str) -> bool:
    """Whether the photo is fully stored (row and object): at most one look at each. The
    cheaper look first: in a local folder a photo not uploaded yet (the HEAD before every
    upload) costs one stat and no database work."""
    if not is_sha256(sha):
        return False
    if current_store().cheap_exists:
        return _in_store(sha) and _row_exists(sha)
    return _row_exists(sha) and _in_store(sha)


def visible_attachment(user: User, sha: str) -> Attachment | None:
    """The photo's row, only if a visit the user may see references it (the bytes are then
    read with open_attachment: one round trip to the store, not two)."""
    if not is_sha256(sha):
        return None
    referenced = exists(
        select(VisitAttachment.visit_id)
        .join(Visit, Visit.id == VisitAttachment.visit_id)
        .where(VisitAttachment.sha256 == sha, visit_clause(user))
    )
    row = db.session.scalar(select(Attachment).where(Attachment.sha256 == sha, referenced))
    return row


def open_attachment(sha: str) -> BinaryIO | None:
    """The photo's bytes as an open binary file; None if the store does not hold them (503
    if it cannot be reached)."""
    with _reachable():
        try:
            return current_store().open(sha)
        except KeyError:
            return None
