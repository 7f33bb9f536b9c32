"""GET /reports/markets.csv: one row per market of the period's universe, with the fields of
GET /indicator/markets and the dashboard's words (UTF-8 with BOM, so Excel shows Vietnamese).

Read from the same snapshot items as the API, so the statuses add up to its counts exactly; the
units are those in force on the period's reference day (docs/INDICATOR.md)."""

import csv
import io

from server.core.periods import Period
from server.forms.enums import words
from server.indicator import report
from server.indicator.export import _iso_local

CLASSES = words("market_class")
STATUSES = words("indicator_status")
PENDING = f"{STATUSES['not_assessed']} ({STATUSES['pending_review'].lower()})"
COLUMNS = ["Kỳ báo cáo", "Mã chợ", "Tên chợ", "Hạng chợ", "Quận/Huyện/Thị xã", "Phường/Xã",
           "Kết quả", "Lượt kiểm tra làm căn cứ", "Thời điểm kiểm tra (giờ Hà Nội)",
           "Cán bộ kiểm tra", "Người duyệt", "Thời điểm duyệt (giờ Hà Nội)"]


def status_words(row: dict) -> str:
    if row["status"] == "not_assessed" and row["pending_review"]:
        return PENDING
    return STATUSES[row["status"]]


def _local(value: str | None) -> str:
    local = _iso_local(value)
    return local.strftime("%Y-%m-%d %H:%M") if local else ""


def build_markets_csv(period: Period, unit_key: int | None) -> tuple[bytes, dict]:
    listing = report.markets(period, unit_key)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for m in listing["markets"]:
        writer.writerow([
            period.id, m["market"]["code"], m["market"]["name"],
            CLASSES.get(m["market"]["market_class"], m["market"]["market_class"]),
            (m["district"] or {}).get("name") or "", (m["ward"] or {}).get("name") or "",
            status_words(m), m["visit_id"] or "", _local(m["observed_at"]),
            (m["inspector"] or {}).get("name") or "", (m["reviewer"] or {}).get("name") or "",
            _local(m["decided_at"]),
        ])
    return ("\ufeff" + out.getvalue()).encode("utf-8"), listing


def markets_filename(period: Period, listing: dict) -> str:
    code = (listing.get("org_unit") or {}).get("code") or "ha-noi"
    return f"danh-sach-cho_{period.id}_{code}.csv"
