"""Hanoi's 1 July 2025 reorganisation (docs/INDICATOR.md): markets move to the new units with
history, and a period's figures use the units and assignments in force on its reference day.

The world: the fixture's two districts (four wards) end on 2025-06-30; two new units, Phường
Hoàn Kiếm (ward) and Xã Sóc Sơn (commune), start on 2025-07-01 directly under the city; every
market moves to them on that day through `import-markets`."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from server.core.extensions import db
from server.core.periods import local_today
from server.indicator.snapshots import recompute_dirty
from server.markets.moves import apply_due_moves
from server.models import ChangeLog, Market, MarketAssignment, OrgUnit
from tests.factories import apply_changes, login, make_user, pull_all
from tests.indicator import fixture

FIGURES = ("markets_total", "compliant", "non_compliant", "not_assessed", "pending_review",
           "value", "coverage")
NEW_UNITS = (
    "code,name,level,parent_code,valid_from,valid_to\n"
    "HBT,Quận Hai Bà Trưng,district,HN,,2025-06-30\n"
    "HBT-1,Phường Phố Huế,ward,HBT,,2025-06-30\n"
    "HBT-2,Phường Đồng Nhân,ward,HBT,,2025-06-30\n"
    "BD,Quận Ba Đình,district,HN,,2025-06-30\n"
    "BD-1,Phường Ngọc Hà,ward,BD,,2025-06-30\n"
    "BD-2,Phường Kim Mã,ward,BD,,2025-06-30\n"
    "00070,Phường Hoàn Kiếm,ward,HN,2025-07-01,\n"
    "04930,Xã Sóc Sơn,commune,HN,2025-07-01,\n"
)
HEADER = "code,name,org_unit_code,address,lat,lon,market_class,opened_on,closed_on"


@pytest.fixture
def world(app):
    world = fixture.build()
    # Evidence after the reform, observed before and after the move.
    fixture.add_visit(world, world["markets"]["M08"], fixture.vid(801), "2025-02-10 09:00",
                      False, [("approve", "2025-02-11T02:00:00")])
    fixture.add_visit(world, world["markets"]["M01"], fixture.vid(802), "2025-10-10 09:00",
                      True, [("approve", "2025-10-11T02:00:00")])
    db.session.commit()
    return world


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def market_rows(markets, unit_for, extra=""):
    lines = [HEADER + ("," + extra.split("=")[0] if extra else "")]
    for market in markets:
        line = (f"{market.code},{market.name},{unit_for(market)},,,,{market.market_class},"
                f"{market.opened_on or ''},{market.closed_on or ''}")
        lines.append(line + ("," + extra.split("=")[1] if extra else ""))
    return "\n".join(lines) + "\n"


def reorganise(runner, tmp_path, world):
    """The new units, then every market into one of them (HBT → the ward, BD → the commune)."""
    result = runner.invoke(args=["import-org-units", write(tmp_path, "units.csv", NEW_UNITS)])
    assert result.exit_code == 0, result.output
    markets = list(db.session.scalars(select(Market).order_by(Market.code)))
    csv = market_rows(markets, lambda m: "04930" if m.code.startswith("B") else "00070")
    result = runner.invoke(args=["import-markets", write(tmp_path, "markets.csv", csv)])
    assert result.exit_code == 0, result.output


def indicator(client, headers, period, unit=None):
    query = {"period": period, **({"org_unit": unit} if unit else {})}
    response = client.get("/api/v1/indicator", query_string=query, headers=headers)
    return response.status_code, response.get_json()


def summary(body):
    return ({f: body[f] for f in FIGURES},
            sorted((row["org_unit"]["code"], tuple(row[f] for f in FIGURES))
                   for row in body["breakdown"]))


def test_a_past_period_keeps_its_figures_and_breakdown_after_the_move(client, runner,
                                                                       tmp_path, world):
    city = login(client, "city")
    before = {(p, u): summary(indicator(client, city, p, u)[1])
              for p in ("2023", "2024") for u in (None, "HBT")}
    assert [code for code, _ in before[("2023", None)][1]] == ["BD", "HBT"]
    reorganise(runner, tmp_path, world)
    for period in ("2023", "2024"):  # recomputed from scratch, through the CLI
        assert runner.invoke(args=["snapshot", "--period", period]).exit_code == 0
    after = {(p, u): summary(indicator(client, city, p, u)[1])
             for p in ("2023", "2024") for u in (None, "HBT")}
    assert after == before
    assert before[("2023", "HBT")][0]["markets_total"] > 0


def test_moves_keep_history_and_a_second_import_changes_nothing(runner, tmp_path, world):
    reorganise(runner, tmp_path, world)
    m01 = world["markets"]["M01"]
    rows = db.session.execute(
        select(MarketAssignment.org_unit_id, MarketAssignment.valid_from,
               MarketAssignment.valid_to)
        .where(MarketAssignment.market_id == m01.id).order_by(MarketAssignment.id)).all()
    units = {u.code: u.id for u in db.session.scalars(select(OrgUnit))}
    assert [tuple(r) for r in rows] == [(units["HBT-1"], None, date(2025, 6, 30)),
                                        (units["00070"], date(2025, 7, 1), None)]
    assert db.session.get(Market, m01.id).org_unit_id == units["00070"]  # in force today
    count = db.session.scalar(select(func.count()).select_from(MarketAssignment))
    reorganise(runner, tmp_path, world)  # the same assignments again
    assert db.session.scalar(select(func.count()).select_from(MarketAssignment)) == count


def test_the_reform_year_uses_the_new_units_and_its_first_quarter_the_old(client, runner,
                                                                          tmp_path, world):
    reorganise(runner, tmp_path, world)
    assert runner.invoke(args=["snapshot", "--period", "2025"]).exit_code == 0
    city = login(client, "city")
    status, year = indicator(client, city, "2025")
    assert status == 200, year
    totals, rows = summary(year)
    assert [code for code, _ in rows] == ["00070", "04930"]  # the units in force on 31/12
    by_code = dict(rows)
    # M01's October visit and M08's February one (observed while M08 was in HBT-2) both count.
    assert by_code["00070"][:3] == (15, 1, 1) and by_code["04930"][:3] == (1, 0, 0)
    assert totals["compliant"] == 1 and totals["non_compliant"] == 1
    status, q1 = indicator(client, city, "2025-Q1")
    assert [code for code, _ in summary(q1)[1]] == ["BD", "HBT"]
    assert dict(summary(q1)[1])["HBT"][:3] == (15, 0, 1)


@pytest.mark.parametrize(("period", "unit"), [("2025", "HBT"), ("2026", "HBT-1"),
                                              ("2023", "00070"), ("2024-12", "04930")])
def test_a_unit_out_of_force_on_the_reference_day_is_400(client, runner, tmp_path, world,
                                                         period, unit):
    reorganise(runner, tmp_path, world)
    count = db.session.scalar(select(func.count()).select_from(MarketAssignment))
    status, body = indicator(client, login(client, "city"), period, unit)
    assert status == 400 and body["error"]["code"] == "invalid_org_unit", body
    assert "org_unit" in body["error"]["fields"]
    assert db.session.scalar(select(func.count()).select_from(MarketAssignment)) == count
    result = runner.invoke(args=["export", "--period", period, "--org-unit", unit,
                                 "--format", "csv", "--output", str(tmp_path / "x.csv")])
    assert result.exit_code != 0


def test_export_of_a_past_period_is_the_same_after_the_move(runner, tmp_path, world):
    def export(name):
        out = tmp_path / name
        result = runner.invoke(args=["export", "--period", "2023", "--format", "csv",
                                     "--output", str(out)])
        assert result.exit_code == 0, result.output
        return out.read_bytes().decode("utf-8-sig").splitlines()[1:]

    before = export("before.csv")
    reorganise(runner, tmp_path, world)
    runner.invoke(args=["snapshot", "--period", "2023"])
    def figures(lines):  # without the computation time and the status column
        return [line.split(",")[:13] for line in lines]

    assert figures(export("after.csv")) == figures(before)


def test_scoped_pull_follows_the_move_now_and_a_later_move_on_its_day(client, runner,
                                                                      tmp_path, world):
    result = runner.invoke(args=["import-org-units", write(tmp_path, "units.csv", NEW_UNITS)])
    assert result.exit_code == 0, result.output
    units = {u.code: u for u in db.session.scalars(select(OrgUnit))}
    make_user("ward_hk", "ward_officer", units["00070"])
    make_user("ward_ss", "ward_officer", units["04930"])
    db.session.commit()
    old, new = login(client, "ward_hbt1"), login(client, "ward_hk")
    old_set, old_cursor = pull_all(client, old)
    new_set, new_cursor = pull_all(client, new)
    m01 = world["markets"]["M01"]
    assert ("market", str(m01.id)) in apply_changes({}, old_set)
    csv = market_rows([m01], lambda m: "00070")
    assert runner.invoke(args=["import-markets", write(tmp_path, "m.csv", csv)]).exit_code == 0
    news_old, _ = pull_all(client, old, old_cursor)
    news_new, new_cursor = pull_all(client, new, new_cursor)
    assert ("market", str(m01.id), "delete") in {(c["entity"], str(c["id"]), c["op"])
                                                 for c in news_old}
    assert ("market", str(m01.id), "upsert") in {(c["entity"], str(c["id"]), c["op"])
                                                 for c in news_new}
    assert any(c["entity"] == "visit" and c["op"] == "upsert" for c in news_new)

    # A move dated in the future: nothing changes until its day, then the job applies it.
    today = local_today()
    later = today + timedelta(days=3)
    admin = login(client, "admin")
    response = client.patch(f"/api/v1/admin/markets/{m01.id}", headers=admin,
                            json={"org_unit_id": units["04930"].id,
                                  "org_unit_from": later.isoformat()})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["org_unit_id"] == units["00070"].id
    seq = db.session.scalar(select(func.max(ChangeLog.seq)))
    assert apply_due_moves(today) == "no move due"
    assert apply_due_moves(later) == "1 market(s) moved"
    assert db.session.get(Market, m01.id).org_unit_id == units["04930"].id
    assert db.session.scalar(select(func.max(ChangeLog.seq))) > seq
    news_new, _ = pull_all(client, new, new_cursor)
    assert ("market", str(m01.id), "delete") in {(c["entity"], str(c["id"]), c["op"])
                                                 for c in news_new}
    moved, _ = pull_all(client, login(client, "ward_ss"))
    assert ("market", str(m01.id)) in apply_changes({}, moved)


def test_bad_move_dates_change_nothing(client, runner, tmp_path, world):
    reorganise(runner, tmp_path, world)
    m01 = world["markets"]["M01"]
    count = db.session.scalar(select(func.count()).select_from(MarketAssignment))
    admin = login(client, "admin")
    bd1 = world["units"]["BD-1"].id
    for body in ({"org_unit_id": bd1, "org_unit_from": "2025-01-01"},  # before 2025-07-01
                 {"org_unit_id": bd1, "org_unit_from": "not a date"},
                 {"org_unit_from": "2026-01-01"}):
        response = client.patch(f"/api/v1/admin/markets/{m01.id}", headers=admin, json=body)
        assert response.status_code in (400, 422), response.get_json()
        assert "org_unit_from" in str(response.get_json()["error"]["fields"])
    csv = market_rows([m01], lambda m: "BD-1", extra="org_unit_from=2024-01-01")
    # the dry run finds what the import would refuse, from the command line and the admin screen
    result = runner.invoke(args=["import-markets", "--dry-run", write(tmp_path, "bad.csv", csv)])
    assert result.exit_code != 0 and "line 2" in result.output and "org_unit_from" in result.output
    response = client.post("/api/v1/admin/markets/import?dry_run=1", data=csv.encode(),
                           headers={**admin, "Content-Type": "text/csv"})
    assert response.status_code == 422, response.get_json()
    assert "org_unit_from" in str(response.get_json()["error"]["fields"]["line 2"])
    result = runner.invoke(args=["import-markets", write(tmp_path, "bad.csv", csv)])
    assert result.exit_code != 0 and "line 2" in result.output
    assert db.session.scalar(select(func.count()).select_from(MarketAssignment)) == count
    assert db.session.get(Market, m01.id).org_unit_id != bd1


def test_the_admin_import_takes_a_move_date_too(client, runner, tmp_path, world):
    result = runner.invoke(args=["import-org-units", write(tmp_path, "units.csv", NEW_UNITS)])
    assert result.exit_code == 0, result.output
    m02 = world["markets"]["M02"]
    later = local_today() + timedelta(days=10)
    csv = market_rows([m02], lambda m: "00070", extra=f"org_unit_from={later.isoformat()}")
    admin = {**login(client, "admin"), "Content-Type": "text/csv"}
    response = client.post("/api/v1/admin/markets/import", data=csv.encode(), headers=admin)
    assert response.status_code == 200, response.get_json()
    market = db.session.get(Market, m02.id)
    db.session.refresh(market)
    assert market.org_unit_id == world["units"]["HBT-1"].id  # not yet: on its day
    starts = db.session.scalars(select(MarketAssignment.valid_from)
                                .where(MarketAssignment.market_id == m02.id)).all()
    assert sorted(starts, key=lambda d: d or date.min) == [None, later]


def test_an_import_of_units_reaches_the_computed_periods_without_a_manual_recompute(
        client, runner, tmp_path, world):
    """A provisional period computed before the reform's import: its next reader sees the new
    units (not the abolished districts at zero), and the minute job recomputes the periods
    nobody asked for; both equal a full recompute."""
    city = login(client, "city")
    for period in ("2026", "2026-Q4"):
        assert [code for code, _ in summary(indicator(client, city, period)[1])[1]] == [
            "BD", "HBT"]
    reorganise(runner, tmp_path, world)
    status, year = indicator(client, city, "2026")  # read at once: no job has run
    assert status == 200, year
    assert [code for code, _ in summary(year)[1]] == ["00070", "04930"]
    assert recompute_dirty() == ["2026-Q4"]  # the one nobody read since, by the minute job
    assert recompute_dirty() == []
    live = {p: summary(indicator(client, city, p)[1]) for p in ("2026", "2026-Q4")}
    for period in live:
        assert runner.invoke(args=["snapshot", "--period", period]).exit_code == 0
    assert {p: summary(indicator(client, city, p)[1]) for p in live} == live
    assert dict(live["2026"][1])["00070"][0] == 15
