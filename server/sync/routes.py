from flask import Blueprint, g, request

from server.auth.tokens import require_auth
from server.core.errors import ApiError
from server.core.http import API_PREFIX, json_body, load
from server.sync.pull import pull
from server.sync.push import apply_push
from server.sync.schemas import MAX_MUTATIONS, PushRequest

bp = Blueprint("sync", __name__, url_prefix=API_PREFIX)


@bp.post("/sync/push")
@require_auth()
def push():
    """Push mutations; each applies exactly once, in order, atomically on its own.
    ---
    post:
      tags: [sync]
      security: [{bearer: []}]
      requestBody:
        content:
          application/json: {schema: PushRequest}
      responses:
        200: {content: {application/json: {schema: PushResponse}}}
        400: {$ref: "#/components/responses/Error"}
        401: {$ref: "#/components/responses/Error"}
        413: {$ref: "#/components/responses/Error"}
        422: {$ref: "#/components/responses/Error"}
    """
    body = json_body()
    mutations = body.get("mutations")
    if isinstance(mutations, list) and len(mutations) > MAX_MUTATIONS:
        raise ApiError(
            413,
            "too_many_mutations",
            f"At most {MAX_MUTATIONS} mutations per push; nothing was applied.",
        )
    body = load(PushRequest(), body)
    return {"results": apply_push(g.user, body["device_id"], body["mutations"])}


@bp.get("/sync/pull")
@require_auth()
def pull_changes():
    """Pull changes of your visible set since a cursor (none: everything).
    ---
    get:
      tags: [sync]
      security: [{bearer: []}]
      parameters:
        - {name: cursor, in: query, schema: {type: string}, required: false}
        - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 1000}}
      responses:
        200: {content: {application/json: {schema: PullResponse}}}
        400: {$ref: "#/components/responses/Error"}
        401: {$ref: "#/components/responses/Error"}
        410: {$ref: "#/components/responses/Error"}
    """
    limit = request.args.get("limit", "500")
    if not limit.isdigit() or not 1 <= int(limit) <= 1000:
        raise ApiError(
            400,
            "invalid_limit",
            "limit must be a whole number from 1 to 1000.",
            {"limit": ["Must be 1..1000."]},
        )
    return pull(g.user, request.args.get("cursor") or None, int(limit))
