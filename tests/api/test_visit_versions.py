"""Every accepted version of a visit is kept (append-only) and GET /visits/<id> shows them in
its history, interleaved with the decisions, each edit with what it changed (issue #14)."""

from server.core.extensions import db
from server.models import VisitVersion
from tests.factories import decision, login, push, upsert, visit_data


def _edit(data, base_rev, **changes):
    return {**data, "base_rev": base_rev, **changes}


def test_history_has_submission_edits_with_changes_and_decisions_in_order(client, world):
    data = visit_data(world["markets"]["hom"])
    inspector, ward = login(client, "insp_hbt"), login(client, "ward_hbt")
    [created] = push(client, inspector, upsert(data))
    visit_id = created["record"]["id"]
    push(client, ward, decision(visit_id, 1, "return", "Đếm lại số hộ, chụp ảnh quầy thịt"))
    sha = "a" * 64
    edited = _edit(data, 2, answers={**data["answers"], "stalls_total": 42,
                                     "stalls_using_nondegradable": 0},
                   location={"lat": 21.0160, "lon": 105.8520, "accuracy_m": 8},
                   attachments=[sha])
    push(client, inspector, upsert(edited))
    push(client, ward, decision(visit_id, 3, "approve"))

    body = client.get(f"/api/v1/visits/{visit_id}", headers=ward).get_json()
    history = body["history"]
    assert [(h["event"], h["rev"]) for h in history] == [
        ("submit", 1), ("decision", 2), ("edit", 3), ("decision", 4)]
    times = [h["at"] for h in history]
    assert times == sorted(times) and all(t.endswith("Z") for t in times)
    insp = world["users"]["insp_hbt"]
    submit, returned, edit, approved = history
    assert submit["by"] == {"id": insp.id, "name": "Insp_Hbt", "username": "insp_hbt"}
    assert "changes" not in submit and "changes" not in returned
    assert edit["by"]["id"] == insp.id
    assert edit["changes"] == {
        "stalls_total": [data["answers"]["stalls_total"], 42],
        "stalls_using_nondegradable": [3, 0],
        "location": [data["location"], {"lat": 21.0160, "lon": 105.8520, "accuracy_m": 8}],
        "attachments": [[], [sha]],
    }
    # The decisions keep the shape they always had, with the common fields beside it.
    assert returned["decision"] == "return" and returned["visit_rev"] == 2
    assert returned["comment"] == "Đếm lại số hộ, chụp ảnh quầy thịt"
    assert returned["by"]["name"] == "Ward_Hbt" and returned["decided_at"] == returned["at"]
    assert approved["decision"] == "approve"
    # The inspector reads the same history of their own visit.
    own = client.get(f"/api/v1/visits/{visit_id}", headers=inspector).get_json()
    assert own["history"] == history
    assert own["inspector"] == {"id": insp.id, "username": "insp_hbt", "display_name": "Insp_Hbt"}


def test_one_version_row_per_accepted_upsert_and_none_for_refused(client, world, app):
    data = visit_data(world["markets"]["hom"])
    inspector = login(client, "insp_hbt")
    [created] = push(client, inspector, upsert(data))
    visit_id = created["record"]["id"]
    later = "2023-03-02T09:00:00+07:00"
    [stale] = push(client, inspector, upsert(_edit(data, 7, observed_at=later)))
    assert stale["status"] == "conflict"
    [again] = push(client, inspector, upsert(_edit(data, 1, observed_at=later)))
    assert again["status"] == "applied"
    with app.app_context():
        rows = db.session.query(VisitVersion).filter_by(visit_id=visit_id).order_by(
            VisitVersion.rev).all()
        assert [r.rev for r in rows] == [1, 2]
        assert rows[1].data["observed_at"] == "2023-03-02T09:00:00+07:00"
    body = client.get(f"/api/v1/visits/{visit_id}", headers=inspector).get_json()
    assert body["history"][-1]["changes"] == {
        "observed_at": ["2023-03-01T08:30:00+07:00", "2023-03-02T09:00:00+07:00"]}
