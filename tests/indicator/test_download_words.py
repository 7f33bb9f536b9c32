"""Every enumeration in every download is in words, never the API's value (issue #14): the
compliance CSV and XLSX, the markets CSV and the review audit CSV; the words are
shared_schema/enums.json's, the ones the screens show."""

import csv
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from server.core.extensions import db
from server.models import Market
from tests.factories import decision, login, push, upsert, visit_data
from tests.indicator import fixture

ENUMS = json.loads((Path(__file__).resolve().parents[2] / "shared_schema" / "enums.json")
                   .read_text(encoding="utf-8"))
# API values no reader should meet in a cell ("1".."3" are also plain numbers: left out).
RAW = {e["value"] for name, entries in ENUMS.items() if not name.startswith("$")
       for e in entries} - {"1", "2", "3"}


@pytest.fixture
def city(client, app):
    fixture.build()
    # One market of each kind of class: the XLSX once showed the raw "unclassified".
    market = db.session.scalar(select(Market).where(Market.code == "M01"))
    market.market_class = "unclassified"
    db.session.commit()
    return login(client, "city")


def csv_cells(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def raw_values(rows) -> set:
    return {str(cell) for row in rows for cell in row if cell is not None} & RAW


def test_compliance_csv_and_xlsx_have_words(client, city):
    query = {"period": "2023", "org_unit": "HBT"}
    rows = csv_cells(client.get("/api/v1/reports/compliance.csv", query_string=query,
                                headers=city).get_data())
    assert raw_values(rows) == set()
    assert {r[rows[0].index("Cấp")] for r in rows[1:]} <= set(
        e["label"]["vi"] for e in ENUMS["org_unit_level"])
    book = load_workbook(io.BytesIO(client.get(
        "/api/v1/reports/compliance.xlsx", query_string=query, headers=city).get_data()))
    for sheet in book.worksheets:
        assert raw_values(sheet.iter_rows(values_only=True)) == set(), sheet.title
    markets = list(book["Danh sách chợ"].iter_rows(values_only=True))
    classes = {r[markets[0].index("Hạng chợ")] for r in markets[1:]}
    assert classes == {"Chợ chưa xếp hạng", "Chợ hạng 3"}
    assert classes <= {e["label"]["vi"] for e in ENUMS["market_class"]}
    statuses = {r[markets[0].index("Trạng thái")] for r in markets[1:]}
    assert statuses == {"Đạt", "Không đạt", "Chưa đánh giá"}
    summary = {r[0]: r[1] for r in book["Tổng hợp"].iter_rows(min_row=2, values_only=True)}
    assert "Trong đó chờ duyệt" in summary  # part of "Chưa đánh giá", not a fifth category


def test_markets_csv_has_words(client, city):
    rows = csv_cells(client.get("/api/v1/reports/markets.csv",
                                query_string={"period": "2023", "org_unit": "HBT"},
                                headers=city).get_data())
    assert raw_values(rows) == set()
    header = rows[0]
    assert {r[header.index("Hạng chợ")] for r in rows[1:]} <= {
        e["label"]["vi"] for e in ENUMS["market_class"]}
    assert {r[header.index("Kết quả")] for r in rows[1:]} <= {
        "Đạt", "Không đạt", "Chưa đánh giá", "Chưa đánh giá (chờ duyệt)"}


def test_review_audit_csv_has_decisions_in_words(client, world):
    ward, inspector = login(client, "ward_hbt"), login(client, "insp_hbt")
    ids = []
    for _ in range(2):
        [created] = push(client, inspector, upsert(visit_data(world["markets"]["hom"])))
        ids.append(created["record"]["id"])
    push(client, ward, decision(ids[0], 1, "approve"), decision(ids[1], 1, "return", "Chụp lại"))
    push(client, login(client, "city"), decision(ids[0], 2, "reopen", "Xem lại"))
    rows = csv_cells(client.get("/api/v1/review/decisions.csv", headers=ward).get_data())
    assert [r[rows[0].index("Quyết định")] for r in rows[1:]] == ["Duyệt", "Trả lại", "Mở lại"]
    assert raw_values(r[6:7] for r in rows[1:]) == set()
