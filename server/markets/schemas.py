"""Shapes of the markets API beyond pull (the OpenAPI document)."""

from marshmallow import Schema, fields


class OverdueMarket(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    org_unit_id = fields.Integer()
    last_visit_at = fields.String(allow_none=True, metadata={"format": "date-time"})


class OverdueMarketsOut(Schema):
    """The open markets with no visit (rejected ones aside) in the last `days` days, longest
    unvisited first; computed_at null until the job first ran."""

    computed_at = fields.String(required=True, allow_none=True, metadata={"format": "date-time"})
    days = fields.Integer(required=True)
    markets = fields.List(fields.Nested(OverdueMarket), required=True)
