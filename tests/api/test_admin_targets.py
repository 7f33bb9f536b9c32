"""Admin API, indicator targets (DESIGN §1 admin): one per period, city-wide or per unit;
refusals name their fields and write nothing."""

import pytest
from sqlalchemy import func, select

from server.core.extensions import db
from server.models import IndicatorTarget
from tests.api.admin import A
from tests.factories import login


def test_targets(client, world):
    admin = login(client, "admin")
    assert client.get(f"{A}/targets", headers=admin).get_json() == {"targets": []}
    first = client.put(f"{A}/targets/2023", headers=admin, json={"target": 1, "org_unit_id": None})
    assert first.status_code == 201
    assert first.get_json() == {"period": "2023", "org_unit_id": None, "target": 1.0}
    again = client.put(f"{A}/targets/2023", headers=admin, json={"target": 0.95})
    assert again.status_code == 200 and again.get_json()["target"] == 0.95
    hbt = world["units"]["HBT"].id
    unit = client.put(f"{A}/targets/2023-Q2", headers=admin, json={"target": 0.5,
                                                                    "org_unit_id": hbt})
    assert unit.status_code == 201
    client.put(f"{A}/targets/2023-07", headers=admin, json={"target": 0})
    assert client.get(f"{A}/targets", headers=admin).get_json()["targets"] == [
        {"period": "2023", "org_unit_id": None, "target": 0.95},
        {"period": "2023-07", "org_unit_id": None, "target": 0.0},
        {"period": "2023-Q2", "org_unit_id": hbt, "target": 0.5},
    ]
    assert db.session.scalar(select(func.count()).select_from(IndicatorTarget)) == 3


@pytest.mark.parametrize(("period", "body", "field"), [
    ("2023-Q5", {"target": 1}, "period"),
    ("2023-13", {"target": 1}, "period"),
    ("23", {"target": 1}, "period"),
    ("2023-q1", {"target": 1}, "period"),
    ("2023", {"target": 1.5}, "target"),
    ("2023", {"target": -0.1}, "target"),
    ("2023", {"target": "all"}, "target"),
    ("2023", {}, "target"),
    ("2023", {"target": 1, "org_unit_id": 424242}, "org_unit_id"),
])
def test_target_refusals_name_the_field(client, world, period, body, field):
    response = client.put(f"{A}/targets/{period}", headers=login(client, "admin"), json=body)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]
    assert db.session.scalar(select(func.count()).select_from(IndicatorTarget)) == 0
