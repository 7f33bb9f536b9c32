"""A push is one transaction with a savepoint per mutation (server/sync/push.py, DESIGN §5.1:
"each atomically on its own: one rejected mutation does not block the rest")."""

from sqlalchemy import event, func, select

from server.core.extensions import db
from server.models import AppliedMutation, ChangeLog, Visit
from server.sync import push as push_module
from server.sync.outcome import conflict
from tests.factories import decision, login, push, upsert, visit_data


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def visit_changes() -> list[tuple[str, int]]:
    rows = db.session.execute(
        select(ChangeLog.entity_id, ChangeLog.rev)
        .where(ChangeLog.entity == "visit").order_by(ChangeLog.seq)
    )
    return [tuple(row) for row in rows]


def test_a_push_of_many_mutations_commits_once(client, world):
    headers = login(client, "insp_hbt")
    bad = visit_data(world["markets"]["hom"])
    bad["answers"] = {**bad["answers"], "stalls_using_nondegradable": 99}
    good = [visit_data(world["markets"]["hom" if i % 2 else "mo"]) for i in range(4)]
    mutations = [upsert(good[0]), upsert(good[1]), upsert(bad), upsert(good[2]), upsert(good[3])]
    commits = []
    listener = lambda _conn: commits.append(1)  # noqa: E731
    event.listen(db.engine, "commit", listener)
    try:
        results = push(client, headers, *mutations)
    finally:
        event.remove(db.engine, "commit", listener)

    assert [r["status"] for r in results] == ["applied"] * 2 + ["rejected"] + ["applied"] * 2
    # The sign-in's transaction is ended before the push; the push itself commits once.
    assert len(commits) <= 2, f"{len(commits)} commits for one push"
    assert count(Visit) == 4 and count(AppliedMutation) == 4
    # The change log holds the four visits, in the order they were pushed.
    assert visit_changes() == [(data["id"], 1) for data in good]


def test_a_mutation_refused_after_it_wrote_leaves_nothing_and_its_neighbours_stay(
        client, world, monkeypatch):
    real = push_module.HANDLERS["visit.upsert"]
    calls = []

    def refuses_the_second_after_writing(user, device_id, data):
        record = real(user, device_id, data)  # the visit row and its change are written
        calls.append(data["id"])
        if len(calls) == 2:
            raise conflict("already_exists", "refused after writing (test)", record)
        return record

    monkeypatch.setitem(push_module.HANDLERS, "visit.upsert", refuses_the_second_after_writing)
    headers = login(client, "insp_hbt")
    datas = [visit_data(world["markets"]["hom"]) for _ in range(3)]
    results = push(client, headers, *(upsert(d) for d in datas))

    assert [r["status"] for r in results] == ["applied", "conflict", "applied"]
    kept = {datas[0]["id"], datas[2]["id"]}
    assert set(db.session.scalars(select(Visit.id))) == kept
    assert count(AppliedMutation) == 2
    # Its change-log row went with it: pull never announces a visit that does not exist.
    assert visit_changes() == [(datas[0]["id"], 1), (datas[2]["id"], 1)]


def test_create_then_edit_in_one_push_and_a_review_push_with_a_stale_decision(client, world):
    inspector = login(client, "insp_hbt")
    first, second = (visit_data(world["markets"]["hom"]) for _ in range(2))
    edited = {**first, "base_rev": 1, "answers": {**first["answers"], "stalls_total": 41}}
    results = push(client, inspector, upsert(first), upsert(edited), upsert(second))
    assert [(r["status"], r["record"]["rev"]) for r in results] == [
        ("applied", 1), ("applied", 2), ("applied", 1)]
    assert results[1]["record"]["answers"]["stalls_total"] == 41

    officer = login(client, "ward_hbt")
    results = push(client, officer, decision(first["id"], 2, "approve"),
                   decision(second["id"], 7, "approve"),  # stale: the visit is at rev 1
                   decision(second["id"], 1, "return", comment="Thiếu ảnh"))
    assert [r["status"] for r in results] == ["applied", "conflict", "applied"]
    statuses = dict(db.session.execute(select(Visit.id, Visit.status)).all())
    assert statuses == {first["id"]: "approved", second["id"]: "returned"}
    assert visit_changes() == [
        (first["id"], 1), (first["id"], 2), (second["id"], 1), (first["id"], 3),
        (second["id"], 2)]


def test_the_same_mutation_twice_in_one_push_is_applied_then_duplicate(client, world):
    headers = login(client, "insp_hbt")
    mutation = upsert(visit_data(world["markets"]["hom"]))
    reused = {**mutation, "data": {**mutation["data"], "location": None}}
    first, again, other = push(client, headers, mutation, mutation, reused)
    assert (first["status"], again["status"]) == ("applied", "duplicate")
    assert again["record"] == first["record"]
    assert other["status"] == "rejected" and other["error"]["code"] == "mutation_id_reused"
    assert count(Visit) == 1 and count(AppliedMutation) == 1
    [later] = push(client, headers, mutation)
    assert later["status"] == "duplicate" and later["record"] == first["record"]
