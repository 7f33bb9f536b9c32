"""The audit list's query string and answers (validation and the OpenAPI document)."""

from marshmallow import EXCLUDE, Schema, fields, validate

from server.audit.record import ACTIONS
from server.core.queryparams import Moment


class AuditQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    action = fields.String(validate=validate.OneOf(ACTIONS))
    actor = fields.String(validate=validate.Length(min=1, max=64),
                          metadata={"description": "the actor's username"})
    target_type = fields.String(validate=validate.Length(min=1, max=32))
    since = Moment(metadata={"description": "from this time (a day: its Hanoi midnight)"})
    until = Moment(metadata={"description": "up to this time (a day: the whole day)"})


class AuditPageQuery(AuditQuery):
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 500))
    cursor = fields.String(validate=validate.Regexp(r"^[1-9][0-9]{0,17}$"),
                           metadata={"description": "the `cursor` of the previous page"})


class AuditActor(Schema):
    id = fields.Integer()
    username = fields.String()


class AuditTarget(Schema):
    type = fields.String()
    id = fields.String(allow_none=True)
    label = fields.String(allow_none=True)


class AuditEventOut(Schema):
    """One administrative act: who (null: nobody signed in, e.g. the command line or a failed
    login), when, what, on what, with what (never a password, token or secret)."""

    id = fields.Integer()
    at = fields.String(metadata={"format": "date-time"})
    actor = fields.Nested(AuditActor, allow_none=True)
    action = fields.String(validate=validate.OneOf(ACTIONS))
    target = fields.Nested(AuditTarget)
    details = fields.Dict()
    ip = fields.String()
    device_id = fields.String()


class AuditPage(Schema):
    """Newest first; `cursor` (null on the last page) asks for the next, older page."""

    events = fields.List(fields.Nested(AuditEventOut))
    cursor = fields.String(allow_none=True)
    has_more = fields.Boolean()
