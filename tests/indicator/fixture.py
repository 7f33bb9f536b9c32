"""THE hand-computed fixture: 16 markets over two wards, with every case of DESIGN §7.

Visits and decisions are written as rows (not pushed) so that observation and decision times
are exactly the ones the expected figures in test_reconciliation.py were worked out from."""

from datetime import date, datetime, timedelta

from server.core.extensions import db
from server.models import IndicatorTarget, ReviewDecision, Visit
from tests.factories import make_market, make_units, make_user

UTC7 = timedelta(hours=7)


def local(text: str) -> datetime:
    """'2023-03-10 10:00' in Hanoi time → naive UTC, as visits store it."""
    return datetime.fromisoformat(text) - UTC7


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text)


def answers(compliant: bool) -> dict:
    return {"stalls_total": 30, "stalls_using_nondegradable": 0 if compliant else 4,
            "alternatives": ["paper_bag"], "signage_present": True, "outreach_held": True}


def add_visit(world, market, visit_id, observed_local, compliant, decisions=()):
    """decisions: [(decision, decided_at UTC text)], oldest first; status follows the last."""
    status = {"approve": "approved", "return": "returned", "reject": "rejected",
              "reopen": "submitted"}
    visit = Visit(
        id=visit_id, rev=1 + len(decisions), market_id=market.id,
        inspector_id=world["inspector"].id, device_id="dev-fixture", form_version="2023.1",
        observed_at=local(observed_local), observed_offset_min=420, answers=answers(compliant),
        status=status[decisions[-1][0]] if decisions else "submitted", compliant=compliant,
    )
    db.session.add(visit)
    db.session.flush()
    for rev, (name, decided) in enumerate(decisions, start=2):
        db.session.add(ReviewDecision(
            visit_id=visit_id, decision=name, reviewer_id=world["reviewer"].id,
            decided_at=utc(decided), visit_rev=rev,
            comment=None if name == "approve" else "Lý do",
        ))
        db.session.flush()
    return visit


def vid(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


def build() -> dict:
    units = make_units()
    w1, w2 = units["HBT-1"], units["HBT-2"]
    world = {
        "units": units,
        "inspector": make_user("insp_hbt", "inspector", units["HBT"]),
        "reviewer": make_user("ward_hbt", "ward_officer", units["HBT"]),
        "ward_bd": make_user("ward_bd", "ward_officer", units["BD"]),
        "ward_w1": make_user("ward_hbt1", "ward_officer", w1),
        "city": make_user("city", "city_officer", units["HN"]),
        "admin": make_user("admin", "admin", None),
    }
    world["inspector"].display_name = "Nguyễn Văn Kiểm"
    world["reviewer"].display_name = "Trần Thị Duyệt"
    m = {}

    def market(key, unit, **extra):
        m[key] = make_market(unit, key, f"Chợ {key}", **extra)

    for key in ("M01", "M02", "M03", "M04", "M05", "M06", "M07"):
        market(key, w1)
    market("M08", w2)
    market("M09", w2)
    market("M10", w2, opened_on=date(2023, 7, 1))
    market("M11", w2, closed_on=date(2022, 12, 31))
    for key in ("M12", "M13", "M14", "M15", "M16"):
        market(key, w2)
    # A market in another district: outside every figure of Quận Hai Bà Trưng.
    market("B01", units["BD-1"])
    world["markets"] = m

    approve = [("approve", "2023-12-31T18:00:00")]
    add_visit(world, m["M01"], vid(1), "2023-03-10 10:00", True,
              [("approve", "2023-03-11T02:00:00")])
    add_visit(world, m["M02"], vid(2), "2023-05-20 09:00", False,
              [("approve", "2023-05-21T02:00:00")])
    add_visit(world, m["M04"], vid(4), "2023-06-01 09:00", True)  # awaiting review
    add_visit(world, m["M05"], vid(5), "2023-06-02 09:00", True,
              [("return", "2023-06-03T02:00:00")])
    add_visit(world, m["M06"], vid(6), "2023-07-03 09:00", True,
              [("reject", "2023-07-04T02:00:00")])
    add_visit(world, m["M07"], vid(71), "2023-02-01 09:00", True,
              [("approve", "2023-02-02T02:00:00")])
    add_visit(world, m["M07"], vid(72), "2023-08-15 09:00", False,
              [("approve", "2023-08-16T03:04:05")])
    add_visit(world, m["M08"], vid(8), "2023-12-31 23:30", True, approve)
    add_visit(world, m["M09"], vid(9), "2024-01-01 00:30", True, approve)
    add_visit(world, m["M10"], vid(10), "2023-09-10 09:00", True,
              [("approve", "2023-09-11T02:00:00")])
    add_visit(world, m["M11"], vid(11), "2023-01-05 09:00", True,
              [("approve", "2023-01-06T02:00:00")])
    # Same observation time: the later decision wins.
    add_visit(world, m["M12"], vid(121), "2023-10-10 08:00", True,
              [("approve", "2023-10-11T09:00:00")])
    add_visit(world, m["M12"], vid(122), "2023-10-10 08:00", False,
              [("approve", "2023-10-12T09:00:00")])
    # Same observation and decision times: the higher visit id wins.
    add_visit(world, m["M13"], "00000000-0000-4000-8000-000000000131", "2023-10-20 08:00",
              True, [("approve", "2023-10-21T09:00:00")])
    add_visit(world, m["M13"], "ffffffff-0000-4000-8000-000000000132", "2023-10-20 08:00",
              False, [("approve", "2023-10-21T09:00:00")])
    # Approved evidence plus a later visit awaiting review: compliant, not pending.
    add_visit(world, m["M14"], vid(141), "2023-04-04 09:00", True,
              [("approve", "2023-04-05T02:00:00")])
    add_visit(world, m["M14"], vid(142), "2023-11-11 09:00", False)
    # Rejected, then a new visit awaiting review: pending.
    add_visit(world, m["M15"], vid(151), "2023-03-03 09:00", False,
              [("reject", "2023-03-04T02:00:00")])
    add_visit(world, m["M15"], vid(152), "2023-03-20 09:00", True)
    # Approved, then reopened by the city: awaiting review again, so pending.
    add_visit(world, m["M16"], vid(16), "2023-03-15 09:00", True,
              [("approve", "2023-03-16T02:00:00"), ("reopen", "2023-03-17T02:00:00")])
    add_visit(world, m["B01"], vid(901), "2023-05-05 09:00", True,
              [("approve", "2023-05-06T02:00:00")])

    db.session.add(IndicatorTarget(period="2023", org_unit_id=None, target=1.0))
    db.session.add(IndicatorTarget(period="2023-Q1", org_unit_id=w1.id, target=0.5))
    db.session.commit()
    return world
