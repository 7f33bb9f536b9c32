"""The CSV and XLSX carry the hand-computed figures to the digit (read back from the files)."""

import csv
import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from tests.factories import login
from tests.indicator import fixture
from tests.indicator.expected import EXPECTED, YEAR_MARKETS

CASES = [("2023", "HBT"), ("2023-Q1", "HBT"), ("2023-12", "HBT"), ("2023", None),
         ("2023-Q1", "HBT-1")]


@pytest.fixture
def city(client, app):
    fixture.build()
    return login(client, "city")


def download(client, headers, ext, period, unit):
    query = {"period": period, **({"org_unit": unit} if unit else {})}
    response = client.get(f"/api/v1/reports/compliance.{ext}", query_string=query,
                          headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    name = f"chi-tieu-4.4_{period}_{unit or 'ha-noi'}.{ext}"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{name}"'
    return response


def pct(share):
    """The hand figure as the CSV writes it: a percentage with two decimals."""
    return "" if share is None else f"{share * 100:.2f}"


@pytest.mark.parametrize(("period", "unit"), CASES)
def test_csv_has_the_same_figures_as_the_api(client, city, period, unit):
    response = download(client, city, "csv", period, unit)
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM, for Excel"
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    first = rows[0]
    assert first["Kỳ báo cáo"] == period
    total, compliant, non, none, pending, value, coverage, target = EXPECTED[(period, unit)]
    assert [int(first[k]) for k in ("Tổng số chợ", "Đạt", "Không đạt",
                                    "Chưa đánh giá", "Trong đó chờ duyệt")] == [
        total, compliant, non, none, pending]
    assert first["Tỷ lệ đạt (%)"] == pct(value)
    assert first["Tỷ lệ bao phủ (%)"] == pct(coverage)
    assert first["Chỉ tiêu (%)"] == pct(target)
    api = client.get("/api/v1/indicator", headers=city,
                     query_string={"period": period, **({"org_unit": unit} if unit else {})})
    children = [b["org_unit"]["code"] for b in api.get_json()["breakdown"]]
    assert [r["Mã đơn vị"] for r in rows[1:]] == children
    for row in rows[1:]:
        expected = EXPECTED[(period, row["Mã đơn vị"])]
        assert int(row["Tổng số chợ"]) == expected[0] and int(row["Đạt"]) == expected[1]
        assert row["Tỷ lệ đạt (%)"] == pct(expected[5])


@pytest.mark.parametrize(("period", "unit"), CASES)
def test_xlsx_has_the_same_figures_as_the_api(client, city, period, unit):
    book = load_workbook(io.BytesIO(download(client, city, "xlsx", period, unit).get_data()))
    assert book.sheetnames == ["Tổng hợp", "Theo đơn vị", "Danh sách chợ"]
    summary = {row[0]: (row[1], fmt) for row, fmt in (
        ([c.value for c in r], r[1].number_format) for r in book["Tổng hợp"].iter_rows(min_row=2)
    )}
    total, compliant, non, none, pending, value, coverage, target = EXPECTED[(period, unit)]
    assert [summary[k][0] for k in ("Tổng số chợ", "Đạt", "Không đạt",
                                    "Chưa đánh giá", "Trong đó chờ duyệt")] == [
        total, compliant, non, none, pending]
    assert summary["Tỷ lệ đạt"] == (value, "0.00%")  # a number, shown as a percentage
    assert summary["Tỷ lệ bao phủ"] == (coverage, "0.00%")
    assert summary["Chỉ tiêu"][0] == target
    assert summary["Kỳ báo cáo"][0] == period
    assert isinstance(summary["Từ ngày"][0], datetime)  # a real date cell
    breakdown = list(book["Theo đơn vị"].iter_rows(min_row=2, values_only=True))
    assert breakdown[0][3:10] == (total, compliant, non, none, pending, value, coverage)


def test_xlsx_lists_every_market_with_its_evidence(client, city):
    book = load_workbook(io.BytesIO(download(client, city, "xlsx", "2023", "HBT").get_data()))
    sheet = book["Danh sách chợ"]
    header = [c.value for c in sheet[1]]
    rows = {r[0]: dict(zip(header, r, strict=True))
            for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == set(YEAR_MARKETS)
    labels = {"compliant": "Đạt", "non_compliant": "Không đạt",
              "not_assessed": "Chưa đánh giá"}
    for code, (status, pending, visit_id) in YEAR_MARKETS.items():
        assert rows[code]["Trạng thái"] == labels[status]
        assert rows[code]["Chờ duyệt"] == ("Có" if pending else "Không")
        assert rows[code]["Mã lượt kiểm tra"] == visit_id
    m08 = rows["M08"]  # observed 23:30 on 31 Dec, Hanoi time: the local date is the 31st
    assert m08["Ngày kiểm tra"].date() == date(2023, 12, 31)
    assert m08["Cán bộ kiểm tra"] == "Nguyễn Văn Kiểm"
    assert m08["Người duyệt"] == "Trần Thị Duyệt"
    assert m08["Ngày duyệt"] == datetime(2024, 1, 1, 1, 0)  # 18:00 UTC on 31 Dec
    assert rows["M03"]["Mã lượt kiểm tra"] is None


def test_downloads_are_scoped_like_the_dashboard(client, city):
    ward = login(client, "ward_hbt1")
    response = client.get("/api/v1/reports/compliance.csv", headers=ward,
                          query_string={"period": "2023", "org_unit": "HBT-2"})
    assert response.status_code == 403
    response = client.get("/api/v1/reports/compliance.xlsx", headers=ward,
                          query_string={"period": "2023-Q9"})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_period"
    inspector = login(client, "insp_hbt")
    assert client.get("/api/v1/reports/compliance.csv", headers=inspector).status_code == 403
