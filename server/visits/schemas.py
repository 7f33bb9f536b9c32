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


class ReviewHistoryEntry(Schema):
    decision = fields.String()
    comment = fields.String(allow_none=True)
    reviewer_id = fields.Integer()
    reviewer_username = fields.String()
    reviewer_name = fields.String()
    decided_at = fields.String(metadata={"format": "date-time"})
    visit_rev = fields.Integer()


class VisitDetailOut(VisitRecord):
    """The server record plus its market and every review decision, oldest first."""

    market = fields.Nested(ReviewMarketRef)
    history = fields.List(fields.Nested(ReviewHistoryEntry))
