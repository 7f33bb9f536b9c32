"""Small, explicit test data: two districts with two wards each, markets, one user per role."""

from datetime import date

from werkzeug.security import generate_password_hash

from server.core.extensions import db
from server.models import Market, OrgUnit, User

PASSWORD = "correct horse"


def make_units() -> dict[str, OrgUnit]:
    units = {}

    def add(code, name, level, parent=None):
        unit = OrgUnit(code=code, name=name, level=level, parent_id=parent.id if parent else None)
        db.session.add(unit)
        db.session.flush()
        units[code] = unit
        return unit

    city = add("HN", "Thành phố Hà Nội", "city")
    hbt = add("HBT", "Quận Hai Bà Trưng", "district", city)
    add("HBT-1", "Phường Phố Huế", "ward", hbt)
    add("HBT-2", "Phường Đồng Nhân", "ward", hbt)
    bd = add("BD", "Quận Ba Đình", "district", city)
    add("BD-1", "Phường Ngọc Hà", "ward", bd)
    add("BD-2", "Phường Kim Mã", "ward", bd)
    return units


def make_market(unit: OrgUnit, code: str, name: str, lat=21.0153, lon=105.8513, **extra) -> Market:
    market = Market(
        code=code, name=name, org_unit_id=unit.id, lat=lat, lon=lon,
        market_class=extra.pop("market_class", "3"),
        opened_on=extra.pop("opened_on", date(2000, 1, 1)), **extra,
    )
    db.session.add(market)
    db.session.flush()
    return market


def make_user(username: str, role: str, unit: OrgUnit | None, active: bool = True) -> User:
    user = User(
        username=username, display_name=username.title(), role=role,
        org_unit_id=unit.id if unit else None,
        password_hash=generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000"),
        active=active,
    )
    db.session.add(user)
    db.session.flush()
    return user


def make_world() -> dict:
    """Markets in each ward; inspectors and ward officers scoped to each district."""
    units = make_units()
    markets = {
        "hom": make_market(units["HBT-1"], "M-HOM", "Chợ Hôm"),
        "mo": make_market(units["HBT-2"], "M-MO", "Chợ Mơ", lat=21.0003, lon=105.8515),
        "ngocha": make_market(units["BD-1"], "M-NH", "Chợ Ngọc Hà", lat=21.0387, lon=105.8262),
        "kimma": make_market(units["BD-2"], "M-KM", "Chợ Kim Mã", lat=21.0320, lon=105.8230),
    }
    users = {
        "insp_hbt": make_user("insp_hbt", "inspector", units["HBT"]),
        "insp_hbt2": make_user("insp_hbt2", "inspector", units["HBT"]),
        "insp_bd": make_user("insp_bd", "inspector", units["BD"]),
        "ward_hbt": make_user("ward_hbt", "ward_officer", units["HBT"]),
        "ward_hbt1": make_user("ward_hbt1", "ward_officer", units["HBT-1"]),
        "ward_bd": make_user("ward_bd", "ward_officer", units["BD"]),
        "city": make_user("city", "city_officer", units["HN"]),
        "admin": make_user("admin", "admin", None),
    }
    db.session.commit()
    return {"units": units, "markets": markets, "users": users}


def login(client, username: str, device_id: str | None = None) -> dict:
    """Log in through the API and return the Authorization header."""
    body = {"username": username, "password": PASSWORD, "device_id": device_id or f"dev-{username}"}
    response = client.post("/api/v1/auth/token", json=body)
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


GOOD_ANSWERS = {
    "stalls_total": 40,
    "stalls_using_nondegradable": 3,
    "alternatives": ["paper_bag", "leaf_wrap"],
    "signage_present": True,
    "outreach_held": False,
    "notes": "Ba hộ bán thịt vẫn dùng túi nilon.",
}


def new_id() -> str:
    import uuid

    return str(uuid.uuid4())


def visit_data(market, visit_id=None, base_rev=None, **overrides) -> dict:
    data = {
        "id": visit_id or new_id(),
        "base_rev": base_rev,
        "market_id": market.id if hasattr(market, "id") else market,
        "form_version": "2023.1",
        "observed_at": "2023-03-01T08:30:00+07:00",
        "answers": dict(GOOD_ANSWERS),
        "location": {"lat": 21.0155, "lon": 105.8515, "accuracy_m": 12},
        "attachments": [],
    }
    data.update(overrides)
    return data


def upsert(data, mutation_id=None) -> dict:
    return {"id": mutation_id or new_id(), "type": "visit.upsert", "data": data}


def decision(visit_id, base_rev, decision_name, comment=None, mutation_id=None) -> dict:
    return {
        "id": mutation_id or new_id(),
        "type": "review.decide",
        "data": {"visit_id": visit_id, "base_rev": base_rev, "decision": decision_name,
                 "comment": comment},
    }


def push(client, headers, *mutations, device_id="dev-1"):
    response = client.post(
        "/api/v1/sync/push", json={"device_id": device_id, "mutations": list(mutations)},
        headers=headers,
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()["results"]


def pull_all(client, headers, cursor=None, limit=500) -> tuple[list[dict], str]:
    """Pull until has_more is false; return every change and the final cursor."""
    changes = []
    while True:
        query = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        response = client.get("/api/v1/sync/pull", query_string=query, headers=headers)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        changes += body["changes"]
        cursor = body["cursor"]
        if not body["has_more"]:
            return changes, cursor


def apply_changes(replica: dict, changes: list[dict]) -> dict:
    for change in changes:
        key = (change["entity"], str(change["id"]))
        if change["op"] == "delete":
            replica.pop(key, None)
        else:
            replica[key] = change["data"]
    return replica
