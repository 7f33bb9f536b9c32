"""The live indicator under concurrent pushes (server/indicator/live.py): two officers deciding
visits of the same market and periods at the same instant, each transaction held open around
its change-log insert so both are in flight together. Neither push fails or deadlocks, and the
figures equal a full recompute: the second push's hook ran after the first committed (it runs
under the change-sequence lock, then the snapshot lock), so it saw both decisions and moved
the counts once each; without the locks it does not (tried: the counts drift).

Real requests from threads against the app served over HTTP (tests/sync/concurrency)."""

import random
import time

import pytest
import requests

from server.core.periods import parse_period
from server.indicator.snapshots import compute
from tests.factories import decision, push, upsert, visit_data
from tests.indicator import fixture
from tests.indicator.test_live import snapshot_state
from tests.sync.concurrency.live_api import TIMEOUT, at_once, hook_change_log, served

PERIODS = ("2023", "2023-Q2", "2023-06", "2023-YTD06", "2023-YTD12")


@pytest.fixture
def app(make_app):
    app = make_app(
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True, "pool_size": 8, "max_overflow": 4}
    )
    with app.app_context():
        yield app


@pytest.fixture
def world(app):
    return fixture.build()


@pytest.fixture
def api(app, world):
    with served(app) as api:
        yield api


def test_two_officers_deciding_at_once_on_the_same_market_and_periods(api, app, world,
                                                                     monkeypatch):
    client = app.test_client()
    inspector = api.login("insp_hbt")
    # Four waiting visits on M03, in June 2023: two for each officer.
    visits = []
    for day in (10, 11, 12, 13):
        data = visit_data(world["markets"]["M03"], observed_at=f"2023-06-{day}T09:00:00+07:00",
                          answers=fixture.answers(day % 2 == 0))
        assert push(client, inspector, upsert(data))[0]["status"] == "applied"
        visits.append(data["id"])
    for period_id in PERIODS:
        compute(parse_period(period_id))
    # Hold each writer's transaction open around its change-log insert (and so around the
    # hook, which runs in it), at random, so the two commits interleave.
    hook_change_log(monkeypatch, before=lambda rows: time.sleep(random.uniform(0, 0.2)),
                    after=lambda rows: time.sleep(random.uniform(0, 0.1)))
    ward, ward_w1 = api.login("ward_hbt"), api.login("ward_hbt1")

    results = at_once(
        lambda: api.push(ward, decision(visits[0], 1, "approve"),
                         decision(visits[2], 1, "approve")),
        lambda: api.push(ward_w1, decision(visits[3], 1, "approve"),
                         decision(visits[1], 1, "return", comment="Thiếu ảnh")),
    )

    assert [r["status"] for result in results for r in result] == ["applied"] * 4
    live = {period_id: snapshot_state(period_id) for period_id in PERIODS}
    for period_id in PERIODS:
        compute(parse_period(period_id))
        assert live[period_id] == snapshot_state(period_id), period_id
    # M03's evidence is the latest approved visit, 13 June, whoever committed last.
    items = {i[0]: i for i in live["2023-06"][1]}
    assert items[world["markets"]["M03"].id][4] == visits[3]


@pytest.mark.parametrize("first_snapshot", [True, False], ids=["first-snapshot", "later"])
def test_a_period_computed_while_a_decision_commits_counts_it(api, app, world, monkeypatch,
                                                              first_snapshot):
    """The dashboard asks for 2023 (never computed) while a decision's push has written its
    change rows and not committed yet: the recompute waits for that commit (the first
    snapshot ever: behind the change-sequence lock; later ones: behind the snapshot lock the
    push's hook holds), so the new snapshot counts the decision."""
    if not first_snapshot:
        compute(parse_period("2023-Q1"))
    hook_change_log(monkeypatch, after=lambda rows: time.sleep(0.4))  # in flight, rows written
    ward, city = api.login("ward_hbt"), api.login("city")

    def read_later():
        time.sleep(0.15)
        response = requests.get(f"{api.url}/api/v1/indicator", params={"period": "2023"},
                                headers=city, timeout=TIMEOUT)
        assert response.status_code == 200, response.text
        return response.json()

    pushed, body = at_once(lambda: api.push(ward, decision(fixture.vid(4), 1, "approve")),
                           read_later)

    assert pushed[0]["status"] == "applied"
    live = snapshot_state("2023")
    compute(parse_period("2023"))
    assert live == snapshot_state("2023")
    assert body["pending_review"] == live[0][0][6]  # the city row the dashboard was given
