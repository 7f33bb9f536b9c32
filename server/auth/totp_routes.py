"""The signed-in user's own second factor: /me/totp (issue #17; logic in auth/totp.py)."""

from flask import g

from server.auth import totp
from server.auth.routes import bp
from server.auth.schemas import TotpCode, TotpConfirmOut, TotpStartOut
from server.auth.tokens import require_auth
from server.core.apidoc import Body, doc


@bp.post("/me/totp")
@require_auth(enrolling=True)
@doc(tags=["auth"], responses={201: TotpStartOut},
     errors={401: None, 409: "`totp_already_enabled`: turn it off first"})
def totp_start():
    """Start enrolling in two-factor sign-in. Answers a new secret and its otpauth:// URI
    (for the authenticator app's QR code); it is not active until confirmed with a code.
    Starting again replaces a secret not yet confirmed."""
    return totp.start_enrolment(g.user), 201


@bp.post("/me/totp/confirm")
@require_auth(enrolling=True)
@doc(tags=["auth"], body=TotpCode, load_body=True, responses={200: TotpConfirmOut},
     errors={400: None, 401: None, 409: "`totp_not_started` or `totp_already_enabled`",
             415: None, 422: "`invalid_otp`: not the code of the app now (or `validation_failed`)"})
def totp_confirm(body: dict):
    """Turn two-factor sign-in on with a code from the app. Answers the ten one-time recovery
    codes: the only time they are shown (only their hashes are kept)."""
    return {"recovery_codes": totp.confirm_enrolment(g.user, body["code"])}


@bp.delete("/me/totp")
@require_auth(enrolling=True)
@doc(tags=["auth"], body=TotpCode, load_body=True, responses={204: Body("turned off")},
     errors={400: None, 401: None, 409: "`totp_not_enabled`", 415: None,
             422: "`invalid_otp`: neither the app's code now nor an unused recovery code"})
def totp_disable(body: dict):
    """Turn two-factor sign-in off, proving it with a code (or a recovery code)."""
    totp.disable(g.user, body["code"])
    return "", 204
