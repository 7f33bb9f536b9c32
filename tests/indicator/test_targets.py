"""One target per (period, unit), the city-wide one included, on both databases; and the
target the indicator shows falls back from the unit to the city and from the period to its year."""

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from server.core.extensions import db
from server.models import IndicatorTarget
from tests.factories import login


def test_the_database_refuses_a_second_city_wide_target(app, world):
    db.session.add(IndicatorTarget(period="2023", org_unit_id=None, target=1.0))
    db.session.commit()
    db.session.add(IndicatorTarget(period="2023", org_unit_id=None, target=0.5))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    # Other periods and units are still free to have their own.
    db.session.add(IndicatorTarget(period="2024", org_unit_id=None, target=1.0))
    db.session.add(IndicatorTarget(period="2023", org_unit_id=world["units"]["HBT"].id,
                                   target=0.8))
    db.session.commit()
    unit = world["units"]["HBT"].id
    db.session.add(IndicatorTarget(period="2023", org_unit_id=unit, target=0.7))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_setting_the_city_target_twice_keeps_one_row(client, world):
    admin = login(client, "admin")
    for value in (1, 0.9):
        response = client.put("/api/v1/admin/targets/2023", headers=admin,
                              json={"target": value, "org_unit_id": None})
        assert response.status_code in (200, 201)
    rows = db.session.scalars(select(IndicatorTarget.target)
                              .where(IndicatorTarget.period == "2023")).all()
    assert rows == [0.9]


def test_the_dashboard_shows_the_target_with_its_fallbacks(client, world):
    admin, units = login(client, "admin"), world["units"]
    client.put("/api/v1/admin/targets/2023", headers=admin, json={"target": 0.8})
    client.put("/api/v1/admin/targets/2023-Q2", headers=admin,
               json={"target": 0.9, "org_unit_id": units["HBT"].id})

    def target(period, unit=None):
        query = {"period": period, **({"org_unit": unit} if unit else {})}
        return client.get("/api/v1/indicator", headers=admin, query_string=query
                          ).get_json()["target"]

    assert target("2023") == 0.8
    assert target("2023-Q2", "HBT") == 0.9  # the unit's own
    assert target("2023-Q2") == 0.8  # the city: no Q2 target of its own, the year's
    assert target("2023-05", "BD") == 0.8  # a month: the year's city-wide target
    assert target("2023-Q2", "HBT-1") == 0.8  # a ward does not inherit its district's
    assert target("2022") is None
