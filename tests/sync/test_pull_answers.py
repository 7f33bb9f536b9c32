"""Pull's answers, now JSON built close to the database (server/sync/render.py), mean what
the records built from the models mean (DESIGN §5.1, §5.2): every change of a full and an
incremental pull is compared with the record the models give (server/sync/records.py's
visit_record, the models' to_dict, the form), strictly: true is not 1, the same numbers,
the same timestamp text; with deletes, a market moved to another ward, reviews, photos with
and without their bytes, `people`, and cursors and has_more across pages."""

import hashlib
import json
import math

import pytest
from sqlalchemy import select, update

from server.core.extensions import db
from server.forms import load_form
from server.models import Market, OrgUnit, User, Visit
from server.sync import push as push_module
from server.sync.records import visit_record
from tests.factories import decision, login, push, upsert, visit_data

URL = "/api/v1/sync/pull"


def same(got, want) -> bool:
    """Equal in meaning as JSON: key order free, 12 and 12.0 the same number, but a boolean
    is not a number and null is only null."""
    if isinstance(want, bool) or isinstance(got, bool):
        return type(got) is type(want) and got == want
    if isinstance(want, int | float) and isinstance(got, int | float):
        return got == want and not (isinstance(want, float) and math.isnan(want))
    if isinstance(want, dict):
        return isinstance(got, dict) and got.keys() == want.keys() and all(
            same(got[k], want[k]) for k in want)
    if isinstance(want, list):
        return isinstance(got, list) and len(got) == len(want) and all(
            same(g, w) for g, w in zip(got, want, strict=True))
    return type(got) is type(want) and got == want


def test_the_comparison_can_fail():
    assert same({"a": [1, 2.5, None]}, {"a": [1.0, 2.5, None]})
    assert not same({"compliant": 1}, {"compliant": True})
    assert not same({"a": "2023-03-01T01:30:00Z"}, {"a": "2023-03-01T01:30:00.000Z"})
    assert not same({"a": [1, 2]}, {"a": [2, 1]})
    assert not same({"a": None}, {"a": []})
    assert not same({"a": 1, "b": 2}, {"a": 1})


def from_models(entity: str, entity_id) -> dict:
    """The change as the models render it (what pull answered before render.py)."""
    if entity == "form":
        return {"entity": "form", "op": "upsert", "id": entity_id, "rev": 1,
                "data": load_form(entity_id.split("@")[1])}
    model = {"org_unit": OrgUnit, "market": Market, "visit": Visit}[entity]
    row = db.session.get(model, entity_id)
    data = visit_record(row) if entity == "visit" else row.to_dict()
    return {"entity": entity, "op": "upsert", "id": row.id, "rev": row.rev, "data": data}


def named_people(changes) -> list[dict]:
    ids = set()
    for change in changes:
        if change["entity"] == "visit" and change["op"] == "upsert":
            ids.add(change["data"]["inspector_id"])
            if change["data"]["review"] is not None:
                ids.add(change["data"]["review"]["reviewer_id"])
    return [{"id": u.id, "username": u.username, "display_name": u.display_name}
            for u in db.session.query(User).filter(User.id.in_(ids)).order_by(User.id)]


def pages(client, headers, cursor=None, limit=3) -> tuple[list[dict], str]:
    """Every page until has_more is false, each checked: JSON, its people those its visits
    name; has_more true on every page but the last."""
    changes = []
    while True:
        query = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        response = client.get(URL, query_string=query, headers=headers)
        assert response.status_code == 200 and response.mimetype == "application/json"
        body = response.get_json()
        assert set(body) == {"changes", "cursor", "has_more", "people"}
        assert isinstance(body["cursor"], str) and isinstance(body["has_more"], bool)
        assert len(body["changes"]) <= limit
        db.session.expire_all()
        assert body["people"] == named_people(body["changes"])
        changes += body["changes"]
        cursor = body["cursor"]
        if not body["has_more"]:
            return changes, cursor
        assert body["changes"], "a page with has_more true carries changes"


def assert_upserts_as_models(changes):
    db.session.expire_all()
    for change in changes:
        if change["op"] == "upsert":
            want = from_models(change["entity"], change["id"])
            assert same(change, want), [(k, change["data"].get(k), v) for k, v in
                                        want["data"].items() if not same(change["data"].get(k), v)]


def photo(client, headers, seed: int) -> str:
    data = (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
            + bytes([seed]) * 32 + b"\xff\xd9")
    digest = hashlib.sha256(data).hexdigest()
    answer = client.put(f"/api/v1/attachments/{digest}", data=data,
                        headers={**headers, "Content-Type": "image/jpeg"})
    assert answer.status_code in (200, 201), answer.get_json()
    return digest


def record(client, world) -> dict:
    """Visits with every shape a record takes: photos stored and not (in order), no location,
    floats of many digits, text needing escapes, two decisions (the latest counts)."""
    m = world["markets"]
    insp, insp2, bd = (login(client, n) for n in ("insp_hbt", "insp_hbt2", "insp_bd"))
    missing = hashlib.sha256(b"never uploaded").hexdigest()
    v = {
        "photos": visit_data(m["hom"], attachments=[missing, "PLACEHOLDER", missing[::-1]],
                             location={"lat": 21.015512345678901, "lon": 105.8515,
                                       "accuracy_m": 12}),
        "bare": visit_data(m["hom"], location=None, observed_at="2023-03-01T08:30:00.9996+07:00"),
        "decided": visit_data(m["mo"]),
        "elsewhere": visit_data(m["ngocha"]),
    }
    v["photos"]["attachments"][1] = photo(client, insp, 1)
    v["photos"]["answers"]["notes"] = 'Chợ "Hôm" \\ tầng 2\nquầy thịt\t— 100%'
    push(client, insp, upsert(v["photos"]), upsert(v["decided"]))
    push(client, insp2, upsert(v["bare"]))
    push(client, bd, upsert(v["elsewhere"]))
    ward = login(client, "ward_hbt")
    push(client, ward, decision(v["decided"]["id"], 1, "return", "Ảnh mờ, \"chụp\" lại."))
    push(client, insp, upsert({**v["decided"], "base_rev": 2}))
    push(client, ward, decision(v["decided"]["id"], 3, "approve"))
    return {name: data["id"] for name, data in v.items()}


def test_a_full_pull_answers_what_the_models_say_page_by_page(client, world):
    ids = record(client, world)
    for username in ("city", "ward_hbt", "ward_hbt1", "insp_hbt"):
        changes, _ = pages(client, login(client, username))
        assert_upserts_as_models(changes)
        assert all(c["op"] == "upsert" for c in changes)
        order = [(c["entity"], c["id"]) for c in changes]
        entities = [e for e, _ in order]
        assert entities == sorted(entities, key=("form", "org_unit", "market", "visit").index)
        for entity in ("org_unit", "market", "visit"):
            entity_ids = [i for e, i in order if e == entity]
            assert entity_ids == sorted(set(entity_ids)), "each once, in id order"
    city = {c["id"]: c["data"] for c in pages(client, login(client, "city"), limit=1000)[0]
            if c["entity"] == "visit"}
    assert set(city) == set(ids.values())
    shown = city[ids["photos"]]
    assert shown["missing_attachments"] == [shown["attachments"][0], shown["attachments"][2]]
    assert shown["location"]["lat"] == 21.015512345678901
    assert shown["observed_at"] == "2023-03-01T01:30:00.000Z"
    assert city[ids["bare"]]["location"] is None
    assert city[ids["bare"]]["observed_at"] == "2023-03-01T01:30:00.999Z"  # truncated, as iso_z
    assert city[ids["decided"]]["review"]["decision"] == "approve"
    assert city[ids["decided"]]["status"] == "approved"


def test_an_incremental_pull_answers_what_the_models_say_with_deletes(client, world, runner,
                                                                       tmp_path):
    ids = record(client, world)
    officers = {name: login(client, name) for name in ("ward_hbt1", "ward_hbt", "city")}
    cursors = {name: pages(client, h)[1] for name, h in officers.items()}
    push(client, login(client, "ward_hbt"), decision(ids["bare"], 1, "approve", "Tốt"))
    hom = world["markets"]["hom"]
    csv = tmp_path / "move.csv"  # Chợ Hôm moves from ward HBT-1 to HBT-2
    csv.write_text(
        "code,name,org_unit_code,address,lat,lon,market_class,opened_on,closed_on\n"
        f"{hom.code},Chợ Hôm,HBT-2,,21.0153,105.8513,1,,\n", encoding="utf-8")
    assert runner.invoke(args=["import-markets", str(csv)]).exit_code == 0
    fresh = visit_data(world["markets"]["kimma"])
    push(client, login(client, "insp_bd"), upsert(fresh))

    news = {name: pages(client, officers[name], cursors[name], limit=1)[0] for name in cursors}
    for changes in news.values():
        assert_upserts_as_models(changes)

    def last(changes):  # pages of 1: a record changed twice comes twice; the last counts
        return {(c["entity"], c["id"]): c for c in changes}

    db.session.expire_all()
    # The officer of the old ward: the market and its visits leave their set, as deletes
    # with the id typed as before and the rev of the record's last change.
    old_ward = last(news["ward_hbt1"])
    moved = db.session.get(Market, hom.id)
    assert old_ward[("market", hom.id)] == {"entity": "market", "op": "delete", "id": hom.id,
                                           "rev": moved.rev, "data": None}
    for name in ("photos", "bare"):
        assert old_ward[("visit", ids[name])] == {
            "entity": "visit", "op": "delete", "id": ids[name],
            "rev": db.session.get(Visit, ids[name]).rev, "data": None}
    assert {c["op"] for c in old_ward.values() if c["entity"] != "org_unit"} == {"delete"}
    # The district officer still sees them: upserts, the market in its new ward, the review.
    district = last(news["ward_hbt"])
    assert district[("market", hom.id)]["data"]["org_unit_id"] == world["units"]["HBT-2"].id
    assert district[("visit", ids["bare"])]["data"]["review"]["comment"] == "Tốt"
    assert ("visit", fresh["id"]) not in district
    city = {(c["entity"], c["id"]) for c in news["city"]}
    assert {("visit", fresh["id"]), ("visit", ids["bare"]), ("market", hom.id)} <= city


def stored_renderings() -> dict[str, str]:
    db.session.expire_all()
    return dict(db.session.execute(select(Visit.id, Visit.rendered)
                                   .where(Visit.rendered.is_not(None))).all())


def assert_stored_as_models():
    """Every stored rendering (visit.rendered, written by the writers) is the change the
    models give for that visit now."""
    stored = stored_renderings()
    for visit_id, text in stored.items():
        want = from_models("visit", visit_id)
        assert same(json.loads(text), want), (visit_id, text)
    return stored


@pytest.mark.parametrize("path", ["set-wise", "one by one"])
def test_stored_renderings_stay_what_the_models_say(client, world, monkeypatch, path):
    """Through the writers' renderings (visit.rendered) and pull's renderings made now, mixed:
    a photo arriving after its visit, decisions, an edit, a reopened visit, and old rows
    (NULL) beside rendered ones, in full and incremental pulls."""
    if path == "one by one":
        monkeypatch.setattr(push_module, "BATCHES", {})  # the per-mutation upsert
    ids = record(client, world)
    insp, city = login(client, "insp_hbt"), login(client, "city")
    stored = assert_stored_as_models()
    # Rendered at write: created, edited and decided visits whose photos are all stored; the
    # one with a photo not uploaded is rendered when pulled.
    assert {ids["bare"], ids["decided"], ids["elsewhere"]} <= set(stored)
    assert ids["photos"] not in stored
    _, cursor = pages(client, city)

    late = visit_data(world["markets"]["hom"])
    data = (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
            + bytes([7]) * 32 + b"\xff\xd9")
    late["attachments"] = [hashlib.sha256(data).hexdigest()]
    edit = visit_data(world["markets"]["hom"], ids["bare"], 1)
    edit["answers"]["notes"] = "sửa lại"
    ward = login(client, "ward_hbt")
    for who, mutation in ((insp, upsert(late)), (city, decision(ids["decided"], 4, "reopen",
                                                                 "Xem lại.")),
                          (login(client, "insp_hbt2"), upsert(edit)),
                          (ward, decision(ids["bare"], 2, "approve"))):
        assert [r["status"] for r in push(client, who, mutation)] == ["applied"]
        if mutation["data"].get("id") == late["id"]:
            assert late["id"] not in assert_stored_as_models()
            photo(client, insp, 7)  # its photo arrives after the visit
    stored = assert_stored_as_models()
    assert {ids["bare"], ids["decided"]} <= set(stored)
    # Rows written before the column existed: NULL, beside rendered ones.
    db.session.execute(update(Visit).where(Visit.id.in_([ids["decided"], ids["elsewhere"]]))
                       .values(rendered=None))
    db.session.commit()
    assert ids["bare"] in stored_renderings()

    changes, _ = pages(client, city, cursor)
    assert_upserts_as_models(changes)
    latest = {c["id"]: c["data"] for c in changes if c["entity"] == "visit"}
    assert latest[late["id"]]["missing_attachments"] == []
    assert latest[ids["decided"]]["status"] == "submitted"
    assert latest[ids["decided"]]["review"]["decision"] == "reopen"
    assert latest[ids["bare"]]["answers"]["notes"] == "sửa lại"
    assert latest[ids["bare"]]["review"]["decision"] == "approve"
    for username in ("city", "ward_hbt", "insp_hbt"):
        changes, _ = pages(client, login(client, username), limit=2)
        assert_upserts_as_models(changes)
    full = {c["id"]: c["data"] for c in pages(client, city, limit=1000)[0]
            if c["entity"] == "visit"}
    assert full[late["id"]]["missing_attachments"] == []
    assert full[ids["photos"]]["missing_attachments"]
