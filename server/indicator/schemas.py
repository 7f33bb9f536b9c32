"""Shapes of the indicator API (DESIGN §7): its query strings and answers, for the OpenAPI
document. The routes read the query themselves (their own error codes: invalid_period, …)."""

from marshmallow import Schema, fields, validate

from server.indicator.report import MARKET_FILTERS

UNIT_LEVELS = ("city", "district", "ward", "commune")


class IndicatorQuery(Schema):
    period = fields.String(metadata={
        "description": "YYYY, YYYY-Qn or YYYY-MM (UTC+7); default the current year"})
    org_unit = fields.String(metadata={
        "description": "org unit id or code; default the whole city (ward officers: their unit)"})


class IndicatorMarketsQuery(IndicatorQuery):
    status = fields.String(validate=validate.OneOf(MARKET_FILTERS))


class IndicatorTrendQuery(Schema):
    year = fields.Integer(metadata={"description": "default the current year"})
    org_unit = fields.String(metadata={"description": "org unit id or code"})


class IndicatorFinalBody(Schema):
    period = fields.String(required=True, metadata={"description": "YYYY, YYYY-Qn or YYYY-MM"})


class PeriodOut(Schema):
    id = fields.String(metadata={"description": "2023, 2023-Q1 or 2023-03"})
    start = fields.String(metadata={"format": "date"})
    end = fields.String(metadata={"format": "date"})


class IndicatorUnit(Schema):
    """An org unit; the whole city has id and code null."""

    id = fields.Integer(allow_none=True)
    code = fields.String(allow_none=True)
    name = fields.String()
    level = fields.String(validate=validate.OneOf(UNIT_LEVELS))


class IndicatorFigures(Schema):
    markets_total = fields.Integer()
    compliant = fields.Integer()
    non_compliant = fields.Integer()
    not_assessed = fields.Integer()
    pending_review = fields.Integer()
    value = fields.Float(allow_none=True, metadata={"description": "compliant / markets_total"})
    coverage = fields.Float(allow_none=True,
                            metadata={"description": "(compliant + non_compliant) / total"})


class IndicatorBreakdownRow(IndicatorFigures):
    org_unit = fields.Nested(IndicatorUnit)


class IndicatorOut(IndicatorFigures):
    """Indicator 4.4 of the unit for the period, with one breakdown row per child unit."""

    indicator = fields.String()
    period = fields.Nested(PeriodOut)
    org_unit = fields.Nested(IndicatorUnit)
    target = fields.Float(allow_none=True)
    computed_at = fields.String(metadata={"format": "date-time"})
    final = fields.Boolean()
    breakdown = fields.List(fields.Nested(IndicatorBreakdownRow))


class UnitRef(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()


class PersonRef(Schema):
    id = fields.Integer()
    name = fields.String()


class IndicatorMarketRef(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    market_class = fields.String()


class IndicatorMarketRow(Schema):
    market = fields.Nested(IndicatorMarketRef)
    ward = fields.Nested(UnitRef, allow_none=True)
    district = fields.Nested(UnitRef, allow_none=True)
    status = fields.String()
    pending_review = fields.Boolean()
    visit_id = fields.String(allow_none=True)
    observed_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    inspector = fields.Nested(PersonRef, allow_none=True)
    reviewer = fields.Nested(PersonRef, allow_none=True)
    decided_at = fields.String(allow_none=True, metadata={"format": "date-time"})


class IndicatorMarketsOut(Schema):
    """Every market of the unit's universe with its status and the evidence behind it."""

    period = fields.Nested(PeriodOut)
    org_unit = fields.Nested(IndicatorUnit)
    computed_at = fields.String(metadata={"format": "date-time"})
    final = fields.Boolean()
    markets = fields.List(fields.Nested(IndicatorMarketRow))


class TrendFigures(Schema):
    """A month's figures; all null where the unit was not in force on its reference day (a
    new ward before 1 July 2025)."""

    period = fields.Nested(PeriodOut)
    markets_total = fields.Integer(allow_none=True)
    compliant = fields.Integer(allow_none=True)
    non_compliant = fields.Integer(allow_none=True)
    not_assessed = fields.Integer(allow_none=True)
    pending_review = fields.Integer(allow_none=True)
    value = fields.Float(allow_none=True, metadata={"description": "compliant / markets_total"})
    coverage = fields.Float(allow_none=True,
                            metadata={"description": "(compliant + non_compliant) / total"})


class IndicatorMonth(TrendFigures):
    year_to_date = fields.Nested(TrendFigures, metadata={
        "description": "1 January to the month's end (period YYYY-YTDmm), as GET /indicator "
                       "gives it; December's equals the year's"})


class IndicatorTrendOut(Schema):
    """The twelve months of the year (12 rows)."""

    year = fields.Integer()
    org_unit = fields.Nested(IndicatorUnit)
    target = fields.Float(allow_none=True)
    months = fields.List(fields.Nested(IndicatorMonth))


class IndicatorFinalOut(Schema):
    """The period is final: its snapshots never change afterwards."""

    period = fields.Nested(PeriodOut)
    final = fields.Boolean()
    computed_at = fields.String(metadata={"format": "date-time"})


def indicator_example() -> dict:
    """Hai Bà Trưng in Q1 2023 (an example for the OpenAPI document)."""
    def figures(total, compliant, non_compliant, pending):
        assessed = compliant + non_compliant
        return {"markets_total": total, "compliant": compliant, "non_compliant": non_compliant,
                "not_assessed": total - assessed, "pending_review": pending,
                "value": round(compliant / total, 4), "coverage": round(assessed / total, 4)}

    return {
        "indicator": "4.4", "period": {"id": "2023-Q1", "start": "2023-01-01",
                                       "end": "2023-03-31"},
        "org_unit": {"id": 2, "code": "HBT", "name": "Quận Hai Bà Trưng", "level": "district"},
        **figures(12, 7, 3, 1), "target": 0.8, "computed_at": "2023-04-01T00:05:00Z",
        "final": False,
        "breakdown": [
            {"org_unit": {"id": 3, "code": "HBT-1", "name": "Phường Phố Huế", "level": "ward"},
             **figures(5, 4, 1, 0)},
            {"org_unit": {"id": 4, "code": "HBT-2", "name": "Phường Đồng Nhân",
                          "level": "ward"}, **figures(7, 3, 2, 1)},
        ],
    }
