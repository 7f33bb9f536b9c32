"""GET /reports/compliance.csv and .xlsx (DESIGN §5, §7): downloads of indicator 4.4."""

from flask import Blueprint, Response

from server.auth.tokens import require_auth
from server.core.http import API_PREFIX
from server.indicator.access import READERS, period_and_unit
from server.indicator.export import build_csv, build_xlsx, filename
from server.indicator.market_export import build_markets_csv, markets_filename

bp = Blueprint("reports", __name__, url_prefix=API_PREFIX)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(body: bytes, mimetype: str, name: str) -> Response:
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "no-store",
    })


@bp.get("/reports/compliance.csv")
@require_auth(*READERS)
def compliance_csv():
    """Indicator 4.4 as CSV (UTF-8 with BOM, Vietnamese headers): the unit, then its children.
    ---
    get:
      tags: [reports]
      security: [{bearer: []}]
      parameters:
        - {name: period, in: query, schema: {type: string}}
        - {name: org_unit, in: query, schema: {type: string}}
      responses:
        200:
          description: attachment chi-tieu-4.4_<period>_<unit code or ha-noi>.csv
          content: {text/csv: {schema: {type: string}}}
        400: {$ref: "#/components/responses/Error"}
        401: {$ref: "#/components/responses/Error"}
        403: {$ref: "#/components/responses/Error"}
    """
    period, unit_key = period_and_unit()
    body, summary = build_csv(period, unit_key)
    return _download(body, "text/csv; charset=utf-8", filename(period, summary, "csv"))


@bp.get("/reports/compliance.xlsx")
@require_auth(*READERS)
def compliance_xlsx():
    """Indicator 4.4 as XLSX: sheets "Tổng hợp", "Theo đơn vị", "Danh sách chợ".
    ---
    get:
      tags: [reports]
      security: [{bearer: []}]
      parameters:
        - {name: period, in: query, schema: {type: string}}
        - {name: org_unit, in: query, schema: {type: string}}
      responses:
        200:
          description: attachment chi-tieu-4.4_<period>_<unit code or ha-noi>.xlsx
          content:
            application/vnd.openxmlformats-officedocument.spreadsheetml.sheet:
              schema: {type: string, format: binary}
        400: {$ref: "#/components/responses/Error"}
        401: {$ref: "#/components/responses/Error"}
        403: {$ref: "#/components/responses/Error"}
    """
    period, unit_key = period_and_unit()
    body, summary = build_xlsx(period, unit_key)
    return _download(body, XLSX, filename(period, summary, "xlsx"))


@bp.get("/reports/markets.csv")
@require_auth(*READERS)
def markets_csv():
    """Every market of the period's universe as CSV (UTF-8 with BOM): code, name, units (in
    force on the period's reference day), class and status in the dashboard's words, evidence
    visit, observed, inspector, reviewer, decided — the rows of GET /indicator/markets.
    ---
    get:
      tags: [reports]
      security: [{bearer: []}]
      parameters:
        - {name: period, in: query, schema: {type: string}}
        - {name: org_unit, in: query, schema: {type: string}}
      responses:
        200:
          description: attachment danh-sach-cho_<period>_<unit code or ha-noi>.csv
          content: {text/csv: {schema: {type: string}}}
        400: {$ref: "#/components/responses/Error"}
        401: {$ref: "#/components/responses/Error"}
        403: {$ref: "#/components/responses/Error"}
    """
    period, unit_key = period_and_unit()
    body, listing = build_markets_csv(period, unit_key)
    return _download(body, "text/csv; charset=utf-8", markets_filename(period, listing))
