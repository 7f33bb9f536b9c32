"""The compliance downloads: the same figures as GET /indicator, to the digit.

CSV: UTF-8 with BOM (so Excel shows Vietnamese), the unit's row then one row per child unit;
shares as percentages with two decimals (the API's 4-decimal fraction × 100).
XLSX: "Tổng hợp" (figures and target), "Theo đơn vị" (breakdown), "Danh sách chợ" (every
market with its evidence); numbers as numbers (percent format), dates as real local dates."""

import csv
import io
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from server.core.periods import Period, to_local
from server.forms.enums import word, words
from server.indicator import report

# Every enumeration in words (shared_schema/enums.json), as the screens word them.
LEVELS = words("org_unit_level")
STATUSES = words("indicator_status")
PENDING_OF_WHICH = f"Trong đó {STATUSES['pending_review'].lower()}"
TITLE = ("Chỉ tiêu 4.4 (Kế hoạch 293/KH-UBND): tỷ lệ chợ truyền thống không sử dụng "
         "túi nilon khó phân hủy")
UNIT_COLUMNS = ["Đơn vị", "Mã đơn vị", "Cấp", "Tổng số chợ", STATUSES["compliant"],
                STATUSES["non_compliant"], STATUSES["not_assessed"], PENDING_OF_WHICH,
                "Tỷ lệ đạt (%)", "Tỷ lệ bao phủ (%)", "Chỉ tiêu (%)"]
MARKET_COLUMNS = ["Mã chợ", "Tên chợ", "Hạng chợ", "Quận/Huyện", "Phường/Xã", "Trạng thái",
                  STATUSES["pending_review"], "Mã lượt kiểm tra", "Ngày kiểm tra",
                  "Cán bộ kiểm tra", "Người duyệt", "Ngày duyệt"]
COUNT_FIELDS = ("markets_total", "compliant", "non_compliant", "not_assessed", "pending_review")
PERCENT = "0.00%"
DATE = "DD/MM/YYYY"
DATETIME = "DD/MM/YYYY HH:MM"


def filename(period: Period, summary: dict, ext: str) -> str:
    code = summary["org_unit"]["code"] or "ha-noi"
    return f"chi-tieu-4.4_{period.id}_{code}.{ext}"


def percent_text(share: float | None) -> str:
    return "" if share is None else f"{share * 100:.2f}"


def _unit_cells(unit: dict, row: dict, target: float | None) -> list:
    return [unit["name"], unit["code"] or "", LEVELS.get(unit["level"], unit["level"]),
            *(row[f] for f in COUNT_FIELDS), row["value"], row["coverage"], target]


def unit_rows(summary: dict) -> list[list]:
    """The unit itself, then its breakdown (shares as fractions, None when undefined)."""
    rows = [_unit_cells(summary["org_unit"], summary, summary["target"])]
    rows += [_unit_cells(b["org_unit"], b, None) for b in summary["breakdown"]]
    return rows


def build_csv(period: Period, unit_key: int | None) -> tuple[bytes, dict]:
    summary = report.indicator(period, unit_key)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Kỳ báo cáo", "Từ ngày", "Đến ngày", *UNIT_COLUMNS,
                     "Thời điểm tính (giờ Hà Nội)", "Số liệu"])
    computed = _iso_local(summary["computed_at"])
    state = "Chính thức" if summary["final"] else "Tạm tính"
    for cells in unit_rows(summary):
        *head, value, coverage, target = cells
        writer.writerow([period.id, period.start.isoformat(), period.end.isoformat(), *head,
                         percent_text(value), percent_text(coverage), percent_text(target),
                         computed.strftime("%Y-%m-%d %H:%M:%S"), state])
    return ("\ufeff" + out.getvalue()).encode("utf-8"), summary


def _iso_local(value: str | None) -> datetime | None:
    if value is None:
        return None
    return to_local(datetime.fromisoformat(value.rstrip("Z")))


def _header(sheet, names: list[str]) -> None:
    sheet.append(names)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"


def _widths(sheet, widths: list[int]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def _summary_sheet(sheet, period: Period, summary: dict) -> None:
    sheet.title = "Tổng hợp"
    sheet.append([TITLE])
    sheet["A1"].font = Font(bold=True)
    lines = [
        ("Kỳ báo cáo", period.id, None), ("Từ ngày", period.start, DATE),
        ("Đến ngày", period.end, DATE), ("Đơn vị", summary["org_unit"]["name"], None),
        ("Tổng số chợ", summary["markets_total"], None),
        (STATUSES["compliant"], summary["compliant"], None),
        (STATUSES["non_compliant"], summary["non_compliant"], None),
        (STATUSES["not_assessed"], summary["not_assessed"], None),
        (PENDING_OF_WHICH, summary["pending_review"], None),
        ("Tỷ lệ đạt", summary["value"], PERCENT),
        ("Tỷ lệ bao phủ", summary["coverage"], PERCENT),
        ("Chỉ tiêu", summary["target"], PERCENT),
        ("Thời điểm tính (giờ Hà Nội)", _iso_local(summary["computed_at"]), DATETIME),
        ("Số liệu", "Chính thức" if summary["final"] else "Tạm tính", None),
    ]
    for label, value, number_format in lines:
        sheet.append([label, value])
        if number_format:
            sheet.cell(row=sheet.max_row, column=2).number_format = number_format
    _widths(sheet, [30, 40])


def _breakdown_sheet(sheet, summary: dict) -> None:
    _header(sheet, UNIT_COLUMNS)
    for cells in unit_rows(summary):
        sheet.append(cells)
        for column in (9, 10, 11):
            sheet.cell(row=sheet.max_row, column=column).number_format = PERCENT
    _widths(sheet, [30, 12, 18, 12, 10, 14, 14, 10, 16, 16, 12])


def _market_sheet(sheet, listing: dict) -> None:
    _header(sheet, MARKET_COLUMNS)
    for m in listing["markets"]:
        observed = _iso_local(m["observed_at"])
        decided = _iso_local(m["decided_at"])
        sheet.append([
            m["market"]["code"], m["market"]["name"],
            word("market_class", m["market"]["market_class"]),
            (m["district"] or {}).get("name"), (m["ward"] or {}).get("name"),
            STATUSES[m["status"]], "Có" if m["pending_review"] else "Không", m["visit_id"],
            observed.date() if observed else None,
            (m["inspector"] or {}).get("name"), (m["reviewer"] or {}).get("name"), decided,
        ])
        sheet.cell(row=sheet.max_row, column=9).number_format = DATE
        sheet.cell(row=sheet.max_row, column=12).number_format = DATETIME
    _widths(sheet, [12, 34, 10, 24, 24, 16, 10, 38, 14, 28, 28, 18])


def build_xlsx(period: Period, unit_key: int | None) -> tuple[bytes, dict]:
    summary = report.indicator(period, unit_key)
    listing = report.markets(period, unit_key)
    book = Workbook()
    _summary_sheet(book.active, period, summary)
    _breakdown_sheet(book.create_sheet("Theo đơn vị"), summary)
    _market_sheet(book.create_sheet("Danh sách chợ"), listing)
    book.properties.title = TITLE
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), summary


