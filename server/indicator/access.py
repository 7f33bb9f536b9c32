"""Who reads the indicator and its downloads, and the period and unit a request asks for:
shared by the indicator's routes and the report downloads (server/reports)."""

from flask import g, request

from server.core.periods import parse_period
from server.indicator.hierarchy import requested_unit

READERS = ("city_officer", "admin", "ward_officer")
FINALISERS = ("city_officer", "admin")


def period_and_unit():
    """The query's period and org unit (None: the whole city), checked against the scope."""
    period = parse_period(request.args.get("period"))
    return period, requested_unit(g.user, request.args.get("org_unit"), period)
