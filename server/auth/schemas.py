from marshmallow import Schema, fields, validate

from server.models import ROLES


class TokenRequest(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=256))
    device_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    device_name = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=200)
    )


class UserOut(Schema):
    """The user (as pull and sign-in show it)."""

    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
    role = fields.String(validate=validate.OneOf(ROLES))
    org_unit_id = fields.Integer(allow_none=True)


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
            "device_name": "Samsung A14 (Thanh)"}
