"""GET /reports/markets.csv: one row per market of the universe, the hand-computed statuses
(tests/indicator/expected.py) in the dashboard's words, the same counts as GET /indicator."""

import csv
import io

import pytest

from tests.factories import login
from tests.indicator import fixture
from tests.indicator.expected import EXPECTED, YEAR_MARKETS

WORDS = {"compliant": "Đạt", "non_compliant": "Không đạt", "not_assessed": "Chưa đánh giá"}


@pytest.fixture
def city(client, app):
    fixture.build()
    return login(client, "city")


def download(client, headers, **query):
    response = client.get("/api/v1/reports/markets.csv", query_string=query, headers=headers)
    return response


def rows_of(response):
    body = response.get_data()
    assert body.startswith("\ufeff".encode())  # the BOM, for Excel
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def test_every_market_with_its_hand_computed_status(client, city):
    response = download(client, city, period="2023", org_unit="HBT")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="danh-sach-cho_2023_HBT.csv"')
    assert response.mimetype == "text/csv"
    rows = {row["Mã chợ"]: row for row in rows_of(response)}
    assert set(rows) == set(YEAR_MARKETS)  # M11 closed in 2022, B01 in another district
    for code, (status, pending, visit_id) in YEAR_MARKETS.items():
        words = WORDS[status] + (" (chờ duyệt)" if pending else "")
        assert (rows[code]["Kết quả"], rows[code]["Lượt kiểm tra làm căn cứ"]) == (
            words, visit_id or ""), code
    m08 = rows["M08"]
    assert (m08["Tên chợ"], m08["Hạng chợ"], m08["Quận/Huyện/Thị xã"], m08["Phường/Xã"]) == (
        "Chợ M08", "Chợ hạng 3", "Quận Hai Bà Trưng", "Phường Đồng Nhân")
    assert m08["Thời điểm kiểm tra (giờ Hà Nội)"] == "2023-12-31 23:30"
    assert m08["Cán bộ kiểm tra"] == "Nguyễn Văn Kiểm" and m08["Người duyệt"] == "Trần Thị Duyệt"
    assert m08["Thời điểm duyệt (giờ Hà Nội)"] == "2024-01-01 01:00"
    assert rows["M03"]["Cán bộ kiểm tra"] == "" and rows["M03"]["Người duyệt"] == ""


@pytest.mark.parametrize(("period", "unit"), [("2023", None), ("2023-Q1", "HBT-1"),
                                              ("2023-12", "HBT")])
def test_the_counts_are_the_apis(client, city, period, unit):
    query = {"period": period, **({"org_unit": unit} if unit else {})}
    rows = rows_of(download(client, city, **query))
    total, compliant, non, none, pending, *_ = EXPECTED[(period, unit)]
    words = [row["Kết quả"] for row in rows]
    assert len(rows) == total
    assert (words.count("Đạt"), words.count("Không đạt")) == (compliant, non)
    assert sum(w.startswith("Chưa đánh giá") for w in words) == none
    assert sum(w.endswith("(chờ duyệt)") for w in words) == pending


def test_scoped_and_checked_like_the_compliance_csv(client, city):
    ward = login(client, "ward_hbt1")
    assert download(client, ward, period="2023", org_unit="HBT-2").status_code == 403
    assert download(client, ward, period="2023").status_code == 200  # their own ward
    bad = download(client, ward, period="2023-Q9")
    assert bad.status_code == 400 and bad.get_json()["error"]["code"] == "invalid_period"
    assert download(client, login(client, "insp_hbt"), period="2023").status_code == 403
    assert download(client, city, period="2023", org_unit="NOPE").status_code == 400


def test_units_are_those_in_force_for_the_period_in_the_csv_and_the_xlsx(client, city, runner,
                                                                        tmp_path):
    from openpyxl import load_workbook

    from tests.indicator.test_reorganisation import reorganise

    reorganise(runner, tmp_path, {})
    old = {row["Mã chợ"]: row for row in rows_of(download(client, city, period="2023"))}
    assert (old["M08"]["Quận/Huyện/Thị xã"], old["M08"]["Phường/Xã"]) == (
        "Quận Hai Bà Trưng", "Phường Đồng Nhân")
    new = {row["Mã chợ"]: row for row in rows_of(download(client, city, period="2025"))}
    assert (new["M08"]["Quận/Huyện/Thị xã"], new["M08"]["Phường/Xã"]) == ("", "Phường Hoàn Kiếm")
    assert new["B01"]["Phường/Xã"] == "Xã Sóc Sơn"
    response = client.get("/api/v1/reports/compliance.xlsx", headers=city,
                          query_string={"period": "2025"})
    sheet = load_workbook(io.BytesIO(response.get_data()))["Danh sách chợ"]
    places = {row[0]: (row[3], row[4]) for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert places["M08"] == (None, "Phường Hoàn Kiếm") and places["B01"] == (None, "Xã Sóc Sơn")
