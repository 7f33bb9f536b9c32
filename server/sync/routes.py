from flask import Blueprint, Response, g, request

from server.auth.devices import note_sync
from server.auth.tokens import require_auth
from server.core.apidoc import doc
from server.core.errors import ApiError
from server.core.http import API_PREFIX, json_body, load
from server.sync.pull import pull
from server.sync.push import apply_push
from server.sync.schemas import (
    MAX_MUTATIONS,
    PullQuery,
    PullResponse,
    PushRequest,
    PushResponse,
    plainly_valid,
    pull_response_example,
    push_request_example,
    push_response_example,
)

bp = Blueprint("sync", __name__, url_prefix=API_PREFIX)
@bp.post("/sync/push")
@require_auth()
@doc(tags=["sync"], body=PushRequest, responses={200: PushResponse},
     errors=(400, 401, 413, 415, 422),
     examples={"request": push_request_example, 200: push_response_example})
def push():
    """Push mutations; each applies exactly once, in order, atomically on its own."""
    body = json_body()
    mutations = body.get("mutations")
    if isinstance(mutations, list) and len(mutations) > MAX_MUTATIONS:
        raise ApiError(
            413,
            "too_many_mutations",
            f"At most {MAX_MUTATIONS} mutations per push; nothing was applied.",
        )
    if not plainly_valid(body):
        body = load(PushRequest(), body)
    return {"results": apply_push(g.user, body["device_id"], body["mutations"])}


@bp.get("/sync/pull")
@require_auth()
@doc(tags=["sync"], query=PullQuery, responses={200: PullResponse}, errors=(400, 401, 410),
     examples={200: pull_response_example})
def pull_changes():
    """Pull changes of your visible set since a cursor (none: everything)."""
    limit = request.args.get("limit", "500")
    if not limit.isdigit() or not 1 <= int(limit) <= 1000:
        raise ApiError(
            400,
            "invalid_limit",
            "limit must be a whole number from 1 to 1000.",
            {"limit": ["Must be 1..1000."]},
        )
    body = pull(g.user, request.args.get("cursor") or None, int(limit))
    # Every sync of a phone ends with a pull: its last answered pull is the device's last sync
    # (a push commits exactly once, so it notes nothing of its own).
    note_sync(g.device_token)
    return Response(body, mimetype="application/json")  # already JSON: pull.py builds it
