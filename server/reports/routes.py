"""GET /reports/compliance.csv and .xlsx, /reports/markets.csv (DESIGN §5, §7): downloads of
indicator 4.4."""

from flask import Blueprint, Response, g

from server.auth.tokens import require_auth
from server.core.apidoc import BINARY, Body, doc
from server.core.http import API_PREFIX
from server.indicator.access import READERS, period_and_unit
from server.indicator.export import build_csv, build_xlsx, filename
from server.indicator.market_export import build_markets_csv, markets_filename
from server.indicator.schemas import IndicatorQuery
from server.reports.schemas import ReportSettingsBody, ReportSettingsOut
from server.reports.settings import report_settings, update_report_settings

bp = Blueprint("reports", __name__, url_prefix=API_PREFIX)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(body: bytes, mimetype: str, name: str) -> Response:
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "no-store",
    })


@bp.get("/reports/compliance.csv")
@require_auth(*READERS)
@doc(tags=["reports"], query=IndicatorQuery, errors=(400, 401, 403), responses={200: Body(
         "attachment chi-tieu-4.4_<period>_<unit code or ha-noi>.csv: the unit, then its "
         "children", {"text/csv": {"schema": {"type": "string"}}})})
def compliance_csv():
    """Indicator 4.4 as CSV (UTF-8 with BOM, Vietnamese headers): the unit, then its children."""
    period, unit_key = period_and_unit()
    body, summary = build_csv(period, unit_key)
    return _download(body, "text/csv; charset=utf-8", filename(period, summary, "csv"))


@bp.get("/reports/compliance.xlsx")
@require_auth(*READERS)
@doc(tags=["reports"], query=IndicatorQuery, errors=(400, 401, 403), responses={200: Body(
         'attachment chi-tieu-4.4_<period>_<unit code or ha-noi>.xlsx: sheets "Tổng hợp", '
         '"Theo đơn vị", "Danh sách chợ"', {XLSX: {"schema": BINARY}})})
def compliance_xlsx():
    """Indicator 4.4 as XLSX: sheets "Tổng hợp", "Theo đơn vị", "Danh sách chợ"."""
    period, unit_key = period_and_unit()
    body, summary = build_xlsx(period, unit_key)
    return _download(body, XLSX, filename(period, summary, "xlsx"))


@bp.get("/reports/markets.csv")
@require_auth(*READERS)
@doc(tags=["reports"], query=IndicatorQuery, errors=(400, 401, 403), responses={200: Body(
         "attachment danh-sach-cho_<period>_<unit code or ha-noi>.csv: one row per market of "
         "the universe", {"text/csv": {"schema": {"type": "string"}}})})
def markets_csv():
    """Every market of the period's universe as CSV (UTF-8 with BOM).

    Code, name, units (in force on the period's reference day), class and status in the
    dashboard's words, evidence visit, observed, inspector, reviewer, decided: the rows of
    GET /indicator/markets."""
    period, unit_key = period_and_unit()
    body, listing = build_markets_csv(period, unit_key)
    return _download(body, "text/csv; charset=utf-8", markets_filename(period, listing))


@bp.get("/reports/settings")
@require_auth(*READERS)
@doc(tags=["reports"], responses={200: ReportSettingsOut}, errors=(401, 403))
def report_settings_get():
    """The A4 report's issuing body, document number prefix and recipient (set by the admin)."""
    return report_settings()


@bp.put("/reports/settings")
@require_auth("admin")
@doc(tags=["reports"], body=ReportSettingsBody, load_body=True,
     responses={200: ReportSettingsOut}, errors=(400, 401, 403, 415, 422))
def report_settings_put(body: dict):
    """Change the A4 report's letterhead; the recipient may not be the issuing body itself."""
    return update_report_settings(g.user, body)
