"""The live indicator (issue #15): what a phone's push or the admin's market change does shows
on the city dashboard in the answer right after it, with no job run; and whatever sequence of
decisions, edits, new visits and market changes, the snapshot updated step by step equals a
full recompute (server/indicator/live.py against snapshots.compute)."""

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from server.core.extensions import db
from server.core.periods import local_today, parse_period
from server.indicator.snapshots import compute
from server.models import IndicatorSnapshot, IndicatorSnapshotItem, Visit
from tests.factories import decision, login, push, upsert, visit_data
from tests.indicator import fixture


@pytest.fixture
def world(app):
    return fixture.build()


def indicator(client, headers, period="2023", unit=None) -> dict:
    query = {"period": period, **({"org_unit": unit} if unit else {})}
    response = client.get("/api/v1/indicator", headers=headers, query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def counts(body: dict) -> tuple:
    return (body["markets_total"], body["compliant"], body["non_compliant"],
            body["not_assessed"], body["pending_review"])


def rev_of(visit_id: str) -> int:
    db.session.rollback()
    return db.session.get(Visit, visit_id).rev


def test_a_decision_pushed_by_the_ward_officer_shows_on_the_city_dashboard_at_once(client, world):
    city, ward = login(client, "city"), login(client, "ward_hbt")
    before = indicator(client, city)
    total, compliant, non_compliant, not_assessed, pending = counts(before)

    [result] = push(client, ward, decision(fixture.vid(4), 1, "approve"))  # M04, compliant
    assert result["status"] == "applied", result

    after = indicator(client, city)
    assert counts(after) == (total, compliant + 1, non_compliant, not_assessed - 1,
                             pending - 1)
    assert after["computed_at"] >= before["computed_at"]
    hbt1 = {row["org_unit"]["code"]: row for row in indicator(client, city, "2023", "HBT")
            ["breakdown"]}["HBT-1"]
    assert (hbt1["compliant"], hbt1["pending_review"]) == (2, 0)  # M01 and M04
    markets = client.get("/api/v1/indicator/markets", headers=city,
                         query_string={"period": "2023-Q2", "org_unit": "HBT-1"}).get_json()
    m04 = next(m for m in markets["markets"] if m["market"]["code"] == "M04")
    assert m04["status"] == "compliant" and m04["visit_id"] == fixture.vid(4)
    assert m04["reviewer"]["name"] == "Trần Thị Duyệt"


def test_a_resubmitted_visit_shows_as_awaiting_review_at_once(client, world):
    city, inspector = login(client, "city"), login(client, "insp_hbt")
    before = indicator(client, city, "2023", "HBT-1")
    # M05's visit was returned; the inspector fixes it and sends it again, for M03 this time.
    data = visit_data(world["markets"]["M03"], fixture.vid(5), base_rev=rev_of(fixture.vid(5)),
                      observed_at="2023-06-05T09:00:00+07:00")
    [result] = push(client, inspector, upsert(data))
    assert result["status"] == "applied", result
    after = indicator(client, city, "2023", "HBT-1")
    assert after["pending_review"] == before["pending_review"] + 1
    # Moved again while it waits: M03 no longer waits, M02 (which has evidence) does not.
    data = {**data, "base_rev": rev_of(fixture.vid(5)), "market_id": world["markets"]["M02"].id}
    assert push(client, inspector, upsert(data))[0]["status"] == "applied"
    assert indicator(client, city, "2023", "HBT-1")["pending_review"] == before["pending_review"]


def test_a_new_visit_and_a_market_move_show_at_once(client, world):
    city, inspector = login(client, "city"), login(client, "insp_hbt")
    admin = login(client, "admin")
    # M01 compliant; M02, M07 not; M03–M06 without evidence, M04 awaiting review.
    assert counts(indicator(client, city, "2023", "HBT-1")) == (7, 1, 2, 4, 1)
    assert push(client, inspector, upsert(visit_data(
        world["markets"]["M03"], observed_at="2023-09-09T09:00:00+07:00")))[0]["status"] \
        == "applied"
    assert counts(indicator(client, city, "2023", "HBT-1")) == (7, 1, 2, 4, 2)

    hbt_before = counts(indicator(client, city, "2023", "HBT"))
    before_hbt2 = counts(indicator(client, city, "2023", "HBT-2"))
    # M01 (compliant) is moved to HBT-2 from 1 January 2023: 2023 now counts it there.
    response = client.patch(f"/api/v1/admin/markets/{world['markets']['M01'].id}",
                            headers=admin, json={"org_unit_id": world["units"]["HBT-2"].id,
                                                 "org_unit_from": "2023-01-01"})
    assert response.status_code == 200, response.get_json()
    assert counts(indicator(client, city, "2023", "HBT-1")) == (6, 0, 2, 4, 2)
    hbt = indicator(client, city, "2023", "HBT")
    hbt2 = next(r for r in hbt["breakdown"] if r["org_unit"]["code"] == "HBT-2")
    assert (hbt2["markets_total"], hbt2["compliant"]) == (before_hbt2[0] + 1, before_hbt2[1] + 1)
    assert counts(hbt) == hbt_before  # the district's figures did not change


def test_a_final_period_is_left_alone(client, world):
    city, ward = login(client, "city"), login(client, "ward_hbt")
    assert client.post("/api/v1/indicator/final", json={"period": "2023-Q2"},
                       headers=city).status_code == 200
    frozen, year = indicator(client, city, "2023-Q2"), indicator(client, city, "2023")
    assert push(client, ward, decision(fixture.vid(4), 1, "approve"))[0]["status"] == "applied"
    assert indicator(client, city, "2023-Q2") == frozen
    assert indicator(client, city, "2023")["compliant"] == year["compliant"] + 1


# ------------------------------------------------------------------ incremental == full

def snapshot_state(period_id: str) -> tuple:
    """What the dashboard and downloads read of a period, without ids and computation times."""
    db.session.rollback()
    snap, item = IndicatorSnapshot, IndicatorSnapshotItem
    rows = sorted(
        (r.org_unit_id or 0, r.parent_unit_id or 0, r.markets_total, r.compliant,
         r.non_compliant, r.not_assessed, r.pending_review, r.final)
        for r in db.session.scalars(select(snap).where(snap.period == period_id))
    )
    city_id = db.session.scalar(select(snap.id).where(snap.period == period_id,
                                                      snap.org_unit_id.is_(None)))
    items = sorted(
        (i.market_id, i.org_unit_id, i.status, i.pending_review, i.visit_id, i.observed_at,
         i.inspector_id, i.reviewer_id, i.decided_at)
        for i in db.session.scalars(select(item).where(item.snapshot_id == city_id))
    )
    return rows, items


def this_year() -> str:
    return str(local_today().year)


PERIODS = ("2023", "2023-Q1", "2023-Q2", "2023-Q3", "2023-06", "2023-11", "2023-YTD06")
MARKETS = [f"M{n:02d}" for n in range(1, 17)] + ["B01"]
DECISIONS = ("approve", "return", "reject", "reopen")
DAY = st.integers(min_value=0, max_value=364)  # a day of 2023
step = st.one_of(
    st.tuples(st.just("decide"), st.integers(0, 40), st.sampled_from(DECISIONS)),
    st.tuples(st.just("edit"), st.integers(0, 40), st.sampled_from(MARKETS), DAY),
    st.tuples(st.just("new"), st.sampled_from(MARKETS), DAY, st.booleans()),
    st.tuples(st.just("move"), st.sampled_from(MARKETS),
              st.sampled_from(("HBT-1", "HBT-2", "BD-1")), st.one_of(st.none(), DAY)),
    st.tuples(st.just("close"), st.sampled_from(MARKETS), st.one_of(st.none(), DAY)),
)


def local_2023(day: int) -> str:
    return f"{date(2023, 1, 1) + timedelta(days=day)}T09:00:00+07:00"


class Steps:
    def __init__(self, client, world):
        self.client, self.world = client, world
        self.ward = login(client, "ward_hbt")
        self.city = login(client, "city")
        self.inspector = login(client, "insp_hbt")
        self.admin = login(client, "admin")

    def visits(self) -> list[Visit]:
        db.session.rollback()
        return list(db.session.scalars(select(Visit).order_by(Visit.id)))

    def run(self, op) -> None:
        kind, *args = op
        markets = self.world["markets"]
        if kind == "decide":
            visits = self.visits()
            visit = visits[args[0] % len(visits)]
            # The city officer may reopen; the ward officer decides in Hai Bà Trưng.
            who = self.city if args[1] == "reopen" else self.ward
            push(self.client, who, decision(visit.id, visit.rev, args[1],
                                            comment="Lý do" if args[1] != "approve" else None))
        elif kind == "edit":
            visits = self.visits()
            visit = visits[args[0] % len(visits)]
            push(self.client, self.inspector, upsert(visit_data(
                markets[args[1]], visit.id, base_rev=visit.rev, observed_at=local_2023(args[2]))))
        elif kind == "new":
            answers = fixture.answers(args[2])
            push(self.client, self.inspector, upsert(visit_data(
                markets[args[0]], observed_at=local_2023(args[1]), answers=answers)))
        elif kind == "move":
            body = {"org_unit_id": self.world["units"][args[1]].id}
            if args[2] is not None:
                body["org_unit_from"] = str(date(2023, 1, 1) + timedelta(days=args[2]))
            self.client.patch(f"/api/v1/admin/markets/{markets[args[0]].id}",
                              headers=self.admin, json=body)
        else:
            closed = None if args[1] is None else str(date(2023, 1, 1) + timedelta(days=args[1]))
            self.client.patch(f"/api/v1/admin/markets/{markets[args[0]].id}",
                              headers=self.admin, json={"closed_on": closed})


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=st.lists(step, min_size=1, max_size=8))
def test_after_any_sequence_the_live_snapshot_equals_a_full_recompute(client, world, steps):
    # Each example starts from full recomputes and goes on from the data the previous left.
    periods = (*PERIODS, this_year())
    for period_id in periods:
        compute(parse_period(period_id))
    runner = Steps(client, world)
    for op in steps:
        runner.run(op)
    for period_id in periods:
        live = snapshot_state(period_id)
        compute(parse_period(period_id))
        assert live == snapshot_state(period_id), (period_id, steps)


@pytest.mark.parametrize("limit", ["MAX_PAIRS", "MAX_ROWS"])
def test_a_change_too_big_for_items_rewrites_its_periods_whole(client, world, monkeypatch,
                                                                limit):
    """A bulk import or a seed touching more pairs (or rows) than the limits: the periods are
    recomputed whole in the same transaction, with the same result."""
    from server.indicator import live

    city, ward = login(client, "city"), login(client, "ward_hbt")
    before = indicator(client, city)
    monkeypatch.setattr(live, limit, 0)
    assert push(client, ward, decision(fixture.vid(4), 1, "approve"))[0]["status"] == "applied"
    after = indicator(client, city)
    assert after["compliant"] == before["compliant"] + 1
    state = snapshot_state("2023")
    compute(parse_period("2023"))
    assert snapshot_state("2023") == state
