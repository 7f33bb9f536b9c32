"""The sync.purge job: change-log rows past the retention window, applied mutations past the
token lifetime; what a live cursor needs stays, an older cursor gets 410 and starts over."""

from datetime import timedelta

from sqlalchemy import func, select, update

from server.core.extensions import db
from server.core.timeutil import utcnow
from server.models import AppliedMutation, ChangeLog
from server.sync.purge import purge_sync_log
from tests.factories import apply_changes, decision, login, pull_all, push, upsert, visit_data


def _age_all_changes(days: int) -> int:
    """Make every change so far `days` old; → the newest seq so aged."""
    db.session.execute(update(ChangeLog).values(changed_at=utcnow() - timedelta(days=days)))
    db.session.commit()
    return db.session.scalar(select(func.max(ChangeLog.seq)))


def _pull(client, headers, cursor):
    return client.get("/api/v1/sync/pull", query_string={"cursor": cursor}, headers=headers)


def test_live_cursor_keeps_its_changes_older_cursor_gets_410_then_repulls(client, world):
    m = world["markets"]
    inspector = login(client, "insp_hbt", device_id="phone-old")
    newer_phone = login(client, "insp_hbt", device_id="phone-new")
    first = push(client, inspector, upsert(visit_data(m["hom"])))[0]["record"]
    old_replica = apply_changes({}, pull_all(client, inspector)[0])
    _, old_cursor = pull_all(client, inspector)  # holds everything up to the first visit
    push(client, inspector, upsert(visit_data(m["mo"])))
    expired_through = _age_all_changes(days=31)  # all of that happened a month ago

    push(client, login(client, "ward_hbt"), decision(first["id"], 1, "approve"))
    new_replica = apply_changes({}, pull_all(client, newer_phone)[0])
    _, live_cursor = pull_all(client, newer_phone)  # synced yesterday, say
    third = push(client, inspector, upsert(visit_data(m["hom"])))[0]["record"]

    first_run = purge_sync_log()
    assert first_run == {"change_log_deleted": 0, "purged_through": expired_through,
                         "applied_mutations_deleted": 0}
    expired = _pull(client, inspector, old_cursor)
    assert expired.status_code == 410
    assert expired.get_json()["error"]["code"] == "cursor_expired"

    # The next run deletes what the first one expired, and nothing a live cursor needs.
    second_run = purge_sync_log()
    assert second_run["change_log_deleted"] == expired_through
    assert db.session.scalar(select(func.min(ChangeLog.seq))) == expired_through + 1
    news, _ = pull_all(client, newer_phone, live_cursor)
    assert [(c["id"], c["op"]) for c in news] == [(third["id"], "upsert")]
    apply_changes(new_replica, news)
    truth = apply_changes({}, pull_all(client, newer_phone)[0])
    assert new_replica == truth

    # The old phone starts over (no cursor) and ends up with exactly the server's set.
    assert _pull(client, inspector, old_cursor).status_code == 410
    old_replica = apply_changes({}, pull_all(client, inspector)[0])
    assert old_replica == truth
    assert old_replica[("visit", first["id"])]["status"] == "approved"
    assert len([k for k in old_replica if k[0] == "visit"]) == 3


def test_a_recent_change_log_is_left_alone(client, world):
    inspector = login(client, "insp_hbt")
    push(client, inspector, upsert(visit_data(world["markets"]["hom"])))
    _, cursor = pull_all(client, inspector)
    before = db.session.scalar(select(func.count()).select_from(ChangeLog))
    for _ in range(2):
        assert purge_sync_log()["purged_through"] == 0
    assert db.session.scalar(select(func.count()).select_from(ChangeLog)) == before
    assert _pull(client, inspector, cursor).status_code == 200


def _age_mutation(mutation_id: str, days: int) -> None:
    db.session.execute(update(AppliedMutation).where(AppliedMutation.id == mutation_id)
                       .values(applied_at=utcnow() - timedelta(days=days)))
    db.session.commit()


def test_applied_mutations_older_than_retention_go_and_a_late_retry_is_not_applied_twice(
        client, world):
    inspector = login(client, "insp_hbt")
    old = upsert(visit_data(world["markets"]["hom"]))
    recent = upsert(visit_data(world["markets"]["mo"]))
    push(client, inspector, old, recent)
    _age_mutation(old["id"], 61)
    _age_mutation(recent["id"], 59)
    assert purge_sync_log()["applied_mutations_deleted"] == 1
    retried = push(client, inspector, recent, old)
    assert retried[0]["status"] == "duplicate"
    # Its answer is gone, but the visit exists: the retry is a conflict, never a second visit.
    assert retried[1]["status"] == "conflict"
    assert retried[1]["record"]["rev"] == 1


def test_mutations_are_kept_at_least_as_long_as_a_token_lives(make_app):
    from tests.factories import make_world

    app = make_app(APPLIED_MUTATION_RETENTION_DAYS=5, TOKEN_TTL_DAYS=30)
    with app.app_context():
        world = make_world()
        client = app.test_client()
        inspector = login(client, "insp_hbt")
        mutation = upsert(visit_data(world["markets"]["hom"]))
        push(client, inspector, mutation)
        _age_mutation(mutation["id"], 20)  # older than 5 days, younger than a token
        assert purge_sync_log()["applied_mutations_deleted"] == 0
        assert push(client, inspector, mutation)[0]["status"] == "duplicate"
        _age_mutation(mutation["id"], 31)
        assert purge_sync_log()["applied_mutations_deleted"] == 1
