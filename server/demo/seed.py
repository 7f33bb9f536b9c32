"""seed-demo: Hanoi as it is now, with its past: the 30 district-level units of 2023 and their
wards (until 2025-06-30), the 126 wards and communes of 1 July 2025 (server/demo/reform.py),
~450 markets with the 2023 class mix (moved to the new units on 2025-07-01), demo users.

Idempotent: records are matched by code (or username) and updated, so a second run leaves the
same counts. Deterministic: the same run always produces the same markets.
"""

import json
import math
import random
from datetime import date
from pathlib import Path

from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from server.core.extensions import db
from server.demo.geo import load_wards, ward_at
from server.demo.reform import LAST_OLD_DAY, seed_assignments, seed_new_units
from server.markets.importer import moved_visit_changes
from server.models import IndicatorTarget, Market, OrgUnit, User
from server.sync.changes import market_change, org_unit_change, record_changes

DATA_FILE = Path(__file__).with_name("hanoi_2023.json")
DEMO_PASSWORD = "ChoXanh@2023"
DEMO_SUFFIX = " (demo)"
CLASS_MIX = {"1": 15, "2": 58, "3": 348, "unclassified": 32}  # Hanoi, 2023: 453 markets

# Well-known markets, seeded as the 15 class-1 markets (names real, data invented).
CLASS_ONE = [
    ("Quận Hoàn Kiếm", "Chợ Đồng Xuân"),
    ("Quận Hoàn Kiếm", "Chợ Hàng Da"),
    ("Quận Hai Bà Trưng", "Chợ Hôm – Đức Viên"),
    ("Quận Hai Bà Trưng", "Chợ Mơ"),
    ("Quận Long Biên", "Chợ Long Biên"),
    ("Quận Tây Hồ", "Chợ Bưởi"),
    ("Quận Ba Đình", "Chợ Thành Công"),
    ("Quận Ba Đình", "Chợ Châu Long"),
    ("Quận Đống Đa", "Chợ Ngã Tư Sở"),
    ("Quận Đống Đa", "Chợ Kim Liên"),
    ("Quận Cầu Giấy", "Chợ Nghĩa Tân"),
    ("Quận Hà Đông", "Chợ Hà Đông"),
    ("Quận Hoàng Mai", "Chợ đầu mối phía Nam"),
    ("Quận Thanh Xuân", "Chợ Thanh Xuân Bắc"),
    ("Thị xã Sơn Tây", "Chợ Nghệ"),
]

HBT_WARD = "00256"  # Phường Hai Bà Trưng (from 2025-07-01), heir of Quận Hai Bà Trưng's centre
HK_WARD = "00070"  # Phường Hoàn Kiếm
DEMO_USERS = [  # username, role, display name, org unit code (None: the whole city)
    ("kiemtra", "inspector", "Nguyễn Văn Kiểm (cán bộ kiểm tra, demo)", HBT_WARD),
    ("phuong", "ward_officer", "Trần Thị Phương (cán bộ phường, demo)", HBT_WARD),
    ("phuonghk", "ward_officer", "Đặng Thu Hằng (cán bộ phường Hoàn Kiếm, demo)", HK_WARD),
    ("thanhpho", "city_officer", "Lê Minh Thành (Sở Công Thương, demo)", None),
    ("quantri", "admin", "Quản trị hệ thống (demo)", None),
]
# Plan 293/KH-UBND, target 4.4: 100% of traditional markets by 2023; the later years are
# examples (the plan's target carried on).
DEMO_TARGETS = {"2023": 1.0, "2024": 1.0, "2025": 1.0, "2026": 1.0}


def _upsert_unit(units: dict, code, name, level, parent_id, valid_to=None) -> OrgUnit:
    unit = units.get(code) or OrgUnit(code=code)
    unit.name, unit.level, unit.parent_id = name, level, parent_id
    unit.valid_from, unit.valid_to = None, valid_to
    if unit.id is None:
        db.session.add(unit)
        db.session.flush()
        units[code] = unit
    return unit


def _seed_org_units(data: dict) -> tuple[list[dict], dict]:
    """Return the 2023 wards (with their district) and every unit by code."""
    units = {u.code: u for u in db.session.scalars(select(OrgUnit))}
    city = data["city"]
    city_unit = _upsert_unit(units, city["code"], city["name"], "city", None)
    wards = []
    for district in data["districts"]:
        d_unit = _upsert_unit(units, district["code"], district["name"], "district", city_unit.id,
                              LAST_OLD_DAY)
        for ward in district["wards"]:
            w_unit = _upsert_unit(units, ward["code"], ward["name"], "ward", d_unit.id,
                                  LAST_OLD_DAY)
            wards.append({**ward, "unit": w_unit, "district": district})
    seed_new_units(units, city_unit)
    db.session.flush()
    return wards, units


def _scatter(rng: random.Random, lat: float, lon: float, radius_km: float) -> tuple:
    distance = radius_km * math.sqrt(rng.random())
    angle = rng.random() * 2 * math.pi
    d_lat = distance * math.cos(angle) / 111.32
    d_lon = distance * math.sin(angle) / (111.32 * math.cos(math.radians(lat)))
    return round(lat + d_lat, 6), round(lon + d_lon, 6)


def _market_plan(wards: list[dict]) -> list[dict]:
    """The demo markets, in a fixed order (codes CX-0001 …), deterministic for a given file."""
    rng = random.Random(293)
    plan = []
    for district_name, name in CLASS_ONE:
        ward = next(w for w in wards if w["district"]["name"] == district_name)
        plan.append({"name": name, "ward": ward, "market_class": "1"})
    classes = [c for c, n in CLASS_MIX.items() if c != "1" for _ in range(n)]
    rng.shuffle(classes)
    per_ward: dict[str, int] = {}
    for index, market_class in enumerate(classes):
        ward = wards[index % len(wards)]
        per_ward[ward["code"]] = per_ward.get(ward["code"], 0) + 1
        short = ward["name"].split(" ", 1)[1]
        number = per_ward[ward["code"]]
        name = f"Chợ {short}" + (f" số {number}" if number > 1 else "")
        plan.append({"name": name, "ward": ward, "market_class": market_class})
    for index, market in enumerate(plan, start=1):
        ward = market["ward"]
        radius = min(ward["district"]["radius_km"] / 3, 1.5)
        market["code"] = f"CX-{index:04d}"
        market["lat"], market["lon"] = _scatter(rng, ward["lat"], ward["lon"], radius)
        market["opened_on"] = date(rng.randint(1985, 2020), rng.randint(1, 12), 1)
        market["closed_on"] = None
    # A few lifecycle cases the indicator must handle: opened mid-2023, closed before 2023.
    late_openings = (date(2023, 7, 1), date(2023, 9, 15), date(2024, 2, 1))
    for market, opened in zip(plan[-4:-1], late_openings, strict=True):
        market["opened_on"] = opened
    plan[-1]["closed_on"] = date(2022, 6, 30)
    return plan


def _seed_markets(wards: list[dict], units: dict) -> list[dict]:
    """The markets, in the unit of 1 July 2025 containing them (in force today), with their
    assignment history: the 2023 ward until 2025-06-30, that unit from 2025-07-01."""
    existing = {m.code: m for m in db.session.scalars(select(Market))}
    shapes = load_wards()
    touched, old_unit = [], []
    for item in _market_plan(wards):
        ward = item["ward"]
        market = existing.get(item["code"]) or Market(code=item["code"])
        previous_unit = market.org_unit_id
        market.name = item["name"] + DEMO_SUFFIX
        market.org_unit_id = units[ward_at(shapes, item["lat"], item["lon"]).code].id
        old_unit.append((market, ward["unit"].id))
        market.address = f"{ward['name']}, {ward['district']['name']}, Hà Nội"
        market.lat, market.lon = item["lat"], item["lon"]
        market.market_class = item["market_class"]
        market.opened_on, market.closed_on = item["opened_on"], item["closed_on"]
        if market.id is None:
            db.session.add(market)
        if market.id is None:
            touched.append((market, previous_unit))
        elif db.session.is_modified(market):
            market.rev += 1
            touched.append((market, previous_unit))
    db.session.flush()
    seed_assignments({m.id: old for m, old in old_unit},
                     {m.id: m.org_unit_id for m, _ in old_unit})
    moved = {m.id: prev for m, prev in touched if prev is not None and prev != m.org_unit_id}
    return ([market_change(m.id, m.rev, m.org_unit_id, prev) for m, prev in touched]
            + moved_visit_changes(moved))  # a demo seeded before the reform: visits follow


def _seed_users(units_by_code: dict) -> list[str]:
    logins = []
    for username, role, display_name, unit_code in DEMO_USERS:
        logins.append(f"{username} ({role})")
        if db.session.scalar(select(User.id).where(User.username == username)):
            continue
        db.session.add(
            User(
                username=username,
                role=role,
                display_name=display_name,
                org_unit_id=units_by_code[unit_code].id if unit_code else None,
                password_hash=generate_password_hash(DEMO_PASSWORD),
                active=True,
            )
        )
    return logins


def wards_2023() -> dict[str, str]:
    """{demo market code: the code of its ward before 1 July 2025} (what the database keeps in
    market_assignment; for tests that work on 2023 through the API, which shows today's unit)."""
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    wards = [{**ward, "district": district} for district in data["districts"]
             for ward in district["wards"]]
    return {m["code"]: m["ward"]["code"] for m in _market_plan(wards)}


def database_is_empty() -> bool:
    return db.session.scalar(select(Market.id).limit(1)) is None


def seed_demo() -> dict:
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    units_before = {u.id for u in db.session.scalars(select(OrgUnit))}
    wards, units = _seed_org_units(data)
    changes = [
        org_unit_change(u.id)
        for u in units.values()
        if u.id not in units_before or db.session.is_modified(u)
    ]
    changes += _seed_markets(wards, units)
    logins = _seed_users(units)
    have = set(db.session.scalars(
        select(IndicatorTarget.period).where(IndicatorTarget.org_unit_id.is_(None))))
    for period, target in DEMO_TARGETS.items():
        if period not in have:
            db.session.add(IndicatorTarget(period=period, org_unit_id=None, target=target))
    record_changes(changes)
    db.session.commit()
    return {
        "org_units": db.session.scalar(select(func.count(OrgUnit.id))),
        "markets": db.session.scalar(select(func.count(Market.id))),
        "users": db.session.scalar(select(func.count(User.id))),
        "logins": logins,
    }
