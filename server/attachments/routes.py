"""Photos: PUT the bytes under their SHA-256, HEAD to ask whether they arrived, GET to see them."""

from flask import Blueprint, g, request, send_file

from server.attachments.storage import (
    path_for,
    store_attachment,
    stored_attachment,
    visible_attachment,
)
from server.auth.tokens import require_auth
from server.core.errors import ApiError
from server.core.http import API_PREFIX

bp = Blueprint("attachments", __name__, url_prefix=API_PREFIX)


@bp.route("/attachments/<sha256>", methods=["HEAD"])  # before GET, which would also take HEAD
@require_auth()
def head_attachment(sha256: str):
    """Whether the photo's bytes are stored (any logged-in user may ask, before uploading).
    ---
    head:
      tags: [attachments]
      security: [{bearer: []}]
      parameters: [{name: sha256, in: path, required: true,
                    schema: {type: string, pattern: "^[0-9a-f]{64}$"}}]
      responses:
        200: {description: stored}
        401: {description: no valid token}
        404: {description: not stored}
    """
    if stored_attachment(sha256) is None:
        raise ApiError(404, "not_found", "This photo is not stored.")
    return "", 200


@bp.put("/attachments/<sha256>")
@require_auth()
def put_attachment(sha256: str):
    """Upload a photo's raw bytes under their SHA-256; repeating it is harmless.
    ---
    put:
      tags: [attachments]
      security: [{bearer: []}]
      parameters: [{name: sha256, in: path, required: true,
                    schema: {type: string, pattern: "^[0-9a-f]{64}$"}}]
      requestBody:
        required: true
        content:
          image/jpeg: {schema: {type: string, format: binary}}
          image/png: {schema: {type: string, format: binary}}
          image/webp: {schema: {type: string, format: binary}}
      responses:
        201: {description: stored now, content: {application/json: {schema: &attachment
          {type: object, properties: {sha256: {type: string}, content_type: {type: string},
                                      size: {type: integer}}}}}}
        200: {description: already stored, content: {application/json: {schema: *attachment}}}
        401: {$ref: "#/components/responses/Error"}
        413: {$ref: "#/components/responses/Error"}
        415: {$ref: "#/components/responses/Error"}
        422: {$ref: "#/components/responses/Error"}
    """
    data = request.get_data(cache=False, parse_form_data=False)
    row, created = store_attachment(sha256, data, request.mimetype, g.user)
    body = {"sha256": row.sha256, "content_type": row.content_type, "size": row.size}
    if not created:
        return body, 200
    return body, 201, {"Location": f"{API_PREFIX}/attachments/{row.sha256}"}


@bp.get("/attachments/<sha256>")
@require_auth()
def get_attachment(sha256: str):
    """The photo's bytes, if a visit you may see references it (else 404, whatever the reason).
    ---
    get:
      tags: [attachments]
      security: [{bearer: []}]
      parameters: [{name: sha256, in: path, required: true,
                    schema: {type: string, pattern: "^[0-9a-f]{64}$"}}]
      responses:
        200:
          description: the photo's bytes
          content:
            image/jpeg: {schema: {type: string, format: binary}}
            image/png: {schema: {type: string, format: binary}}
            image/webp: {schema: {type: string, format: binary}}
        401: {$ref: "#/components/responses/Error"}
        404: {$ref: "#/components/responses/Error"}
    """
    row = visible_attachment(g.user, sha256)
    if row is None:
        raise ApiError(404, "not_found", "There is no photo here that you may see.")
    response = send_file(path_for(row.sha256), mimetype=row.content_type, etag=row.sha256,
                         conditional=True)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, max-age=31536000, immutable"
    response.headers["Content-Disposition"] = "inline"
    return response
