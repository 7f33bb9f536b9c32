"""syncclient against the real app, served over HTTP on a free port in a background thread."""

import threading

import pytest
import requests
from sqlalchemy import func, select
from werkzeug.serving import make_server

from server.core.extensions import db
from server.models import AppliedMutation, Visit
from syncclient import AuthError, SyncClient
from syncclient.simulate import fake_photo, simulate_devices
from tests.factories import GOOD_ANSWERS, PASSWORD

HOM_NEARBY = {"lat": 21.0155, "lon": 105.8515, "accuracy_m": 12}


@pytest.fixture
def live_url(app, world):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


def phone(url, username="insp_hbt", **options) -> SyncClient:
    return SyncClient(url, username, PASSWORD, base_delay=0.01, max_delay=0.1, **options)


def server_count(model) -> int:
    db.session.rollback()  # see what the server threads committed
    return db.session.scalar(select(func.count()).select_from(model))


def test_record_sync_state_round_trip(live_url, world, tmp_path):
    client = phone(live_url, store_path=tmp_path / "phone")
    first = client.sync()
    markets = {m["code"] for m in client.records("market")}
    assert markets == {"M-HOM", "M-MO"}  # the inspector's district only
    assert first.pulled == len(client.state()) and client.records("form")

    hom = world["markets"]["hom"].id
    visit_id = client.record_visit(hom, dict(GOOD_ANSWERS), location=HOM_NEARBY)
    report = client.sync()
    assert (report.applied, report.duplicate, report.conflict, report.rejected) == (1, 0, 0, 0)
    assert client.outbox == [] and client.problems == []
    record = client.state()[("visit", visit_id)]
    assert record["rev"] == 1 and record["status"] == "submitted"
    assert record["market_id"] == hom and record["compliant"] is False
    assert record["inspector_id"] == world["users"]["insp_hbt"].id
    assert record["device_id"] == client.device_id

    client.edit_visit(visit_id, answers={**GOOD_ANSWERS, "stalls_using_nondegradable": 0})
    assert client.sync().applied == 1
    record = client.state()[("visit", visit_id)]
    assert record["rev"] == 2 and record["compliant"] is True

    again = phone(live_url, store_path=tmp_path / "phone")  # the app restarted
    assert again.state() == client.state() and again.device_id == client.device_id
    assert again.sync().pulled == 0


class LosesFirstPushAnswer(requests.Session):
    """The push reaches the server, which applies it, but its answer never comes back."""

    lost = False

    def request(self, method, url, *args, **kwargs):
        response = super().request(method, url, *args, **kwargs)
        if url.endswith("/sync/push") and not self.lost:
            self.lost = True
            raise requests.ConnectionError("connection reset by peer")
        return response


def test_retry_after_a_lost_answer_applies_exactly_once(live_url, world):
    client = phone(live_url, session=LosesFirstPushAnswer())
    visit_id = client.record_visit(world["markets"]["mo"].id, dict(GOOD_ANSWERS))
    report = client.sync()
    assert (report.applied, report.duplicate, report.retries) == (0, 1, 1)
    assert client.outbox == [] and client.state()[("visit", visit_id)]["rev"] == 1
    assert server_count(Visit) == 1 and server_count(AppliedMutation) == 1


def test_review_reaches_the_inspector_and_locks_the_visit(live_url, world):
    inspector, officer = phone(live_url), phone(live_url, "ward_hbt")
    visit_id = inspector.record_visit(world["markets"]["hom"].id, dict(GOOD_ANSWERS))
    inspector.sync()
    officer.sync()
    officer.decide(visit_id, None, "approve")
    assert officer.sync().applied == 1

    inspector.edit_visit(visit_id, answers={**GOOD_ANSWERS, "stalls_total": 41})  # offline
    report = inspector.sync()
    assert report.conflict == 1 and inspector.outbox == []
    [problem] = inspector.problems
    assert problem["error"]["code"] == "locked" and problem["record"]["status"] == "approved"
    record = inspector.state()[("visit", visit_id)]
    assert record["status"] == "approved" and record["review"]["decision"] == "approve"


def test_revoked_token_logs_in_again_and_wrong_password_is_auth_error(live_url, world):
    client = phone(live_url)
    client.sync()
    client.http.request("DELETE", "/auth/token", ok=(204,))  # revoked, client not told
    client.record_visit(world["markets"]["hom"].id, dict(GOOD_ANSWERS))
    report = client.sync()
    assert report.relogins == 1 and report.applied == 1

    with pytest.raises(AuthError) as raised:
        SyncClient(live_url, "insp_hbt", "wrong password").sync()
    assert raised.value.code == "invalid_credentials"


def test_photos_upload_once_and_the_visit_has_none_missing(live_url, world):
    client = phone(live_url)
    photo = fake_photo("live")
    visit_id = client.record_visit(world["markets"]["hom"].id, dict(GOOD_ANSWERS),
                                   photos=[photo])
    report = client.sync()
    assert report.uploaded == 1 and report.applied == 1
    record = client.state()[("visit", visit_id)]
    assert len(record["attachments"]) == 1 and record["missing_attachments"] == []
    sha = record["attachments"][0]
    got = client.http.request("GET", f"/attachments/{sha}")
    assert got.content == photo


def test_simulated_devices_apply_every_visit_once(live_url, app):
    totals = simulate_devices(live_url, devices=3, visits=4, username="insp_hbt",
                              password=PASSWORD, base_delay=0.01, max_delay=0.2)
    assert totals["ok"], totals
    assert totals["visits_recorded"] == totals["applied"] + totals["duplicate"] == 12
    assert totals["uploaded"] == 12 and totals["errors"] == 0
    assert server_count(Visit) == 12


def test_simulate_devices_command(live_url, app):
    from server.simulate_cli import register

    if "simulate-devices" not in app.cli.commands:
        register(app)
    result = app.test_cli_runner().invoke(args=[
        "simulate-devices", "--url", live_url, "--devices", "2", "--visits", "3",
        "--username", "insp_bd", "--password", PASSWORD, "--no-photos",
    ])
    assert result.exit_code == 0, result.output
    assert "applied: 6" in result.output and "OK" in result.output
    failed = app.test_cli_runner().invoke(args=[
        "simulate-devices", "--url", live_url, "--devices", "1", "--visits", "1",
        "--username", "insp_bd", "--password", "wrong", "--no-photos",
    ])
    assert failed.exit_code == 1 and "invalid_credentials" in failed.output
