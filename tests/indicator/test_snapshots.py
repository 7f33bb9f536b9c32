"""Snapshots: the dashboard reads them; decisions and market changes update them in their own
transaction (more in test_live.py); a final snapshot never changes."""

from datetime import datetime

import pytest
from sqlalchemy import select

from server.core.extensions import db
from server.indicator.snapshots import recompute_dirty, recompute_nightly
from server.models import IndicatorDirtyPeriod, IndicatorSnapshot
from tests.factories import decision, login, push
from tests.indicator import fixture


@pytest.fixture
def world(app):
    return fixture.build()


def figures(client, headers, period, unit="HBT-1"):
    response = client.get("/api/v1/indicator", headers=headers,
                          query_string={"period": period, "org_unit": unit})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    return body["compliant"], body["pending_review"], body["computed_at"], body["final"]


def dirty() -> set[str]:
    db.session.rollback()
    return set(db.session.scalars(select(IndicatorDirtyPeriod.period)))


def test_a_decision_updates_the_computed_periods_at_once_and_marks_nothing(client, world):
    city, ward = login(client, "city"), login(client, "ward_hbt")
    before = figures(client, city, "2023")
    assert before[:2] == (1, 1)  # M01 compliant, M04 awaiting review
    [result] = push(client, ward, decision(fixture.vid(4), 1, "approve"))
    assert result["status"] == "applied", result
    after = figures(client, city, "2023")  # no job ran
    assert after[:2] == (2, 0) and after[2] > before[2]  # computed_at moves with the update
    assert figures(client, city, "2023-06")[:2] == (1, 0)  # computed now, on demand
    assert dirty() == set()
    assert recompute_dirty() == []  # nothing left for the minute job


def test_a_final_snapshot_never_changes(client, world):
    city, ward = login(client, "city"), login(client, "ward_hbt")
    response = client.post("/api/v1/indicator/final", json={"period": "2023"}, headers=city)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["final"] is True and body["period"]["id"] == "2023"
    frozen = figures(client, city, "2023")
    assert frozen[3] is True and frozen[2] == body["computed_at"]
    frozen_markets = client.get("/api/v1/indicator/markets", headers=city,
                                query_string={"period": "2023"}).get_json()
    # December's year to date covers the same days: sealed with the year, with its figures.
    december = figures(client, city, "2023-YTD12")
    assert december[3] is True and december[:2] == frozen[:2]

    assert push(client, ward, decision(fixture.vid(4), 1, "approve"))[0]["status"] == "applied"
    assert push(client, ward, decision(fixture.vid(152), 1, "approve"))[0]["status"] == "applied"
    recompute_dirty()
    recompute_nightly(now=datetime(2023, 12, 1, 5))
    assert figures(client, city, "2023") == frozen
    assert figures(client, city, "2023-YTD12") == december
    trend = client.get("/api/v1/indicator/trend", headers=city,
                       query_string={"year": 2023, "org_unit": "HBT-1"}).get_json()
    assert trend["months"][11]["year_to_date"]["compliant"] == frozen[0]
    assert client.get("/api/v1/indicator/markets", headers=city,
                      query_string={"period": "2023"}).get_json() == frozen_markets
    # Quarters are separate periods: 2023-Q1 is still provisional and sees M15's approval.
    assert figures(client, city, "2023-Q1", "HBT-2")[:2] == (1, 1)

    again = client.post("/api/v1/indicator/final", json={"period": "2023"}, headers=city)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_final"
    rows = db.session.scalars(select(IndicatorSnapshot).where(IndicatorSnapshot.period == "2023"))
    assert all(r.final for r in rows)


def test_only_city_officers_and_admins_finalise(client, world):
    for username in ("ward_hbt", "insp_hbt"):
        response = client.post("/api/v1/indicator/final", json={"period": "2023"},
                               headers=login(client, username))
        assert response.status_code == 403
    admin = login(client, "admin")
    bad = client.post("/api/v1/indicator/final", json={"period": "2023-Q7"}, headers=admin)
    assert bad.status_code == 400 and bad.get_json()["error"]["code"] == "invalid_period"
    assert client.post("/api/v1/indicator/final", json={}, headers=admin).status_code == 400


def test_recompute_nightly_computes_the_current_year_quarter_and_month(app, world):
    done = recompute_nightly(now=datetime(2023, 12, 31, 18, 0))  # 01:00 on 1 Jan 2024, Hanoi
    assert done == ["2024", "2024-Q1", "2024-01", "2024-YTD01"]
    rows = db.session.scalars(
        select(IndicatorSnapshot).where(IndicatorSnapshot.period == "2024-01")
    )
    by_unit = {r.org_unit_id: r for r in rows}
    assert by_unit[None].markets_total == 16 and by_unit[None].compliant == 1  # M09
    units = world["units"]
    assert {units[c].id for c in ("HBT", "HBT-1", "HBT-2", "BD", "BD-1", "BD-2")} <= set(by_unit)


def test_a_market_closed_by_the_admin_leaves_the_figures_at_once(client, world):
    city, admin = login(client, "city"), login(client, "admin")
    assert figures(client, city, "2023", "HBT-1")[:2] == (1, 1)
    m01 = world["markets"]["M01"].id
    response = client.patch(f"/api/v1/admin/markets/{m01}", headers=admin,
                            json={"closed_on": "2022-12-31"})
    assert response.status_code == 200, response.get_json()
    body = client.get("/api/v1/indicator", headers=city,
                      query_string={"period": "2023", "org_unit": "HBT-1"}).get_json()
    assert (body["markets_total"], body["compliant"]) == (6, 0)  # M01 was the compliant one


def test_a_period_not_begun_cannot_be_finalised(client, world):
    city = login(client, "city")
    response = client.post("/api/v1/indicator/final", json={"period": "2099"}, headers=city)
    assert response.status_code == 409, response.get_json()
    assert response.get_json()["error"]["code"] == "period_not_started"
    body = client.get("/api/v1/indicator", query_string={"period": "2099"}, headers=city)
    assert body.get_json()["final"] is False  # still provisional: nothing was sealed
