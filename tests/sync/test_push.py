"""Push: exactly once, per-mutation atomicity, conflicts, locks, scope, validation (DESIGN §5.1)."""

from sqlalchemy import func, select

from server.core.extensions import db
from server.models import AppliedMutation, ReviewDecision, Visit
from tests.factories import (
    decision,
    login,
    new_id,
    push,
    upsert,
    visit_data,
)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_create_derives_compliance_and_distance(client, world):
    headers = login(client, "insp_hbt")
    data = visit_data(world["markets"]["hom"], compliant=True)  # a client's value is ignored
    [result] = push(client, headers, upsert(data))
    assert result["status"] == "applied"
    record = result["record"]
    assert record["id"] == data["id"] and record["rev"] == 1
    assert record["status"] == "submitted" and record["compliant"] is False
    assert record["observed_at"] == "2023-03-01T01:30:00.000Z"
    assert 20 < record["distance_m"] < 40  # ~25 m from Chợ Hôm's recorded location
    assert record["inspector_id"] == world["users"]["insp_hbt"].id
    assert record["review"] is None and record["missing_attachments"] == []


def test_zero_nondegradable_is_compliant_and_no_location_no_distance(client, world):
    headers = login(client, "insp_hbt")
    answers = {"stalls_total": 12, "stalls_using_nondegradable": 0, "signage_present": True,
               "outreach_held": True}
    data = visit_data(world["markets"]["hom"], answers=answers, location=None)
    [result] = push(client, headers, upsert(data))
    assert result["record"]["compliant"] is True
    assert result["record"]["distance_m"] is None and result["record"]["location"] is None


def test_same_push_twice_is_one_visit_and_duplicate(client, world):
    headers = login(client, "insp_hbt")
    mutation = upsert(visit_data(world["markets"]["hom"]))
    [first] = push(client, headers, mutation)
    [again] = push(client, headers, mutation)
    assert first["status"] == "applied" and again["status"] == "duplicate"
    assert again["record"] == first["record"]
    assert count(Visit) == 1 and count(AppliedMutation) == 1


def test_mutation_id_reused_with_other_content_is_rejected(client, world):
    headers = login(client, "insp_hbt")
    mutation = upsert(visit_data(world["markets"]["hom"]))
    push(client, headers, mutation)
    changed = {**mutation, "data": {**mutation["data"], "answers": {
        **mutation["data"]["answers"], "stalls_total": 41}}}
    [result] = push(client, headers, changed)
    assert result["status"] == "rejected"
    assert result["error"]["code"] == "mutation_id_reused"
    assert db.session.scalar(select(Visit.answers)).get("stalls_total") == 40


def test_one_rejected_mutation_does_not_block_the_rest(client, world):
    headers = login(client, "insp_hbt")
    bad = visit_data(world["markets"]["hom"])
    bad["answers"] = {**bad["answers"], "stalls_using_nondegradable": 99}
    results = push(client, headers, upsert(visit_data(world["markets"]["hom"])), upsert(bad),
                   upsert(visit_data(world["markets"]["mo"])))
    assert [r["status"] for r in results] == ["applied", "rejected", "applied"]
    error = results[1]["error"]
    assert error["code"] == "validation_failed"
    assert "answers.stalls_using_nondegradable" in error["fields"]
    assert count(Visit) == 2


def test_validation_failures_name_their_fields(client, world):
    headers = login(client, "insp_hbt")
    hom = world["markets"]["hom"]
    cases = [
        (visit_data(9999), "market_id"),
        (visit_data("²"), "market_id"),  # a digit to str.isdigit, not to int()
        (visit_data("١٢"), "market_id"),  # Arabic-Indic digits: int() reads them, we do not
        (visit_data(world["markets"]["ngocha"]), "market_id"),  # outside Hai Bà Trưng
        (visit_data(hom, observed_at="2099-01-01T00:00:00+07:00"), "observed_at"),
        (visit_data(hom, observed_at="2023-03-01T08:30:00"), "observed_at"),  # no offset
        (visit_data(hom, form_version="1999.1"), "form_version"),
        (visit_data(hom, location={"lat": 91, "lon": 105}), "location.lat"),
        (visit_data(hom, attachments=["not-a-hash"]), "attachments.0"),
        (visit_data(hom, attachments=["a" * 64] * 6), "attachments"),
        (visit_data(hom, visit_id="not-a-uuid"), "id"),
        (visit_data(hom, answers={"stalls_total": 0}), "answers.stalls_total"),
    ]
    results = push(client, headers, *[upsert(data) for data, _ in cases])
    for (_, field), result in zip(cases, results, strict=True):
        assert result["status"] == "rejected", result
        assert result["error"]["code"] == "validation_failed"
        assert field in result["error"]["fields"], (field, result["error"])
    assert count(Visit) == 0


def test_create_on_existing_id_is_a_conflict_with_the_server_record(client, world):
    headers = login(client, "insp_hbt")
    data = visit_data(world["markets"]["hom"])
    push(client, headers, upsert(data))
    again = {**data, "answers": {**data["answers"], "stalls_total": 7}}
    [result] = push(client, headers, upsert(again))
    assert result["status"] == "conflict"
    assert result["record"]["answers"]["stalls_total"] == 40


def test_edit_needs_the_current_rev(client, world):
    headers = login(client, "insp_hbt")
    data = visit_data(world["markets"]["hom"])
    push(client, headers, upsert(data))
    answers = {**data["answers"], "stalls_using_nondegradable": 0}
    edited = {**data, "base_rev": 1, "answers": answers}
    [ok] = push(client, headers, upsert(edited))
    assert ok["status"] == "applied" and ok["record"]["rev"] == 2
    assert ok["record"]["compliant"] is True
    [stale] = push(client, headers, upsert({**edited, "notes": "x"}))  # still base_rev 1
    assert stale["status"] == "conflict" and stale["error"]["code"] == "stale_rev"
    assert stale["record"]["rev"] == 2


def test_only_the_visits_inspector_may_edit_it(client, world):
    data = visit_data(world["markets"]["hom"])
    push(client, login(client, "insp_hbt"), upsert(data))
    [result] = push(client, login(client, "insp_hbt2"), upsert({**data, "base_rev": 1}))
    assert result["status"] == "rejected" and result["error"]["code"] == "not_found"
    assert db.session.scalar(select(Visit.rev)) == 1


def test_approved_visit_is_locked_and_returned_one_goes_back_to_submitted(client, world):
    inspector, officer = login(client, "insp_hbt"), login(client, "ward_hbt")
    data = visit_data(world["markets"]["hom"])
    push(client, inspector, upsert(data))
    [returned] = push(client, officer, decision(data["id"], 1, "return", "Thiếu ảnh."))
    assert returned["record"]["status"] == "returned" and returned["record"]["rev"] == 2
    assert returned["record"]["review"]["comment"] == "Thiếu ảnh."
    [edited] = push(client, inspector, upsert({**data, "base_rev": 2}))
    assert edited["record"]["status"] == "submitted" and edited["record"]["rev"] == 3
    [approved] = push(client, officer, decision(data["id"], 3, "approve"))
    assert approved["record"]["status"] == "approved"
    [locked] = push(client, inspector, upsert({**data, "base_rev": 4}))
    assert locked["status"] == "conflict" and locked["error"]["code"] == "locked"
    assert locked["record"]["status"] == "approved"


def test_second_officer_on_the_same_rev_gets_a_conflict(client, world):
    data = visit_data(world["markets"]["hom"])
    push(client, login(client, "insp_hbt"), upsert(data))
    [first] = push(client, login(client, "ward_hbt"), decision(data["id"], 1, "approve"))
    [second] = push(client, login(client, "city"), decision(data["id"], 1, "reject", "Sai."))
    assert first["status"] == "applied"
    assert second["status"] == "conflict" and second["error"]["code"] == "stale_rev"
    assert second["record"]["status"] == "approved"
    assert count(ReviewDecision) == 1


def test_review_rules(client, world):
    data = visit_data(world["markets"]["hom"])
    push(client, login(client, "insp_hbt"), upsert(data))
    vid = data["id"]
    ward, city = login(client, "ward_hbt"), login(client, "city")
    results = push(
        client, ward,
        decision(vid, 1, "return"),  # comment required
        decision(vid, 1, "reject", "   "),  # blank is no comment
        decision(vid, 1, "reopen", "Xem lại"),  # only city/admin reopen
        decision(vid, 1, "approve"),
    )
    assert [r["status"] for r in results] == ["rejected", "rejected", "rejected", "applied"]
    assert "comment" in results[0]["error"]["fields"]
    assert results[2]["error"]["code"] == "forbidden"
    [approve_again] = push(client, city, decision(vid, 2, "approve"))
    assert approve_again["error"]["code"] == "invalid_transition"
    [reopened] = push(client, city, decision(vid, 2, "reopen", "Ảnh không khớp chợ."))
    assert reopened["record"]["status"] == "submitted" and reopened["record"]["rev"] == 3
    [outside] = push(client, login(client, "ward_bd"), decision(vid, 3, "approve"))
    assert outside["status"] == "rejected" and outside["error"]["code"] == "not_found"
    [by_inspector] = push(client, login(client, "insp_hbt"), decision(vid, 3, "approve"))
    assert by_inspector["error"]["code"] == "forbidden"
    history = db.session.scalars(select(ReviewDecision.decision).order_by(ReviewDecision.id))
    assert list(history) == ["approve", "reopen"]


def test_ward_officer_scope_is_their_subtree(client, world):
    data = visit_data(world["markets"]["mo"])  # Phường Đồng Nhân, not Phố Huế
    push(client, login(client, "insp_hbt"), upsert(data))
    [result] = push(client, login(client, "ward_hbt1"), decision(data["id"], 1, "approve"))
    assert result["error"]["code"] == "not_found"


def test_only_inspectors_record_visits(client, world):
    [result] = push(client, login(client, "city"), upsert(visit_data(world["markets"]["hom"])))
    assert result["status"] == "rejected" and result["error"]["code"] == "forbidden"


def test_rejected_mutation_is_judged_again_never_turned_into_duplicate(client, world):
    headers = login(client, "insp_hbt")
    mutation = upsert(visit_data(9999))
    [first] = push(client, headers, mutation)
    [again] = push(client, headers, mutation)
    assert first["status"] == again["status"] == "rejected"
    assert count(AppliedMutation) == 0  # bad input stores nothing


def test_same_mutation_id_from_another_user_is_rejected(client, world):
    mutation = upsert(visit_data(world["markets"]["hom"]))
    push(client, login(client, "insp_hbt"), mutation)
    [result] = push(client, login(client, "insp_hbt2"), mutation)
    assert result["error"]["code"] == "mutation_id_reused"
    assert result.get("record") is None


def test_decision_ids_of_unknown_visits(client, world):
    [result] = push(client, login(client, "city"), decision(new_id(), 1, "approve"))
    assert result["status"] == "rejected" and result["error"]["code"] == "not_found"
