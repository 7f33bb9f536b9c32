"""The audit table is append-only: on PostgreSQL its trigger refuses UPDATE, DELETE and
TRUNCATE (raw SQL, whoever sends it), except the retention job's DELETE of events older than
AUDIT_RETENTION_DAYS (0, the default: kept forever). The command line's imports and
create-user are audited with no actor and "via": "cli"."""

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from server.audit.retention import purge_audit_events
from server.core.extensions import db
from server.core.timeutil import utcnow
from server.models import AuditEvent
from tests.api.admin import A


def is_postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


def add_events(*ages_in_days: int) -> None:
    now = utcnow()
    for days in ages_in_days:
        db.session.add(AuditEvent(at=now - timedelta(days=days), action="target.set",
                                  target_type="target", target_id="2024/city", details={}))
    db.session.commit()


def ages() -> list[int]:
    db.session.expire_all()
    now = utcnow()
    return sorted(round((now - at).total_seconds() / 86400)
                  for at in db.session.scalars(select(AuditEvent.at)))


@pytest.mark.parametrize("statement", [
    "UPDATE audit_event SET action = 'user.create'",
    "UPDATE audit_event SET details = '{}' WHERE id = (SELECT min(id) FROM audit_event)",
    "DELETE FROM audit_event",
    "DELETE FROM audit_event WHERE at < now()",
    "TRUNCATE audit_event",
])
def test_postgresql_refuses_changing_or_deleting_an_event(app, statement):
    if not is_postgres():
        pytest.skip("the trigger is PostgreSQL's; SQLite has only the application's word")
    add_events(400, 1)
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(text(statement))
    db.session.rollback()
    assert ages() == [1, 400]


def test_retention_keeps_everything_by_default(app):
    add_events(4000, 400, 1)
    assert purge_audit_events() == {"audit_events_deleted": 0, "retention": "forever"}
    assert ages() == [1, 400, 4000]


def test_retention_deletes_only_older_events_and_nothing_else_may(make_app):
    app = make_app(AUDIT_RETENTION_DAYS=365)
    with app.app_context():
        add_events(4000, 400, 1)
        assert purge_audit_events() == {"audit_events_deleted": 2, "retention_days": 365}
        assert ages() == [1]
        if is_postgres():  # the job's permission ended with its transaction
            add_events(500)
            with pytest.raises(DBAPIError, match="append-only"):
                db.session.execute(text("DELETE FROM audit_event"))
            db.session.rollback()
            # and even with the variable set, a row younger than the cutoff stays
            db.session.execute(text(
                "SELECT set_config('choxanh.audit_purge_before', :v, true)"),
                {"v": (utcnow() - timedelta(days=365)).isoformat(sep=" ")})
            with pytest.raises(DBAPIError, match="append-only"):
                db.session.execute(text("DELETE FROM audit_event"))
            db.session.rollback()
            assert ages() == [1, 500]


def test_the_retention_job_is_scheduled_daily():
    from server.jobs.registry import find, resolve

    spec = find("audit.retention")
    assert spec is not None and spec.cron == {"hour": 3, "minute": 45}
    assert resolve(spec.ref) is purge_audit_events


UNITS = ("code,name,level,parent_code,valid_from,valid_to\n"
         "HN,Hà Nội,city,,,\nX1,Xã Một,commune,HN,,\n")
MARKETS = ("code,name,org_unit_code,address,lat,lon,market_class,opened_on,closed_on\n"
           "CHO-1,Chợ Một,X1,,,,,,\n")


def test_command_line_imports_and_create_user_are_audited_with_no_actor(app, runner, tmp_path):
    files = {}
    for name, body in (("units.csv", UNITS), ("markets.csv", MARKETS)):
        files[name] = tmp_path / name
        files[name].write_bytes(("\ufeff" + body).encode())  # as Excel saves it
    assert runner.invoke(args=["import-org-units", str(files["units.csv"])]).exit_code == 0
    assert runner.invoke(args=["import-markets", "--dry-run",
                               str(files["markets.csv"])]).exit_code == 0  # no event
    assert runner.invoke(args=["import-markets", str(files["markets.csv"])]).exit_code == 0
    result = runner.invoke(args=["create-user", "quantri", "--role", "admin",
                                 "--password", "Quản trị viên 2024"])
    assert result.exit_code == 0, result.output
    rows = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [r.action for r in rows] == ["org_units.import", "markets.import", "user.create"]
    assert all(r.actor_id is None and r.actor_username is None for r in rows)
    assert all(r.details["via"] == "cli" and r.ip is None for r in rows)
    units, markets, user = rows
    assert (units.target_type, units.target_label) == ("org_units", "units.csv")
    assert units.details == {
        "rows": 2, "created": 2, "updated": 0, "file": "units.csv", "via": "cli",
        "sha256": hashlib.sha256(files["units.csv"].read_bytes()).hexdigest()}
    assert markets.details["created"] == 1
    assert markets.details["sha256"] == hashlib.sha256(
        files["markets.csv"].read_bytes()).hexdigest()
    assert (user.target_type, user.target_label) == ("user", "quantri")
    assert "Quản trị viên 2024" not in str(user.details)
    # and an admin reads them: actor null
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={
        "username": "quantri", "password": "Quản trị viên 2024", "device_id": "d"}).get_json()
    page = client.get(f"{A}/audit", headers={"Authorization": f"Bearer {token['token']}"})
    assert [e["actor"] for e in page.get_json()["events"]] == [None, None, None]
    assert [e["details"]["via"] for e in page.get_json()["events"]] == ["cli"] * 3
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 3
