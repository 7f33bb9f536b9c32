"""The orphan-photo job (`attachments.delete_orphans`): photos that no visit references, stored
more than ORPHAN_PHOTO_DAYS days ago, are deleted — row first, then the object. Off by default
(ORPHAN_PHOTO_DAYS = 0): photos are evidence, so a deployment opts in.

A phone uploads its photos just before the push that references them, so a photo still
unreferenced after many days is one whose visit never came (or was edited to drop it). The row
goes first, in its own transaction and only while still unreferenced, so a push that names the
photo meanwhile finds it missing (listed in `missing_attachments`) rather than gone silently;
a HEAD then answers 404 and the phone uploads it again."""

from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, exists, select

from server.attachments.stores import StoreUnavailable, current_store
from server.core.extensions import begin_write, db
from server.core.settings import setting
from server.core.timeutil import utcnow
from server.models import Attachment, VisitAttachment

BATCH = 500


def _unreferenced():
    return ~exists(select(VisitAttachment.visit_id).where(
        VisitAttachment.sha256 == Attachment.sha256))


def delete_orphan_photos() -> dict | str:
    days = setting("ORPHAN_PHOTO_DAYS")
    if days <= 0:
        return "off (ORPHAN_PHOTO_DAYS=0)"
    cutoff = utcnow() - timedelta(days=days)
    candidates = db.session.scalars(
        select(Attachment.sha256).where(Attachment.stored_at < cutoff, _unreferenced())
        .order_by(Attachment.stored_at).limit(BATCH)).all()
    db.session.rollback()
    deleted = kept = 0
    store = current_store()
    for sha in candidates:
        begin_write()
        gone = db.session.execute(delete(Attachment).where(
            Attachment.sha256 == sha, Attachment.stored_at < cutoff, _unreferenced()))
        db.session.commit()
        if gone.rowcount != 1:  # referenced meanwhile: kept
            kept += 1
            continue
        try:
            store.delete(sha)
        except StoreUnavailable as exc:  # the row is gone: the object is unreachable garbage
            current_app.logger.warning("orphan photo %s: row deleted, object not: %s", sha, exc)
        deleted += 1
    return {"photos_deleted": deleted, "kept_referenced_meanwhile": kept}
