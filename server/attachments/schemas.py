"""Shapes of the attachments API (the OpenAPI document)."""

from marshmallow import Schema, fields

SHA256_PATH = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")


class AttachmentOut(Schema):
    """The stored photo (201: stored now; 200: already stored)."""

    sha256 = fields.String()
    content_type = fields.String()
    size = fields.Integer()
