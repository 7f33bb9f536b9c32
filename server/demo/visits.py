"""`manage.py seed-demo-visits`: inspections of 2023, 2024, 2025 and 2026 for the dashboard.

Run after seed-demo (`make run` does). Separate from seed-demo on purpose: the browser tests
seed the demo and expect a server with no visits at all. Deterministic (fixed random seeds,
UUID5 ids; a visit is planned only once its day has come, Hanoi time) and idempotent (a visit
already there is left alone).

About 580 visits a year by demo inspectors other than `kiemtra` (whose list stays empty for the
inspector walkthrough): `kiemtra2` in Phường Hai Bà Trưng (markets there today), reviewed by
`phuong`, who is left with a queue of submitted visits; a city inspection team
elsewhere, reviewed by `thanhpho`. Compliance rises within each year and from year to year, as
the plan's outreach takes hold; some markets stay non-compliant."""

import random
import uuid
from datetime import date, datetime, timedelta

from sqlalchemy import insert, select
from werkzeug.security import generate_password_hash

from server.core.extensions import db
from server.core.periods import local_today
from server.core.timeutil import HANOI_OFFSET
from server.demo.seed import DEMO_PASSWORD, HBT_WARD
from server.models import Market, OrgUnit, ReviewDecision, User, Visit
from server.sync.changes import record_changes, visit_change
from server.visits.upsert import distance_m

NAMESPACE = uuid.UUID("0c1d2e3f-4a5b-4c6d-8e7f-202320232023")
INSPECTORS = [  # username, display name, unit code (None: the city)
    ("kiemtra2", "Phạm Thu Hà (cán bộ kiểm tra, demo)", HBT_WARD),
    ("doankt1", "Đỗ Quang Minh (đoàn kiểm tra TP, demo)", None),
    ("doankt2", "Vũ Thị Lan (đoàn kiểm tra TP, demo)", None),
    ("doankt3", "Hoàng Đức Anh (đoàn kiểm tra TP, demo)", None),
]
RETURN_COMMENTS = ["Thiếu ảnh quầy hàng thịt, đề nghị bổ sung.",
                   "Số hộ kiểm tra chưa khớp với sổ theo dõi của ban quản lý chợ."]
REJECT_COMMENTS = ["Trùng với lượt kiểm tra trước trong cùng ngày.",
                   "Vị trí ghi nhận cách chợ quá xa."]
# Year: (share compliant in January, rise per month, weight of "no visit this year"): 2023 as
# before the reform; later years more compliant and better covered (a rising trend).
YEARS = {2023: (0.52, 0.036, 12), 2024: (0.68, 0.022, 10), 2025: (0.78, 0.015, 7),
         2026: (0.9, 0.008, 2)}
ALTERNATIVES = ["biodegradable_bag", "paper_bag", "cloth_bag", "leaf_wrap", "customer_own_bag"]


def _inspectors(units_by_code: dict) -> dict[str, User]:
    users = {u.username: u for u in db.session.scalars(
        select(User).where(User.username.in_([i[0] for i in INSPECTORS])))}
    city = db.session.scalar(select(OrgUnit).where(OrgUnit.level == "city"))
    for username, name, unit_code in INSPECTORS:
        if username not in users:
            unit = units_by_code[unit_code] if unit_code else city
            users[username] = User(username=username, display_name=name, role="inspector",
                                   org_unit_id=unit.id, active=True,
                                   password_hash=generate_password_hash(DEMO_PASSWORD))
            db.session.add(users[username])
    db.session.flush()
    return users


def _answers(rng: random.Random, compliant: bool) -> dict:
    total = rng.randint(15, 260)
    using = 0 if compliant else rng.randint(1, max(1, min(25, total // 4)))
    alternatives = rng.sample(ALTERNATIVES, rng.randint(1, 3)) if rng.random() < 0.9 else ["none"]
    answers = {"stalls_total": total, "stalls_using_nondegradable": using,
               "alternatives": sorted(alternatives), "signage_present": rng.random() < 0.8,
               "outreach_held": rng.random() < 0.6}
    if not compliant and rng.random() < 0.5:
        answers["notes"] = f"{using} hộ bán thịt, cá vẫn dùng túi nilon khó phân hủy."
    return answers


def _plan(markets, hbt_unit_id: int, users: dict, year: int, today: date):
    """(visit row, in phuong's ward, review delay) per planned visit, in a fixed order."""
    rng = random.Random(year)  # one stream per year: a year's plan never depends on another's
    team = [users["doankt1"], users["doankt2"], users["doankt3"]]
    base, rise, unvisited = YEARS[year]
    for market in markets:
        start = max(market.opened_on or date(year, 1, 1), date(year, 1, 1))
        closed = market.closed_on or date(year, 12, 31)
        count = rng.choices([0, 1, 2, 3], weights=[unvisited, 55, 27, 6])[0]
        if start > min(date(year, 12, 31), closed):
            continue
        in_hbt = market.org_unit_id == hbt_unit_id  # kiemtra2's and phuong's ward today
        span = (min(date(year, 12, 31), closed) - start).days
        stubborn = market.id % 9 == 0  # a few markets stay non-compliant longer
        for n in range(count):
            day = start + timedelta(days=rng.randint(0, span))
            hour, minute = rng.randint(7, 16), rng.randint(0, 59)
            compliant = rng.random() < (base + rise * day.month) * (0.6 if stubborn else 1)
            inspector = users["kiemtra2"] if in_hbt else team[market.id % 3]
            roll = rng.random()
            answers = _answers(rng, compliant)
            received_hours, delay_days = rng.randint(1, 30), rng.randint(1, 5)
            jitter = (rng.uniform(-0.0003, 0.0003), rng.uniform(-0.0003, 0.0003),
                      rng.randint(5, 30))
            if day > today:  # not yet: planned, never stored ahead of its day
                continue
            observed = datetime(day.year, day.month, day.day, hour, minute) - HANOI_OFFSET
            waiting = 0.4 if in_hbt else 0.04  # phuong keeps a queue to clear
            if (today - day).days < 7:  # too recent to be reviewed yet
                waiting = 1
            outcome = ("submitted" if roll < waiting else "returned" if roll < waiting + 0.05
                       else "rejected" if roll < waiting + 0.08 else "approved")
            visit = {
                "id": str(uuid.uuid5(NAMESPACE, f"{market.code}/{n}" if year == 2023
                                     else f"{market.code}/{year}/{n}")),
                "market_id": market.id,
                "inspector_id": inspector.id, "device_id": f"demo-{inspector.username}",
                "form_version": "2023.1", "observed_at": observed, "observed_offset_min": 420,
                "received_at": observed + timedelta(hours=received_hours),
                "answers": answers, "compliant": compliant,
                "status": outcome, "rev": 1 if outcome == "submitted" else 2,
            }
            if market.lat is not None:
                lat, lon = market.lat + jitter[0], market.lon + jitter[1]
                visit.update(location_lat=round(lat, 6), location_lon=round(lon, 6),
                             location_accuracy_m=jitter[2],
                             distance_m=distance_m(market.lat, market.lon, lat, lon))
            visit["updated_at"] = visit["received_at"]
            yield visit, in_hbt, delay_days


def seed_demo_visits() -> dict:
    units_by_code = {u.code: u for u in db.session.scalars(select(OrgUnit))}
    users = _inspectors(units_by_code)
    today = local_today()
    reviewers = {u.username: u for u in db.session.scalars(
        select(User).where(User.username.in_(["phuong", "thanhpho"])))}
    markets = list(db.session.scalars(
        select(Market).where(Market.code.like("CX-%")).order_by(Market.code)))
    unit_of = {m.id: m.org_unit_id for m in markets}
    existing = set(db.session.scalars(select(Visit.id)))
    comment_rng = random.Random(293)  # apart, so the plan never depends on what is skipped
    visits, decisions, changes = [], [], []
    planned = [row for year in YEARS
               for row in _plan(markets, units_by_code[HBT_WARD].id, users, year, today)]
    for visit, in_hbt, delay_days in planned:
        if visit["id"] in existing:
            continue
        visits.append(visit)
        if visit["status"] != "submitted":
            reviewer = reviewers["phuong" if in_hbt else "thanhpho"]
            name = {"approved": "approve", "returned": "return", "rejected": "reject"}
            comments = {"returned": RETURN_COMMENTS, "rejected": REJECT_COMMENTS}
            reasons = comments.get(visit["status"])
            decisions.append({
                "visit_id": visit["id"], "decision": name[visit["status"]],
                "comment": comment_rng.choice(reasons) if reasons else None,
                "reviewer_id": reviewer.id, "visit_rev": 2,
                "decided_at": visit["received_at"] + timedelta(days=delay_days),
            })
        changes.append(visit_change(visit["id"], visit["rev"], visit["inspector_id"],
                                    unit_of[visit["market_id"]]))
    if visits:
        db.session.execute(insert(Visit), visits)
        if decisions:
            db.session.execute(insert(ReviewDecision), decisions)
        record_changes(changes)
    db.session.commit()
    return {"visits_added": len(visits), "decisions_added": len(decisions),
            "inspectors": sorted(users)}
