"""Photos: PUT the bytes under their SHA-256, HEAD to ask whether they arrived, GET to see them."""

from flask import Blueprint, g, request, send_file

from server.attachments.schemas import PHOTO_TYPES, SHA256_PATH, AttachmentOut
from server.attachments.storage import (
    open_attachment,
    store_attachment,
    stored_attachment,
    visible_attachment,
)
from server.auth.tokens import require_auth
from server.core.apidoc import Body, doc, download
from server.core.errors import ApiError
from server.core.http import API_PREFIX

bp = Blueprint("attachments", __name__, url_prefix=API_PREFIX)


@bp.route("/attachments/<sha256>", methods=["HEAD"])  # before GET, which would also take HEAD
@require_auth()
@doc(tags=["attachments"], path={"sha256": SHA256_PATH}, responses={200: Body("stored")},
     errors=(401, 404, 503))
def head_attachment(sha256: str):
    """Whether the photo's bytes are stored (any logged-in user may ask, before uploading)."""
    if not stored_attachment(sha256):
        raise ApiError(404, "not_found", "This photo is not stored.")
    return "", 200


@bp.put("/attachments/<sha256>")
@require_auth()
@doc(tags=["attachments"], path={"sha256": SHA256_PATH},
     body=download("the photo's bytes", *PHOTO_TYPES),
     responses={201: AttachmentOut, 200: AttachmentOut}, errors=(401, 413, 415, 422, 503))
def put_attachment(sha256: str):
    """Upload a photo's raw bytes under their SHA-256; repeating it is harmless."""
    data = request.get_data(cache=False, parse_form_data=False)
    content_type, created = store_attachment(sha256, data, request.mimetype, g.user.id)
    body = {"sha256": sha256, "content_type": content_type, "size": len(data)}
    if not created:
        return body, 200
    return body, 201, {"Location": f"{API_PREFIX}/attachments/{sha256}"}


@bp.get("/attachments/<sha256>")
@require_auth()
@doc(tags=["attachments"], path={"sha256": SHA256_PATH},
     responses={200: download("the photo's bytes", *PHOTO_TYPES)}, errors=(401, 404, 503))
def get_attachment(sha256: str):
    """The photo's bytes, if a visit you may see references it (else 404, whatever the reason).

    The app checks the scope and streams the bytes itself, whichever the store, rather than
    redirecting to a presigned URL: the bucket stays private and unreachable from phones, the
    photo stays same-origin (the CSP's img-src 'self', the service worker's cache), and these
    headers stay the app's."""
    row = visible_attachment(g.user, sha256)
    body = open_attachment(row.sha256) if row is not None else None
    if body is None:
        raise ApiError(404, "not_found", "There is no photo here that you may see.")
    response = send_file(body, mimetype=row.content_type, etag=row.sha256, conditional=True,
                         last_modified=row.stored_at)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, max-age=31536000, immutable"
    response.headers["Content-Disposition"] = "inline"
    return response
