"""The demo is Hanoi as it is now: 2023 and 2024 by the 30 district-level units, 2025 and 2026
by the 126 wards and communes of 1 July 2025 (official codes and names), visits every year."""

import csv
from datetime import datetime

from sqlalchemy import func, select

from server.core.extensions import db
from server.core.timeutil import HANOI_OFFSET
from server.demo.geo import GEO_DIR
from server.models import Market, MarketAssignment, OrgUnit, ReviewDecision, Visit
from tests.indicator.test_demo_visits import demo_login


def official() -> dict[str, str]:
    with (GEO_DIR / "wards.csv").open(encoding="utf-8", newline="") as handle:
        return {row["code"]: row["name"] for row in csv.DictReader(handle)}


def indicator(client, headers, period, **query):
    response = client.get("/api/v1/indicator", headers=headers,
                          query_string={"period": period, **query})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_the_demo_holds_both_hierarchies_and_a_picture_of_every_year(runner, client):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert runner.invoke(args=["seed-demo-visits"]).exit_code == 0
    units = {u.code: u for u in db.session.scalars(select(OrgUnit))}
    codes = official()
    assert len(codes) == 126 and all(len(code) == 5 for code in codes)
    assert all(units[c].name == name and units[c].parent_id == units["HN"].id
               for c, name in codes.items())
    assert sum(units[c].level == "ward" for c in codes) == 51
    assert sum(units[c].level == "commune" for c in codes) == 75
    # Every market in force today in one of the 126; in 2023 in one of the old wards.
    new_ids = {units[c].id for c in codes}
    assert set(db.session.scalars(select(Market.org_unit_id))) <= new_ids
    hoan_kiem = db.session.scalar(select(func.count()).where(
        Market.org_unit_id == units["00070"].id, Market.name.like("Chợ Đồng Xuân%")))
    assert hoan_kiem >= 1  # the point-in-polygon placed Đồng Xuân in Phường Hoàn Kiếm

    city = demo_login(client, "thanhpho")
    year_2026 = indicator(client, city, "2026")
    assert sorted((b["org_unit"]["code"], b["org_unit"]["name"])
                  for b in year_2026["breakdown"]) == sorted(codes.items())
    year_2023 = indicator(client, city, "2023")
    districts = {u.code for u in units.values() if u.level == "district"}
    assert {b["org_unit"]["code"] for b in year_2023["breakdown"]} == districts
    assert len(districts) == 30
    assert indicator(client, city, "2025-Q2")["breakdown"][0]["org_unit"]["level"] == "district"
    values = {}
    for year in (2023, 2024, 2025, 2026):
        start = datetime(year, 1, 1) - HANOI_OFFSET
        end = datetime(year + 1, 1, 1) - HANOI_OFFSET
        reviewed = db.session.scalar(
            select(func.count(func.distinct(Visit.id))).join(ReviewDecision)
            .where(Visit.observed_at >= start, Visit.observed_at < end))
        assert reviewed > 100, year
        body = indicator(client, city, str(year))
        assert body["non_compliant"] > 0 and body["target"] == 1.0
        assert sum(b["markets_total"] for b in body["breakdown"]) == body["markets_total"]
        values[year] = body["value"]
    assert values[2023] < values[2024] < values[2025]  # a rising trend

    # The new ward's officer sees their ward's figures for 2026, and only its markets.
    officer = demo_login(client, "phuonghk")
    own = indicator(client, officer, "2026")
    assert own["org_unit"]["code"] == "00070" and own["markets_total"] >= 5
    # An official code is digits: it names the unit, not the unit whose id it spells.
    assert db.session.get(OrgUnit, 70) is not None
    asked = indicator(client, city, "2026", org_unit="00070")["org_unit"]
    assert (asked["code"], asked["name"]) == ("00070", "Phường Hoàn Kiếm")


def test_seed_demo_twice_changes_no_assignment(runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    rows = db.session.execute(select(MarketAssignment.id, MarketAssignment.market_id,
                                     MarketAssignment.org_unit_id, MarketAssignment.valid_from,
                                     MarketAssignment.valid_to)).all()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert db.session.execute(select(MarketAssignment.id, MarketAssignment.market_id,
                                     MarketAssignment.org_unit_id, MarketAssignment.valid_from,
                                     MarketAssignment.valid_to)).all() == rows
