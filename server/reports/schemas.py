"""Shapes of the report settings (the A4 report's letterhead)."""

from marshmallow import Schema, fields, validate

NOT_BLANK = validate.Regexp(r"[\s\S]*\S", error="Must not be blank.")


class ReportSettingsBody(Schema):
    """Any of the three; the others keep their value."""

    issuer = fields.String(validate=[validate.Length(1, 300), NOT_BLANK], metadata={
        "description": "one line per level, the parent body first; the last line issues it"})
    number_prefix = fields.String(validate=validate.Regexp(
        r"^[0-9A-Za-zĐđ.\-]{1,40}$", error="Letters, digits, '.' and '-' only."),
        metadata={"description": 'after "Số: …/", e.g. "BC-SCT"'})
    recipient = fields.String(validate=[validate.Length(1, 300), NOT_BLANK])


class ReportSettingsOut(Schema):
    issuer = fields.String()
    number_prefix = fields.String()
    recipient = fields.String()
    updated_at = fields.String(allow_none=True, metadata={"format": "date-time"})
