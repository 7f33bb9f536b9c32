"""The review rules and the compliance rule come from shared_schema/ (one definition for the
server, the PWA and the tests): a changed copy of a rule changes what the server does.
The PWA's half is pwa/tests/sharedRules.test.js."""

import copy
import json
from functools import partial

from server.forms import compliant, load_form, review_rules, rules_from
from server.forms.review_rules import REVIEW_RULES_FILE
from tests.factories import decision, login, push, upsert, visit_data


def _rules_copy() -> dict:
    return json.loads(REVIEW_RULES_FILE.read_text(encoding="utf-8"))


def _decide(client, user, record, name, comment="Lý do"):
    [result] = push(client, login(client, user), decision(record["id"], record["rev"], name,
                                                         comment))
    return result


def test_the_server_reads_the_transitions_from_review_json():
    rules = review_rules()
    data = _rules_copy()
    assert rules.decisions == tuple(data["transitions"])
    for name, spec in data["transitions"].items():
        assert rules.transitions[name].from_statuses == tuple(spec["from"])
        assert rules.transitions[name].to == spec["to"]


def test_a_changed_copy_of_the_review_rules_changes_the_servers_decisions(
        client, world, monkeypatch):
    [created] = push(client, login(client, "insp_hbt"), upsert(visit_data(world["markets"]["hom"])))
    approved = _decide(client, "ward_hbt", created["record"], "approve", None)
    assert approved["status"] == "applied"
    # As shipped, a ward officer may not reopen an approved visit …
    refused = _decide(client, "ward_hbt", approved["record"], "reopen")
    assert refused["status"] == "rejected" and refused["error"]["code"] == "forbidden"
    # … with the rule changed to allow it, the same push is applied.
    data = _rules_copy()
    data["transitions"]["reopen"]["roles"].append("ward_officer")
    monkeypatch.setattr("server.visits.decide.review_rules", lambda: rules_from(data))
    reopened = _decide(client, "ward_hbt", approved["record"], "reopen")
    assert reopened["status"] == "applied", reopened
    assert reopened["record"]["status"] == data["transitions"]["reopen"]["to"]


def test_a_changed_copy_of_the_editable_statuses_locks_a_returned_visit(
        client, world, monkeypatch):
    data_ = visit_data(world["markets"]["hom"])
    [created] = push(client, login(client, "insp_hbt"), upsert(data_))
    returned = _decide(client, "ward_hbt", created["record"], "return")
    rules = _rules_copy()
    rules["editable_statuses"] = ["submitted"]
    monkeypatch.setattr("server.visits.upsert.review_rules", lambda: rules_from(rules))
    edit = {**data_, "base_rev": returned["record"]["rev"]}
    [result] = push(client, login(client, "insp_hbt"), upsert(edit))
    assert result["status"] == "conflict" and result["error"]["code"] == "locked"


def test_compliance_follows_the_forms_compliant_when(client, world, monkeypatch):
    form = load_form()
    rule = form["compliant_when"]
    answers = {rule["field"]: rule["equals"]}
    assert compliant(answers) is True
    changed = copy.deepcopy(form)
    changed["compliant_when"]["equals"] = rule["equals"] + 1
    assert compliant(answers, form=changed) is False
    # Through the API: a visit with the shipped compliant answer is non-compliant under the
    # changed rule.
    monkeypatch.setattr("server.visits.upsert.compliant", partial(compliant, form=changed))
    data = visit_data(world["markets"]["hom"])
    data["answers"][rule["field"]] = rule["equals"]
    [created] = push(client, login(client, "insp_hbt"), upsert(data))
    assert created["status"] == "applied" and created["record"]["compliant"] is False


def test_rules_naming_an_unknown_status_are_refused():
    data = _rules_copy()
    data["transitions"]["approve"]["to"] = "archived"
    try:
        rules_from(data)
    except ValueError as exc:
        assert "archived" in str(exc)
    else:
        raise AssertionError("a transition to an unknown status was accepted")
