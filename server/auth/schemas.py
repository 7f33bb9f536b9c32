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
    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
    role = fields.String(validate=validate.OneOf(ROLES))
    org_unit_id = fields.Integer(allow_none=True)


class TokenResponse(Schema):
    token = fields.String()
    expires_at = fields.String(metadata={"format": "date-time"})
    user = fields.Nested(UserOut)
