"""GET /indicator, /indicator/markets, /indicator/trend and POST /indicator/final (DESIGN §7;
the exact shapes are in /work/briefs/indicator_api.md and docs)."""

from flask import Blueprint, g, request

from server.auth.tokens import require_auth
from server.core.errors import ApiError
from server.core.http import API_PREFIX, json_body
from server.core.periods import parse_period
from server.core.timeutil import iso_z
from server.indicator import report
from server.indicator.access import FINALISERS, READERS, period_and_unit
from server.indicator.hierarchy import requested_unit
from server.indicator.snapshots import finalize

bp = Blueprint("indicator", __name__, url_prefix=API_PREFIX)

@bp.get("/indicator")
@require_auth(*READERS)
def get_indicator():
    """Indicator 4.4 for a period and an org unit, with one breakdown row per child unit.
    ---
    get:
      tags: [indicator]
      security: [{bearer: []}]
      parameters:
        - name: period
          in: query
          schema: {type: string}
          description: YYYY, YYYY-Qn or YYYY-MM (UTC+7); default the current year
        - name: org_unit
          in: query
          schema: {type: string}
          description: org unit id or code; default the whole city (ward officers, their unit)
      responses:
        200:
          description: >
            {indicator, period {id, start, end}, org_unit {id, code, name, level}, markets_total,
            compliant, non_compliant, not_assessed, pending_review, value, coverage, target,
            computed_at, final, breakdown [{org_unit, counts…, value, coverage}]}
          content: {application/json: {schema: {type: object}}}
        400: {$ref: "#/components/responses/Error"}
        401: {$ref: "#/components/responses/Error"}
        403: {$ref: "#/components/responses/Error"}
    """
    return report.indicator(*period_and_unit())


@bp.get("/indicator/markets")
@require_auth(*READERS)
def get_indicator_markets():
    """Every market of the unit's universe with its status and the evidence behind it.
    ---
    get:
      tags: [indicator]
      security: [{bearer: []}]
      parameters:
        - {name: period, in: query, schema: {type: string}}
        - {name: org_unit, in: query, schema: {type: string}}
        - name: status
          in: query
          schema:
            type: string
            enum: [compliant, non_compliant, not_assessed, pending_review]
      responses:
        200:
          description: >
            {period, org_unit, computed_at, final, markets [{market {id, code, name,
            market_class}, ward, district, status, pending_review, visit_id, observed_at,
            inspector {id, name}, reviewer {id, name}, decided_at}]}
          content: {application/json: {schema: {type: object}}}
        400: {$ref: "#/components/responses/Error"}
        401: {$ref: "#/components/responses/Error"}
        403: {$ref: "#/components/responses/Error"}
    """
    status = request.args.get("status") or None
    if status is not None and status not in report.MARKET_FILTERS:
        raise ApiError(400, "invalid_query", "Some query parameters are not valid.",
                       {"status": [f"One of {', '.join(report.MARKET_FILTERS)}."]})
    return report.markets(*period_and_unit(), status)


@bp.get("/indicator/trend")
@require_auth(*READERS)
def get_indicator_trend():
    """The twelve months of a year for an org unit (the dashboard's monthly chart).
    ---
    get:
      tags: [indicator]
      security: [{bearer: []}]
      parameters:
        - {name: year, in: query, schema: {type: integer}, description: default the current year}
        - {name: org_unit, in: query, schema: {type: string}}
      responses:
        200:
          description: >
            {year, org_unit, target, months [{period, counts…, value, coverage,
            year_to_date {period (YYYY-YTDmm), counts…, value, coverage}}] (12 rows)}
          content: {application/json: {schema: {type: object}}}
        400: {$ref: "#/components/responses/Error"}
        401: {$ref: "#/components/responses/Error"}
        403: {$ref: "#/components/responses/Error"}
    """
    year = request.args.get("year")
    period = parse_period(year)  # None → the current year; a bad year → 400 invalid_period
    if period.kind != "year":
        raise ApiError(400, "invalid_period", "Give a year: YYYY.", {"year": ["Use YYYY."]})
    return report.trend(period.year, requested_unit(g.user, request.args.get("org_unit"), period))


@bp.post("/indicator/final")
@require_auth(*FINALISERS)
def post_indicator_final():
    """Mark a period final: its snapshots (city and every unit) never change afterwards.
    ---
    post:
      tags: [indicator]
      security: [{bearer: []}]
      requestBody:
        content:
          application/json:
            schema: {type: object, required: [period], properties: {period: {type: string}}}
      responses:
        200:
          description: "{period, final: true, computed_at}"
          content: {application/json: {schema: {type: object}}}
        400: {$ref: "#/components/responses/Error"}
        401: {$ref: "#/components/responses/Error"}
        403: {$ref: "#/components/responses/Error"}
        409: {$ref: "#/components/responses/Error"}
    """
    body = json_body()
    value = body.get("period")
    if not isinstance(value, str) or not value:
        raise ApiError(400, "invalid_period", "Give the period to finalise.",
                       {"period": ["Required: YYYY, YYYY-Qn or YYYY-MM."]})
    period = parse_period(value)
    city = finalize(period)
    return {"period": period.to_dict(), "final": True, "computed_at": iso_z(city.computed_at)}
