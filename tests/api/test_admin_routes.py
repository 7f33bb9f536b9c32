"""Admin API (DESIGN §1 admin, §9, §11): admins only. Every route refuses other roles with 403
and no token with 401, and a refused request changes nothing; the same request by an admin is
accepted. The other test_admin_*.py files test what each route does."""

import pytest
from sqlalchemy import select

from server.core.extensions import db
from server.models import DeviceToken
from tests.api.admin import MARKETS_CSV, UNITS_CSV, A, state
from tests.factories import login

# Every admin route: (method, rule as registered, a concrete path, a valid body)
ROUTES = [
    ("GET", "/users", "/users", None),
    ("GET", "/users/<int:user_id>", "/users/{insp_hbt}", None),
    ("POST", "/users", "/users", {"username": "moi", "role": "city_officer",
                                  "password": "mat khau dai"}),
    ("PATCH", "/users/<int:user_id>", "/users/{insp_hbt}", {"display_name": "Đổi"}),
    ("POST", "/users/<int:user_id>/password", "/users/{insp_hbt}/password",
     {"password": "mat khau moi"}),
    ("DELETE", "/users/<int:user_id>/totp", "/users/{insp_hbt}/totp", None),
    ("GET", "/devices", "/devices", None),
    ("POST", "/devices/<int:token_id>/revoke", "/devices/{token}/revoke", None),
    ("GET", "/markets", "/markets", None),
    ("GET", "/markets/<int:market_id>", "/markets/{hom}", None),
    ("PATCH", "/markets/<int:market_id>", "/markets/{hom}", {"name": "Chợ Khác"}),
    ("POST", "/markets/import", "/markets/import", MARKETS_CSV),
    ("GET", "/org-units", "/org-units", None),
    ("POST", "/org-units/import", "/org-units/import", UNITS_CSV),
    ("GET", "/targets", "/targets", None),
    ("PUT", "/targets/<period>", "/targets/2024", {"target": 0.9, "org_unit_id": None}),
    ("GET", "/audit", "/audit", None),
    ("GET", "/audit.csv", "/audit.csv", None),
    ("GET", "/settings", "/settings", None),
    ("PUT", "/settings", "/settings", {"support_contact": "Chị Lan — 024 3825 1234"}),
]


def call(client, method, path, body=None, headers=None):
    if isinstance(body, str):
        return client.open(A + path, method=method, data=body.encode(), headers=headers,
                           content_type="text/csv")
    return client.open(A + path, method=method, json=body, headers=headers)


def test_the_table_lists_every_admin_route(app):
    registered = {
        (method, rule.rule[len(A):])
        for rule in app.url_map.iter_rules() if rule.rule.startswith(A + "/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert registered == {(method, rule) for method, rule, _, _ in ROUTES}


@pytest.mark.parametrize("role", ["insp_hbt", "ward_hbt", "city", None])
@pytest.mark.parametrize(("method", "rule", "path", "body"), ROUTES)
def test_only_admins(client, world, role, method, rule, path, body):
    headers = login(client, role) if role else None
    victim = login(client, "insp_hbt", device_id="victim-phone")
    token = db.session.scalar(select(DeviceToken.id).where(DeviceToken.device_id == "victim-phone"))
    path = path.format(insp_hbt=world["users"]["insp_hbt"].id, token=token,
                       hom=world["markets"]["hom"].id)
    db.session.expire_all()
    before = state()
    response = call(client, method, path, body, headers)
    if role is None:
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "unauthorized"
    else:
        assert response.status_code == 403
        assert response.get_json()["error"]["code"] == "forbidden"
    db.session.expire_all()
    assert state() == before
    assert client.get("/api/v1/me", headers=victim).status_code == 200
    # and the same request by an admin is accepted
    response = call(client, method, path, body, login(client, "admin"))
    assert response.status_code in (200, 201, 204), response.get_json()
