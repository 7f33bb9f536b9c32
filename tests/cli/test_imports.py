"""CSV imports are all-or-nothing, name the bad line, and update by code (DESIGN §11)."""

from sqlalchemy import func, select

from server.core.extensions import db
from server.models import ChangeLog, Market, OrgUnit

UNITS = """code,name,level,parent_code,valid_from,valid_to
HN,Thành phố Hà Nội,city,,,
HN-HBT,Quận Hai Bà Trưng,district,HN,,2025-06-30
HN-HBT-01,Phường Phố Huế,ward,HN-HBT,,2025-06-30
HN-HBT-02,Phường Đồng Nhân,ward,HN-HBT,,2025-06-30
HN-P-HBT,Phường Hai Bà Trưng,ward,HN,2025-07-01,
"""

MARKETS = """code,name,org_unit_code,address,lat,lon,market_class,opened_on,closed_on
CHO-HOM,Chợ Hôm,HN-HBT-01,79 Phố Huế,21.0153,105.8513,1,1980-01-01,
CHO-MO,Chợ Mơ,HN-HBT-02,459C Bạch Mai,21.0003,105.8515,1,,
CHO-NHO,Chợ Nhỏ,HN-HBT-02,,,,,,2022-06-30
"""


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_org_units_import_builds_the_hierarchy_and_both_eras(runner, tmp_path):
    result = runner.invoke(args=["import-org-units", write(tmp_path, "u.csv", UNITS)])
    assert result.exit_code == 0, result.output
    assert "5 created" in result.output
    ward = db.session.scalar(select(OrgUnit).where(OrgUnit.code == "HN-HBT-01"))
    district = db.session.get(OrgUnit, ward.parent_id)
    assert district.code == "HN-HBT" and str(district.valid_to) == "2025-06-30"
    new_ward = db.session.scalar(select(OrgUnit).where(OrgUnit.code == "HN-P-HBT"))
    assert db.session.get(OrgUnit, new_ward.parent_id).code == "HN"  # no district after 2025
    assert str(new_ward.valid_from) == "2025-07-01"


def test_parent_may_come_after_child_in_the_file(runner, tmp_path):
    text = (
        "code,name,level,parent_code,valid_from,valid_to\n"
        "W,Phường A,ward,D,,\nD,Quận B,district,,,\n"
    )
    result = runner.invoke(args=["import-org-units", write(tmp_path, "u.csv", text)])
    assert result.exit_code == 0, result.output
    ward = db.session.scalar(select(OrgUnit).where(OrgUnit.code == "W"))
    assert db.session.get(OrgUnit, ward.parent_id).code == "D"


def test_reimport_updates_by_code(runner, tmp_path):
    runner.invoke(args=["import-org-units", write(tmp_path, "u.csv", UNITS)])
    renamed = UNITS.replace("Phường Phố Huế", "Phường Phố Huế (mới)")
    result = runner.invoke(args=["import-org-units", write(tmp_path, "u2.csv", renamed)])
    assert result.exit_code == 0, result.output
    assert "0 created, 5 updated" in result.output
    assert count(OrgUnit) == 5
    names = db.session.scalars(select(OrgUnit.name).where(OrgUnit.code == "HN-HBT-01")).all()
    assert names == ["Phường Phố Huế (mới)"]


def test_one_bad_org_unit_row_changes_nothing_and_names_its_line(runner, tmp_path):
    bad = UNITS.replace(
        "HN-HBT-02,Phường Đồng Nhân,ward,HN-HBT", "HN-HBT-02,Phường Đồng Nhân,wrd,HN-HBT"
    )
    result = runner.invoke(args=["import-org-units", write(tmp_path, "u.csv", bad)])
    assert result.exit_code == 1
    assert "line 5:" in result.output and "level 'wrd'" in result.output
    assert "nothing was written" in result.output
    assert count(OrgUnit) == 0
    assert count(ChangeLog) == 0


def test_every_bad_row_is_reported(runner, tmp_path):
    text = (
        "code,name,level,parent_code,valid_from,valid_to\n"
        "A,,city,,,\n"  # line 2: no name
        "B,Quận B,district,NOPE,,\n"  # line 3: unknown parent
        "C,Phường C,ward,B,2025-01-01,2024-01-01\n"  # line 4: dates reversed
        "B,Quận B lặp,district,,,\n"  # line 5: repeated code
        "E,Phường E,ward,F,,\nF,Phường F,ward,,,\n"  # line 6: a ward under a ward
    )
    result = runner.invoke(args=["import-org-units", write(tmp_path, "u.csv", text)])
    assert result.exit_code == 1
    for line in ("line 2:", "line 3:", "line 4:", "line 5:", "line 6:"):
        assert line in result.output
    assert count(OrgUnit) == 0


def test_markets_import_and_update(runner, tmp_path):
    runner.invoke(args=["import-org-units", write(tmp_path, "u.csv", UNITS)])
    result = runner.invoke(args=["import-markets", write(tmp_path, "m.csv", MARKETS)])
    assert result.exit_code == 0, result.output
    assert "3 created" in result.output
    hom = db.session.scalar(select(Market).where(Market.code == "CHO-HOM"))
    assert (hom.name, hom.market_class, hom.lat) == ("Chợ Hôm", "1", 21.0153)
    closed = db.session.scalar(select(Market).where(Market.code == "CHO-NHO"))
    assert closed.market_class == "unclassified" and str(closed.closed_on) == "2022-06-30"
    moved = MARKETS.replace("CHO-HOM,Chợ Hôm,HN-HBT-01", "CHO-HOM,Chợ Hôm,HN-HBT-02")
    result = runner.invoke(args=["import-markets", write(tmp_path, "m2.csv", moved)])
    assert "0 created, 3 updated" in result.output
    db.session.expire_all()
    assert db.session.get(Market, hom.id).org_unit_id == closed.org_unit_id
    # Pull will need to know where the market was before, to send deletes to the old scope.
    last = db.session.scalars(
        select(ChangeLog).where(ChangeLog.entity_id == str(hom.id)).order_by(ChangeLog.seq.desc())
    ).first()
    assert last.prev_org_unit_id != last.org_unit_id


def test_one_bad_market_row_changes_nothing_and_names_its_line(runner, tmp_path):
    runner.invoke(args=["import-org-units", write(tmp_path, "u.csv", UNITS)])
    bad = MARKETS.replace("21.0003", "210.003")
    result = runner.invoke(args=["import-markets", write(tmp_path, "m.csv", bad)])
    assert result.exit_code == 1
    assert "line 3: lat 210.003 nằm ngoài khoảng -90..90" in result.output
    assert count(Market) == 0


def test_market_rows_checked_for_unit_class_dates_and_coordinates(runner, tmp_path):
    runner.invoke(args=["import-org-units", write(tmp_path, "u.csv", UNITS)])
    text = (
        "code,name,org_unit_code,address,lat,lon,market_class,opened_on,closed_on\n"
        "M1,Chợ 1,NOWHERE,,,,1,,\n"
        "M2,Chợ 2,HN-HBT-01,,,,4,,\n"
        "M3,Chợ 3,HN-HBT-01,,21.0,,1,,\n"
        "M4,Chợ 4,HN-HBT-01,,,,1,2020-13-01,\n"
        "M5,Chợ 5,HN-HBT-01,,,,1,2020-01-01,2019-01-01\n"
    )
    result = runner.invoke(args=["import-markets", write(tmp_path, "m.csv", text)])
    assert result.exit_code == 1
    assert "line 2: org_unit_code 'NOWHERE'" in result.output
    assert "line 3: market_class '4'" in result.output
    assert "line 4: thiếu lon (kinh độ): cần có cả lat và lon" in result.output
    assert "line 5: opened_on '2020-13-01' không hợp lệ" in result.output
    assert "line 6: closed_on sớm hơn opened_on" in result.output
    assert count(Market) == 0


def test_dry_run_writes_nothing(runner, tmp_path):
    runner.invoke(args=["import-org-units", write(tmp_path, "u.csv", UNITS)])
    result = runner.invoke(args=["import-markets", "--dry-run", write(tmp_path, "m.csv", MARKETS)])
    assert result.exit_code == 0 and "Dry run" in result.output
    assert count(Market) == 0


def test_wrong_header_is_reported(runner, tmp_path):
    result = runner.invoke(args=["import-markets", write(tmp_path, "m.csv", "code,name\nA,B\n")])
    assert result.exit_code == 1
    assert "line 1: dòng tiêu đề thiếu cột: org_unit_code" in result.output


def test_a_file_that_is_not_utf8_is_reported_not_a_traceback(runner, tmp_path):
    path = tmp_path / "m.csv"
    path.write_bytes(MARKETS.encode("cp1258", errors="replace"))
    result = runner.invoke(args=["import-markets", str(path)])
    assert result.exit_code == 1
    assert "UTF-8" in result.output and "Traceback" not in result.output
    assert count(Market) == 0


def test_a_market_row_lists_every_one_of_its_errors(runner, tmp_path):
    """Class "4", month 13 and a missing longitude in one row: all three, not only the first."""
    runner.invoke(args=["import-org-units", write(tmp_path, "u.csv", UNITS)])
    text = (
        "code,name,org_unit_code,address,lat,lon,market_class,opened_on,closed_on\n"
        "M1,Chợ 1,HN-HBT-01,,21.0,,4,2020-13-01,\n"
    )
    result = runner.invoke(args=["import-markets", write(tmp_path, "m.csv", text)])
    assert result.exit_code == 1
    lines = [row for row in result.output.splitlines() if row.startswith("line 2:")]
    assert len(lines) == 3, result.output
    assert any("market_class '4'" in row for row in lines)
    assert any("opened_on '2020-13-01'" in row for row in lines)
    assert any("thiếu lon" in row for row in lines)
    assert "3 error(s)" in result.output
    assert count(Market) == 0


def test_dates_are_read_as_iso_or_as_vietnamese_excel_writes_them(runner, tmp_path):
    runner.invoke(args=["import-org-units", write(tmp_path, "u.csv", UNITS)])
    text = (
        "code,name,org_unit_code,address,lat,lon,market_class,opened_on,closed_on\n"
        "M1,Chợ 1,HN-HBT-01,,,,1,2020-03-05,\n"
        "M2,Chợ 2,HN-HBT-01,,,,1,05/03/2020,31/12/2024\n"
    )
    result = runner.invoke(args=["import-markets", write(tmp_path, "m.csv", text)])
    assert result.exit_code == 0, result.output
    opened = dict(db.session.execute(select(Market.code, Market.opened_on)).all())
    assert str(opened["M1"]) == str(opened["M2"]) == "2020-03-05"
    closed = db.session.scalar(select(Market.closed_on).where(Market.code == "M2"))
    assert str(closed) == "2024-12-31"


def test_other_date_forms_are_refused_naming_the_accepted_forms(runner, tmp_path):
    runner.invoke(args=["import-org-units", write(tmp_path, "u.csv", UNITS)])
    days = ["2020/03/05", "20200305", "03-05-2020", "5 Mar 2020", "31/02/2020"]
    text = "code,name,org_unit_code,address,lat,lon,market_class,opened_on,closed_on\n" + "".join(
        f"M{i},Chợ {i},HN-HBT-01,,,,1,{day},\n" for i, day in enumerate(days)
    )
    result = runner.invoke(args=["import-markets", write(tmp_path, "m.csv", text)])
    assert result.exit_code == 1
    for line in range(2, 7):
        row = next(r for r in result.output.splitlines() if r.startswith(f"line {line}:"))
        assert "YYYY-MM-DD hoặc DD/MM/YYYY" in row, row
    assert count(Market) == 0


def test_an_org_unit_row_lists_every_one_of_its_errors(runner, tmp_path):
    text = (
        "code,name,level,parent_code,valid_from,valid_to\n"
        "X,,hamlet,,2025-13-01,1/7/2025\n"
        "Y,Phường Y,ward,,01/07/2025,\n"
    )
    result = runner.invoke(args=["import-org-units", write(tmp_path, "u.csv", text)])
    assert result.exit_code == 1
    lines = [row for row in result.output.splitlines() if row.startswith("line 2:")]
    assert len(lines) == 3, result.output  # no name, the level, valid_from's month
    assert any("name không được để trống" in r for r in lines)
    assert any("level 'hamlet'" in r for r in lines)
    assert any("valid_from '2025-13-01'" in r for r in lines)
    assert not any(r.startswith("line 3:") for r in result.output.splitlines())
    assert count(OrgUnit) == 0
