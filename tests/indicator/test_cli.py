"""manage.py snapshot and export: the files hold the hand-computed figures."""

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from server.core.extensions import db
from server.models import IndicatorSnapshot
from tests.indicator import fixture
from tests.indicator.expected import EXPECTED


@pytest.fixture
def world(app):
    return fixture.build()


def test_snapshot_stores_the_period_for_the_city_and_every_unit(runner, world):
    result = runner.invoke(args=["snapshot", "--period", "2023-Q1"])
    assert result.exit_code == 0, result.output
    assert "2/15 markets compliant = 13.33%" in result.output
    rows = db.session.scalar(select(func.count()).select_from(IndicatorSnapshot)
                             .where(IndicatorSnapshot.period == "2023-Q1"))
    assert rows == 1 + 6  # the city, two districts, four wards
    bad = runner.invoke(args=["snapshot", "--period", "2023-Q5"])
    assert bad.exit_code != 0 and "period" in bad.output


@pytest.mark.parametrize(("period", "unit"), [("2023", "HBT"), ("2023-12", None)])
def test_export_csv(runner, world, tmp_path, period, unit):
    out = tmp_path / "report.csv"
    args = ["export", "--period", period, "--format", "csv", "--output", str(out)]
    result = runner.invoke(args=args + (["--org-unit", unit] if unit else []))
    assert result.exit_code == 0, result.output
    first = next(csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    total, compliant, non, none, pending, value, coverage, target = EXPECTED[(period, unit)]
    assert (int(first["Tổng số chợ"]), int(first["Đạt"]), int(first["Không đạt"]),
            int(first["Chưa đánh giá"]), int(first["Trong đó chờ duyệt"])) == (
        total, compliant, non, none, pending)
    assert first["Tỷ lệ đạt (%)"] == f"{value * 100:.2f}"


def test_export_xlsx_for_a_ward(runner, world, tmp_path):
    out = tmp_path / "report.xlsx"
    result = runner.invoke(args=["export", "--period", "2023-Q1", "--org-unit", "HBT-1",
                                 "--format", "xlsx", "--output", str(out)])
    assert result.exit_code == 0, result.output
    sheet = load_workbook(out)["Tổng hợp"]
    values = {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    total, compliant, non, none, pending, value, coverage, target = EXPECTED[("2023-Q1", "HBT-1")]
    assert (values["Tổng số chợ"], values["Đạt"], values["Tỷ lệ đạt"],
            values["Chỉ tiêu"]) == (total, compliant, value, target)


def test_export_refuses_an_unknown_unit(runner, world, tmp_path):
    out = tmp_path / "x.csv"
    result = runner.invoke(args=["export", "--period", "2023", "--org-unit", "NOPE",
                                 "--format", "csv", "--output", str(out)])
    assert result.exit_code != 0 and "NOPE" in result.output and not out.exists()
