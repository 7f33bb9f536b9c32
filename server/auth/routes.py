from flask import Blueprint, g, request
from sqlalchemy import select, update

from server.auth import throttle, totp
from server.auth.devices import rename_device, sign_in_name
from server.auth.schemas import (
    DeviceRename,
    DeviceRenamed,
    MeOut,
    TokenRequest,
    TokenResponse,
    token_request_example,
    token_response_example,
)
from server.auth.tokens import issue_token, require_auth
from server.auth.users import check_password
from server.core.apidoc import Body, doc
from server.core.errors import ApiError
from server.core.extensions import begin_write, db
from server.core.http import API_PREFIX
from server.core.timeutil import iso_z, utcnow
from server.models import DeviceToken, User

bp = Blueprint("auth", __name__, url_prefix=API_PREFIX)

OTP_MESSAGES = {
    totp.INVALID_OTP: "This code is not right (or the recovery code was used already).",
    totp.OTP_ALREADY_USED: "This code was used already; wait for the next one.",
}


@bp.post("/auth/token")
@doc(tags=["auth"], body=TokenRequest, load_body=True,
     responses={201: TokenResponse}, auth=False,
     errors={400: None, 401: "`invalid_credentials`; for a user with two-factor sign-in "
             "`otp_required` (send `otp`), `invalid_otp` (a wrong code: counts as a failed "
             "login) or `otp_already_used` (that code was accepted before: wait for the next)",
             415: None, 422: None, 429: None,
             503: "`totp_unavailable`: the server cannot open two-factor secrets (its "
                  "SECRET_KEY changed without SECRET_KEY_PREVIOUS); a recovery code works"},
     examples={"request": token_request_example, 201: token_response_example})
def create_token(body):
    """Log in a device. A user with two-factor sign-in also sends `otp`."""
    username = body["username"]
    begin_write()  # this request always writes (a failure or a token): lock before reading
    if throttle.too_many_failures(username):
        raise ApiError(429, "rate_limited", "Too many failed logins; wait 15 minutes.")
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None or not user.active or not check_password(user, body["password"]):
        throttle.record_failure(username, request.remote_addr)
        raise ApiError(401, "invalid_credentials", "Wrong username or password.",
                       extra={"attempts_left": throttle.attempts_left(username)})
    problem = totp.second_factor_problem(user, body["otp"])
    if problem == totp.OTP_REQUIRED:
        raise ApiError(401, problem, "Type the 6-digit code of your authenticator app.")
    if problem is not None:  # nothing was changed: the refusal is recorded as a failed login
        throttle.record_failure(username, request.remote_addr, reason=problem)
        raise ApiError(401, problem, OTP_MESSAGES[problem])
    throttle.clear_failures(username)
    name = sign_in_name(user.id, body["device_id"], body["device_name"],
                        request.headers.get("User-Agent"))
    token, record = issue_token(user, body["device_id"], name)
    db.session.commit()
    return {"token": token, "expires_at": iso_z(record.expires_at), "user": user.to_dict(),
            "totp": totp.status(user), "device_name": record.device_name}, 201


@bp.delete("/auth/token")
@require_auth(enrolling=True)
@doc(tags=["auth"], responses={204: Body("revoked")}, errors=(401,))
def revoke_token():
    """Log this device out (revoke the token used)."""
    token_id = g.device_token.id
    begin_write()
    db.session.execute(
        update(DeviceToken).where(DeviceToken.id == token_id).values(revoked_at=utcnow())
    )
    db.session.commit()
    return "", 204


@bp.get("/me")
@require_auth(enrolling=True)
@doc(tags=["auth"], responses={200: MeOut}, errors=(401,))
def me():
    """The logged-in user."""
    return {**g.user.to_dict(), "totp": totp.status(g.user)}


@bp.patch("/me/devices/<device_id>")
@require_auth()
@doc(tags=["auth"], body=DeviceRename, load_body=True, responses={200: DeviceRenamed},
     errors=(400, 401, 404, 415, 422))
def rename_my_device(body, device_id):
    """Rename one of your devices (`device_id` as sent at sign-in), as the admin's list shows it."""
    if len(device_id) > 64 or any(ord(c) < 32 or 0xD800 <= ord(c) <= 0xDFFF for c in device_id):
        raise ApiError(404, "not_found", "You have not signed in on such a device.")
    name = body["device_name"].strip()
    if not name:
        raise ApiError(422, "validation_failed", "Give the device a name.",
                       {"device_name": ["Must not be blank."]})
    if not rename_device(g.user.id, device_id, name):
        raise ApiError(404, "not_found", "You have not signed in on such a device.")
    return {"device_id": device_id, "device_name": name}
