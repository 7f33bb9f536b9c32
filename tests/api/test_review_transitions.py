"""Every transition of DESIGN §6 through the API, allowed and refused, as tables.

States: submitted → approved | returned | rejected; returned → (inspector edits) → submitted;
approved/rejected → reopen → submitted. Everything else is `conflict invalid_transition` (a
decision) or `conflict locked` (an inspector's edit); a stale rev is `conflict stale_rev`.
"""

import pytest
from sqlalchemy import func, select

from server.core.extensions import db
from server.models import ReviewDecision
from tests.factories import decision, login, pull_all, push, upsert, visit_data

STATUSES = ("submitted", "returned", "approved", "rejected")
DECISIONS = ("approve", "return", "reject", "reopen")
# (from status, decision) -> status it leads to; the pairs not listed are refused
ALLOWED = {
    ("submitted", "approve"): "approved",
    ("submitted", "return"): "returned",
    ("submitted", "reject"): "rejected",
    ("approved", "reopen"): "submitted",
    ("rejected", "reopen"): "submitted",
}
REFUSED = [(s, d) for s in STATUSES for d in DECISIONS if (s, d) not in ALLOWED]
# how to bring a fresh (submitted, rev 1) visit to each state
REACH = {"submitted": None, "returned": "return", "approved": "approve", "rejected": "reject"}


def comment_for(name):
    return None if name == "approve" else f"Lý do: {name}"


def decide(client, headers, record, name, base_rev=None):
    [result] = push(client, headers, decision(
        record["id"], base_rev or record["rev"], name, comment_for(name)))
    return result


def visit_in(client, world, status):
    """A visit of insp_hbt at Chợ Hôm, brought to `status` by the city officer."""
    data = visit_data(world["markets"]["hom"])
    [created] = push(client, login(client, "insp_hbt"), upsert(data))
    record = created["record"]
    if REACH[status]:
        result = decide(client, login(client, "city"), record, REACH[status])
        assert result["status"] == "applied", result
        record = result["record"]
    assert record["status"] == status
    return data, record


def decisions_of(visit_id) -> int:
    return db.session.scalar(
        select(func.count()).select_from(ReviewDecision).where(ReviewDecision.visit_id == visit_id)
    )


@pytest.mark.parametrize(("start", "name"), sorted(ALLOWED))
def test_allowed_decision(client, world, start, name):
    _, record = visit_in(client, world, start)
    reviewer = "city" if name == "reopen" else "ward_hbt"
    result = decide(client, login(client, reviewer), record, name)
    assert result["status"] == "applied", result
    after = result["record"]
    assert after["status"] == ALLOWED[(start, name)]
    assert after["rev"] == record["rev"] + 1  # every decision bumps the rev
    assert after["review"]["decision"] == name
    assert after["review"]["comment"] == comment_for(name)
    assert after["review"]["reviewer_id"] == world["users"][reviewer].id
    assert after["review"]["decided_at"].endswith("Z")
    # the inspector hears of it on the next pull
    changes, _ = pull_all(client, login(client, "insp_hbt"))
    pulled = next(c["data"] for c in changes if c["id"] == record["id"])
    assert pulled["status"] == after["status"] and pulled["review"] == after["review"]


@pytest.mark.parametrize(("start", "name"), REFUSED)
def test_refused_decision_is_an_invalid_transition(client, world, start, name):
    _, record = visit_in(client, world, start)
    before = decisions_of(record["id"])
    result = decide(client, login(client, "admin"), record, name)  # admin may do every decision
    assert result["status"] == "conflict"
    assert result["error"]["code"] == "invalid_transition"
    assert result["record"] == record  # the server's record, unchanged
    assert decisions_of(record["id"]) == before


@pytest.mark.parametrize(
    ("start", "expected", "code"),
    [
        ("submitted", "applied", None),  # still in the queue: the inspector may correct it
        ("returned", "applied", None),  # returned → edited → submitted
        ("approved", "conflict", "locked"),
        ("rejected", "conflict", "locked"),
    ],
)
def test_inspector_edit_by_state(client, world, start, expected, code):
    data, record = visit_in(client, world, start)
    edit = {**data, "base_rev": record["rev"], "answers": {**data["answers"],
                                                           "stalls_using_nondegradable": 0}}
    [result] = push(client, login(client, "insp_hbt"), upsert(edit))
    assert result["status"] == expected
    if code:
        assert result["error"]["code"] == code and result["record"] == record
    else:
        assert result["record"]["status"] == "submitted"
        assert result["record"]["rev"] == record["rev"] + 1
        assert result["record"]["compliant"] is True


def test_returned_edited_visit_is_back_in_the_queue_and_can_be_approved(client, world):
    data, record = visit_in(client, world, "returned")
    [edited] = push(client, login(client, "insp_hbt"), upsert({**data, "base_rev": record["rev"]}))
    ward = login(client, "ward_hbt")
    queue = client.get("/api/v1/review/queue?status=submitted", headers=ward).get_json()
    assert [v["id"] for v in queue["visits"]] == [record["id"]]
    result = decide(client, ward, edited["record"], "approve")
    assert result["status"] == "applied" and result["record"]["status"] == "approved"


@pytest.mark.parametrize("start", STATUSES)
def test_stale_rev_is_a_conflict_for_a_decision(client, world, start):
    _, record = visit_in(client, world, start)
    name = "reopen" if start in ("approved", "rejected") else "approve"
    stale = record["rev"] - 1 if record["rev"] > 1 else record["rev"] + 1
    result = decide(client, login(client, "admin"), record, name, base_rev=stale)
    assert result["status"] == "conflict" and result["error"]["code"] == "stale_rev"
    assert result["record"] == record


def test_stale_rev_is_a_conflict_for_an_inspector_edit(client, world):
    data, record = visit_in(client, world, "returned")
    [result] = push(client, login(client, "insp_hbt"), upsert({**data, "base_rev": 1}))
    assert result["status"] == "conflict" and result["error"]["code"] == "stale_rev"
    assert result["record"] == record


def test_two_officers_on_the_same_rev_the_second_gets_a_conflict(client, world):
    _, record = visit_in(client, world, "submitted")
    first = decide(client, login(client, "ward_hbt"), record, "approve")
    second = decide(client, login(client, "ward_hbt1"), record, "reject")
    assert first["status"] == "applied"
    assert second["status"] == "conflict" and second["error"]["code"] == "stale_rev"
    assert second["record"]["status"] == "approved"


@pytest.mark.parametrize("name", ["return", "reject", "reopen"])
@pytest.mark.parametrize("comment", [None, "", "   "])
def test_return_reject_reopen_need_a_comment(client, world, name, comment):
    _, record = visit_in(client, world, "approved" if name == "reopen" else "submitted")
    [result] = push(client, login(client, "city"),
                    decision(record["id"], record["rev"], name, comment))
    assert result["status"] == "rejected" and result["error"]["code"] == "validation_failed"
    assert "comment" in result["error"]["fields"]
    assert decisions_of(record["id"]) == (0 if name != "reopen" else 1)


def test_a_full_cycle_leaves_an_append_only_trail(client, world):
    data, record = visit_in(client, world, "submitted")
    city, ward = login(client, "city"), login(client, "ward_hbt")
    record = decide(client, ward, record, "return")["record"]
    [edited] = push(client, login(client, "insp_hbt"), upsert({**data, "base_rev": record["rev"]}))
    record = decide(client, ward, edited["record"], "approve")["record"]
    record = decide(client, city, record, "reopen")["record"]
    record = decide(client, ward, record, "reject")["record"]
    assert record["status"] == "rejected" and record["rev"] == 6
    rows = db.session.execute(
        select(ReviewDecision.decision, ReviewDecision.visit_rev)
        .where(ReviewDecision.visit_id == record["id"]).order_by(ReviewDecision.id)
    ).all()
    assert [tuple(r) for r in rows] == [("return", 2), ("approve", 4), ("reopen", 5),
                                        ("reject", 6)]
