from marshmallow import Schema, fields, validate

from server.models import ROLES


class TokenRequest(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=256))
    device_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    device_name = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=200)
    )
    otp = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=64),
        metadata={"description": "for a user with two-factor sign-in: the 6-digit code of "
                  "their authenticator app, or one of their recovery codes (401 otp_required "
                  "without it)"},
    )


class UserOut(Schema):
    """The user (as pull and sign-in show it)."""

    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
    role = fields.String(validate=validate.OneOf(ROLES))
    org_unit_id = fields.Integer(allow_none=True)


class TotpStatus(Schema):
    """The user's second factor: on or not, and whether their role must have one (then,
    while it is off, the token opens only /me, sign-out and the enrolment routes)."""

    enabled = fields.Boolean()
    required = fields.Boolean()


class TokenResponse(Schema):
    """Signed in: send `Authorization: Bearer <token>` from now on."""

    token = fields.String()
    expires_at = fields.String(metadata={"format": "date-time"})
    user = fields.Nested(UserOut)
    device_name = fields.String(
        allow_none=True,
        metadata={"description": "the name sent, else this phone's earlier name, else "
                                 "platform · browser from the User-Agent"},
    )
    totp = fields.Nested(TotpStatus)


class MeOut(UserOut):
    """The signed-in user, with the state of their second factor."""

    totp = fields.Nested(TotpStatus)


class TotpStartOut(Schema):
    """A new TOTP secret (inactive until confirmed): show it as a QR code of `otpauth_uri`."""

    secret = fields.String(metadata={"description": "base32, for typing into the app"})
    otpauth_uri = fields.String(metadata={"description": "otpauth://totp/… (issuer Chợ Xanh)"})


class TotpCode(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=64),
                         metadata={"description": "the 6 digits the app shows (to turn it "
                                   "off: or a recovery code)"})


class TotpConfirmOut(Schema):
    """Two-factor sign-in is on: the ten one-time recovery codes, shown this once."""

    recovery_codes = fields.List(fields.String())


class DeviceRename(Schema):
    device_name = fields.String(required=True, validate=validate.Length(min=1, max=200))


class DeviceRenamed(Schema):
    """The device's new name (every sign-in of yours on it)."""

    device_id = fields.String()
    device_name = fields.String()


# Sign-in examples for the OpenAPI document (checked against these schemas when it is built).
def token_request_example() -> dict:
    return {"username": "thanh.hbt", "password": "correct horse battery staple",
            "device_id": "phone-hbt-07", "device_name": "Samsung A14 (Thanh)"}


def token_response_example() -> dict:
    return {"token": "q3V9cX7fJm2Yk0tB1nGzR8sWfA4hLpE6uD5iTzNbO0c",
            "expires_at": "2023-05-30T01:30:00Z",
            "user": {"id": 5, "username": "thanh.hbt", "display_name": "Nguyễn Văn Thanh",
                     "role": "inspector", "org_unit_id": 3},
            "totp": {"enabled": False, "required": False},
            "device_name": "Samsung A14 (Thanh)"}
