"""Shapes of the review read API (the OpenAPI document); its query strings are in audit.py."""

from marshmallow import Schema, fields

from server.sync.schemas import VisitRecord


class ReviewMarketRef(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    org_unit_id = fields.Integer()


class ReviewInspectorRef(Schema):
    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()


class ReviewQueueOut(Schema):
    """One page of visits (server records), the total, and the markets and inspectors they
    mention."""

    visits = fields.List(fields.Nested(VisitRecord))
    total = fields.Integer()
    limit = fields.Integer()
    offset = fields.Integer()
    markets = fields.List(fields.Nested(ReviewMarketRef))
    inspectors = fields.List(fields.Nested(ReviewInspectorRef))


class HistoryPerson(Schema):
    id = fields.Integer()
    name = fields.String(metadata={"description": "display name, else the username"})
    username = fields.String()


class ReviewHistoryEntry(Schema):
    """A version of the visit (event submit/edit) or a review decision (event decision; it
    keeps the decision fields it always had). Ordered by rev, which every one of them raises."""

    event = fields.String(metadata={"enum": ["submit", "edit", "decision"]})
    at = fields.String(metadata={"format": "date-time"})
    rev = fields.Integer()
    by = fields.Nested(HistoryPerson)
    changes = fields.Dict(
        keys=fields.String(), values=fields.List(fields.Raw(allow_none=True)),
        metadata={"description": "edits only: {field: [old, new]} for each answer, location, "
                  "attachments, observed_at, market_id or form_version that changed"})
    decision = fields.String()
    comment = fields.String(allow_none=True)
    reviewer_id = fields.Integer()
    reviewer_username = fields.String()
    reviewer_name = fields.String(allow_none=True)
    decided_at = fields.String(metadata={"format": "date-time"})
    visit_rev = fields.Integer()


class VisitDetailOut(VisitRecord):
    """The server record plus its market, its inspector, and its history: every version
    and review decision, oldest first."""

    market = fields.Nested(ReviewMarketRef)
    inspector = fields.Nested(ReviewInspectorRef)
    history = fields.List(fields.Nested(ReviewHistoryEntry))
