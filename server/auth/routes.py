from flask import Blueprint, g, request
from sqlalchemy import select, update

from server.auth import throttle
from server.auth.schemas import TokenRequest
from server.auth.tokens import issue_token, require_auth
from server.auth.users import check_password
from server.core.errors import ApiError
from server.core.extensions import begin_write, db
from server.core.http import API_PREFIX, json_body, load
from server.core.timeutil import iso_z, utcnow
from server.models import DeviceToken, User

bp = Blueprint("auth", __name__, url_prefix=API_PREFIX)


@bp.post("/auth/token")
def create_token():
    """Log in a device.
    ---
    post:
      tags: [auth]
      requestBody:
        content:
          application/json: {schema: TokenRequest}
      responses:
        201: {content: {application/json: {schema: TokenResponse}}}
        401: {$ref: "#/components/responses/Error"}
        422: {$ref: "#/components/responses/Error"}
        429: {$ref: "#/components/responses/Error"}
    """
    body = load(TokenRequest(), json_body())
    username = body["username"]
    begin_write()  # this request always writes (a failure or a token): lock before reading
    if throttle.too_many_failures(username):
        raise ApiError(429, "rate_limited", "Too many failed logins; wait 15 minutes.")
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None or not user.active or not check_password(user, body["password"]):
        throttle.record_failure(username, request.remote_addr)
        raise ApiError(401, "invalid_credentials", "Wrong username or password.")
    throttle.clear_failures(username)
    token, record = issue_token(user, body["device_id"], body["device_name"])
    db.session.commit()
    return {"token": token, "expires_at": iso_z(record.expires_at), "user": user.to_dict()}, 201


@bp.delete("/auth/token")
@require_auth()
def revoke_token():
    """Log this device out (revoke the token used).
    ---
    delete:
      tags: [auth]
      security: [{bearer: []}]
      responses:
        204: {description: revoked}
        401: {$ref: "#/components/responses/Error"}
    """
    token_id = g.device_token.id
    begin_write()
    db.session.execute(
        update(DeviceToken).where(DeviceToken.id == token_id).values(revoked_at=utcnow())
    )
    db.session.commit()
    return "", 204


@bp.get("/me")
@require_auth()
def me():
    """The logged-in user.
    ---
    get:
      tags: [auth]
      security: [{bearer: []}]
      responses:
        200: {content: {application/json: {schema: UserOut}}}
        401: {$ref: "#/components/responses/Error"}
    """
    return g.user.to_dict()
