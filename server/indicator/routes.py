"""GET /indicator, /indicator/markets, /indicator/trend and POST /indicator/final (DESIGN §7;
the exact shapes are in /work/briefs/indicator_api.md and docs)."""

from flask import Blueprint, g, request

from server.auth.tokens import require_auth
from server.core.apidoc import doc
from server.core.errors import ApiError
from server.core.http import API_PREFIX, json_body
from server.core.periods import parse_period
from server.core.timeutil import iso_z
from server.indicator import report
from server.indicator.access import FINALISERS, READERS, period_and_unit
from server.indicator.hierarchy import requested_unit
from server.indicator.schemas import (
    IndicatorFinalBody,
    IndicatorFinalOut,
    IndicatorMarketsOut,
    IndicatorMarketsQuery,
    IndicatorOut,
    IndicatorQuery,
    IndicatorTrendOut,
    IndicatorTrendQuery,
    indicator_example,
)
from server.indicator.snapshots import finalize

bp = Blueprint("indicator", __name__, url_prefix=API_PREFIX)
@bp.get("/indicator")
@require_auth(*READERS)
@doc(tags=["indicator"], query=IndicatorQuery, responses={200: IndicatorOut},
     errors=(400, 401, 403), examples={200: indicator_example})
def get_indicator():
    """Indicator 4.4 for a period and an org unit, with one breakdown row per child unit."""
    return report.indicator(*period_and_unit())


@bp.get("/indicator/markets")
@require_auth(*READERS)
@doc(tags=["indicator"], query=IndicatorMarketsQuery, responses={200: IndicatorMarketsOut},
     errors=(400, 401, 403))
def get_indicator_markets():
    """Every market of the unit's universe with its status and the evidence behind it."""
    status = request.args.get("status") or None
    if status is not None and status not in report.MARKET_FILTERS:
        raise ApiError(400, "invalid_query", "Some query parameters are not valid.",
                       {"status": [f"One of {', '.join(report.MARKET_FILTERS)}."]})
    return report.markets(*period_and_unit(), status)


@bp.get("/indicator/trend")
@require_auth(*READERS)
@doc(tags=["indicator"], query=IndicatorTrendQuery, responses={200: IndicatorTrendOut},
     errors=(400, 401, 403))
def get_indicator_trend():
    """The twelve months of a year for an org unit (the dashboard's monthly chart)."""
    year = request.args.get("year")
    period = parse_period(year)  # None → the current year; a bad year → 400 invalid_period
    if period.kind != "year":
        raise ApiError(400, "invalid_period", "Give a year: YYYY.", {"year": ["Use YYYY."]})
    return report.trend(period.year, requested_unit(g.user, request.args.get("org_unit"), period))


@bp.post("/indicator/final")
@require_auth(*FINALISERS)
@doc(tags=["indicator"], body=IndicatorFinalBody, responses={200: IndicatorFinalOut},
     errors=(400, 401, 403, 409, 415))
def post_indicator_final():
    """Mark a period final: its snapshots (city and every unit) never change afterwards."""
    body = json_body()
    value = body.get("period")
    if not isinstance(value, str) or not value:
        raise ApiError(400, "invalid_period", "Give the period to finalise.",
                       {"period": ["Required: YYYY, YYYY-Qn or YYYY-MM."]})
    period = parse_period(value)
    city = finalize(period)
    return {"period": period.to_dict(), "final": True, "computed_at": iso_z(city.computed_at)}
