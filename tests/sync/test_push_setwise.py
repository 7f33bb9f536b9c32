"""A push's visit.upsert mutations applied set-wise (server/visits/upsert_batch.py,
server/sync/push_batch.py) give what the per-mutation path gives (DESIGN §5.1): in order,
exactly once, a refusal blocking nothing; the same answers and the same rows."""

import hashlib
import json

from sqlalchemy import delete, func, insert, select

from server.core.extensions import db
from server.models import (
    AppliedMutation,
    ChangeLog,
    ReviewDecision,
    Visit,
    VisitAttachment,
    VisitVersion,
)
from server.sync import push as push_module
from server.sync.push import request_hash
from tests.api.test_attachments import put, webp
from tests.factories import decision, login, push, upsert, visit_data

PHOTO = webp()
STORED = hashlib.sha256(PHOTO).hexdigest()
MISSING = "ab" * 32
VISIT = "0b7c9f4e-6a1d-4c2b-9a55-3f1e2d4c8b"  # + two digits: fixed ids, so two runs compare


def mixed_push(world, earlier: dict, returned: dict) -> list[dict]:
    """Creates; an edit of a visit created earlier in the same push; a refusal in the middle;
    an id pushed twice; edits of visits from earlier pushes (one returned by the officer, one
    at a stale rev); a create of an id that exists; a photo stored, one not yet."""
    hom, mo = world["markets"]["hom"], world["markets"]["mo"]
    first = visit_data(hom, visit_id=VISIT + "21", attachments=[STORED, MISSING])
    second = visit_data(mo, visit_id=VISIT + "22", location=None)
    edit_first = {**first, "base_rev": 1, "market_id": mo.id, "attachments": [MISSING],
                  "answers": {**first["answers"], "stalls_total": 41}}
    bad = visit_data(hom, visit_id=VISIT + "23",
                     answers={**first["answers"], "stalls_using_nondegradable": 99})
    twice = upsert(visit_data(hom, visit_id=VISIT + "24",
                              observed_at="2023-03-02T09:00:00+07:00"), "m-twice")
    return [
        upsert(first, "m-first"), upsert(bad, "m-bad"), upsert(second, "m-second"),
        upsert(edit_first, "m-edit-first"), twice, twice,
        upsert({**returned, "base_rev": 2, "answers": {**returned["answers"], "notes": "Đã sửa"}},
               "m-edit-returned"),
        upsert({**earlier, "base_rev": 5}, "m-stale"),
        upsert({**earlier}, "m-exists"),
        upsert(visit_data(999_999, visit_id=VISIT + "25"), "m-unknown-market"),
    ]


def run_scenario(client, world) -> tuple[list[dict], list[dict]]:
    """The earlier pushes, then the mixed push and its replay; both answers."""
    inspector = login(client, "insp_hbt")
    assert put(client, inspector, PHOTO, "image/webp").status_code in (200, 201)
    earlier = visit_data(world["markets"]["hom"], visit_id=VISIT + "11")
    returned = visit_data(world["markets"]["mo"], visit_id=VISIT + "12")
    push(client, inspector, upsert(earlier, "m-earlier"), upsert(returned, "m-returned"))
    push(client, login(client, "ward_hbt"),
         decision(returned["id"], 1, "return", "Thiếu ảnh", mutation_id="m-return"))
    mutations = mixed_push(world, earlier, returned)
    return push(client, inspector, *mutations), push(client, inspector, *mutations)


def test_a_mixed_push_applies_in_order_and_its_replay_answers_duplicate(client, world):
    results, replay = run_scenario(client, world)
    assert [(r["status"], (r.get("error") or {}).get("code")) for r in results] == [
        ("applied", None), ("rejected", "validation_failed"), ("applied", None),
        ("applied", None), ("applied", None), ("duplicate", None), ("applied", None),
        ("conflict", "stale_rev"), ("conflict", "already_exists"),
        ("rejected", "validation_failed"),
    ]
    first, edit = results[0]["record"], results[3]["record"]
    assert (first["rev"], edit["rev"]) == (1, 2)
    assert first["missing_attachments"] == [MISSING] and first["attachments"] == [STORED, MISSING]
    assert edit["answers"]["stalls_total"] == 41 and edit["attachments"] == [MISSING]
    assert edit["market_id"] == world["markets"]["mo"].id
    assert results[5]["record"] == results[4]["record"]
    resubmitted = results[6]["record"]
    assert (resubmitted["rev"], resubmitted["status"]) == (3, "submitted")
    assert resubmitted["review"]["decision"] == "return"  # the latest decision is still shown
    assert results[7]["record"]["rev"] == 1 and results[8]["record"]["rev"] == 1
    # The replay: every applied mutation answers duplicate with the record it produced; the
    # others are judged again against what is there now.
    for before, again in zip(results, replay, strict=True):
        if before["status"] in ("applied", "duplicate"):
            assert again["status"] == "duplicate" and again["record"] == before["record"]
        else:
            assert again["status"] == before["status"]
    assert replay[8]["error"]["code"] == "already_exists"
    assert db.session.scalar(select(Visit.rev).where(Visit.id == first["id"])) == 2
    history = db.session.execute(
        select(VisitVersion.rev).where(VisitVersion.visit_id == first["id"])).scalars().all()
    assert sorted(history) == [1, 2]


def _without_times(value):
    if isinstance(value, dict):
        return {k: _without_times(v) for k, v in value.items()
                if k not in ("received_at", "decided_at", "updated_at", "applied_at",
                             "changed_at", "seq", "id")
                or (k == "id" and isinstance(v, str))}
    if isinstance(value, list):
        return [_without_times(v) for v in value]
    return value


def _parsed(row: dict) -> dict:
    """A visit's stored rendering (visit.rendered) as its JSON, so its times are left out."""
    if isinstance(row.get("rendered"), str):
        row["rendered"] = json.loads(row["rendered"])
    return row


def database_rows() -> dict:
    tables = {Visit: Visit.id, VisitAttachment: VisitAttachment.visit_id,
              VisitVersion: VisitVersion.id, AppliedMutation: AppliedMutation.id,
              ChangeLog: ChangeLog.seq, ReviewDecision: ReviewDecision.id}
    rows = {}
    for model, order in tables.items():
        table = model.__table__
        found = db.session.execute(select(table).order_by(order, *table.primary_key.columns))
        rows[table.name] = [_without_times(_parsed(dict(row._mapping))) for row in found]
    return rows


def forget_visits() -> None:
    for model in (ReviewDecision, VisitVersion, VisitAttachment, AppliedMutation, Visit):
        db.session.execute(delete(model))
    db.session.execute(delete(ChangeLog).where(ChangeLog.entity == "visit"))
    db.session.commit()


def test_set_wise_and_one_by_one_give_the_same_answers_and_rows(client, world, monkeypatch):
    setwise = [_without_times(r) for r in run_scenario(client, world)]
    setwise_rows = database_rows()
    forget_visits()
    monkeypatch.setattr(push_module, "BATCHES", {})  # the per-mutation path only
    one_by_one = [_without_times(r) for r in run_scenario(client, world)]
    assert one_by_one == setwise
    assert database_rows() == setwise_rows


def test_a_write_that_fails_falls_back_to_one_by_one(client, world, monkeypatch):
    """Here a visit row appears between the set-wise read and its insert (as when a concurrent
    twin commits it): the insert fails, the push is applied one mutation at a time, and
    the phone is told what that path finds."""
    from server.visits import upsert_batch

    headers = login(client, "insp_hbt")
    datas = [visit_data(world["markets"]["hom"]) for _ in range(3)]
    real_write = upsert_batch.UpsertBatch.write
    writes = []

    def write_after_an_intruder(batch):
        writes.append(1)
        db.session.execute(insert(Visit.__table__), {
            **vars(batch.visits[datas[1]["id"]]), "answers": {"written": "by someone else"}})
        real_write(batch)

    monkeypatch.setattr(upsert_batch.UpsertBatch, "write", write_after_an_intruder)
    results = push(client, headers, *(upsert(d) for d in datas))
    # The set-wise write failed and was undone (the intruder's row with it), then each
    # mutation applied on its own.
    assert writes == [1]
    assert [r["status"] for r in results] == ["applied"] * 3
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 3
    answers = db.session.scalar(select(Visit.answers).where(Visit.id == datas[1]["id"]))
    assert answers == datas[1]["answers"]


def test_the_request_hash_is_the_canonical_json_of_type_and_data():
    """Stored hashes must stay comparable across versions: a phone retrying after an upgrade
    is answered `duplicate`, not `mutation_id_reused`."""
    mutation = upsert({"b": 1.5, "a": "Chợ Hôm", "c": [1e16, None, True]})
    canonical = json.dumps({"type": mutation["type"], "data": mutation["data"]},
                           sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert request_hash(mutation) == hashlib.sha256(canonical.encode()).hexdigest()


def test_the_quick_check_accepts_only_what_push_request_accepts_unchanged(world):
    from marshmallow import ValidationError

    from server.sync.schemas import PushRequest, plainly_valid

    good = upsert(visit_data(world["markets"]["hom"]))
    near_misses = [
        {}, {"device_id": "d"}, {"device_id": "", "mutations": []},
        {"device_id": "d" * 65, "mutations": []}, {"device_id": 7, "mutations": []},
        {"device_id": "d", "mutations": {}}, {"device_id": "d", "mutations": [], "x": 1},
        {"device_id": "d", "mutations": [good] * 501},
        {"device_id": "d", "mutations": [{**good, "extra": 1}]},
        {"device_id": "d", "mutations": [{**good, "id": "bad id"}]},
        {"device_id": "d", "mutations": [{**good, "id": "x" * 65}]},
        {"device_id": "d", "mutations": [{**good, "id": 12}]},
        {"device_id": "d", "mutations": [{**good, "type": "visit.delete"}]},
        {"device_id": "d", "mutations": [{**good, "type": ["visit.upsert"]}]},
        {"device_id": "d", "mutations": [{**good, "data": [1]}]},
        {"device_id": "d", "mutations": [{"id": "m", "type": "visit.upsert"}]},
        {"device_id": "d", "mutations": ["m"]},
    ]
    plain = [{"device_id": "phone-1", "mutations": []},
             {"device_id": "p", "mutations": [good, decision(good["data"]["id"], 1, "approve")]}]
    for body in plain + near_misses:
        try:
            loaded = PushRequest().load(body)
        except ValidationError:
            loaded = None
        if plainly_valid(body):
            assert loaded == body, body
    assert all(plainly_valid(body) for body in plain)
    assert not any(plainly_valid(body) for body in near_misses)
