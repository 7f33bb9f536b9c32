"""The shared form examples (shared_schema/examples) against the server validator.

pwa/tests/formValidator.test.js runs the same files through the PWA validator with the same
expectations. Example convention: an object that is exactly {"$repeat": s, "times": n} stands for
the string s repeated n times (see shared_schema/README.md).
"""

import json
import re

import pytest

from server.forms import (
    SHARED_SCHEMA_DIR,
    SUPPORTED_VERSIONS,
    answer_rule_errors,
    load_form,
    validate_answers,
)

RULE_CODES = {
    "required", "type", "min", "max", "max_field", "max_length",
    "enum", "unique", "exclusive", "unknown", "not_object",
}  # fmt: skip
VERSION = "2023.1"
OK = {"stalls_total": 40, "stalls_using_nondegradable": 0, "signage_present": True,
      "outreach_held": False}  # fmt: skip


def expand(value):
    """Expand the {"$repeat": s, "times": n} generator convention, anywhere in a value."""
    if isinstance(value, dict):
        if set(value) == {"$repeat", "times"}:
            return value["$repeat"] * value["times"]
        return {key: expand(item) for key, item in value.items()}
    if isinstance(value, list):
        return [expand(item) for item in value]
    return value


def examples(kind):
    path = SHARED_SCHEMA_DIR / "examples" / f"answers_{kind}.json"
    return json.loads(path.read_text(encoding="utf-8"))


VALID = examples("valid")
INVALID = examples("invalid")


@pytest.mark.parametrize("example", VALID, ids=[e["name"] for e in VALID])
def test_valid_example_is_accepted(example):
    answers = expand(example["answers"])
    assert answer_rule_errors(answers, VERSION) == {}
    assert validate_answers(answers, VERSION) == {}


@pytest.mark.parametrize("example", INVALID, ids=[e["name"] for e in INVALID])
def test_invalid_example_is_refused_for_its_rule(example):
    answers = expand(example["answers"])
    field, rule = example["expect"]["field"], example["expect"]["rule"]
    errors = answer_rule_errors(answers, VERSION)
    assert field in errors
    assert rule in errors[field]
    # Each example breaks exactly one rule, so nothing else is reported.
    assert errors == {field: [rule]}
    messages = validate_answers(answers, VERSION)
    assert set(messages) == {field}
    assert len(messages[field]) == 1 and messages[field][0]


def test_example_files_are_well_formed_and_cover_every_rule_and_field():
    assert len(VALID) >= 15 and len(INVALID) >= 30
    names = [e["name"] for e in VALID + INVALID]
    assert len(names) == len(set(names))
    assert {e["expect"]["rule"] for e in INVALID} == RULE_CODES
    form_fields = {f["name"] for f in load_form(VERSION)["fields"]}
    assert form_fields <= {e["expect"]["field"] for e in INVALID}


def test_form_definition_is_complete():
    form = load_form(VERSION)
    assert (form["form"], form["version"]) == ("market_visit", VERSION)
    assert set(form["messages"]) == RULE_CODES
    placeholders = {"field", "field_label", "type_label", "min", "max", "max_length",
                    "max_field", "max_field_label", "options", "exclusive_label"}  # fmt: skip
    for templates in form["messages"].values():
        assert set(templates) == {"vi", "en"}
        for text in templates.values():
            assert set(re.findall(r"\{(\w+)\}", text)) <= placeholders
    for field in form["fields"]:
        assert field["label"]["vi"] and field["label"]["en"]
        assert field["help"]["vi"] and field["help"]["en"]
        assert field["type"] in form["type_labels"]
    names = [f["name"] for f in form["fields"]]
    assert names == ["stalls_total", "stalls_using_nondegradable", "alternatives",
                     "signage_present", "outreach_held", "notes"]  # fmt: skip


def test_messages_are_the_english_templates_filled_in():
    errors = validate_answers({**OK, "stalls_total": 0, "alternatives": ["none", "paper_bag"]})
    assert errors == {
        "stalls_total": ["Number of stalls inspected must be at least 1."],
        "alternatives": [
            "Alternative packaging in use: “None” cannot be combined with other choices."
        ],
    }
    assert validate_answers({**OK, "stalls_using_nondegradable": 41}) == {
        "stalls_using_nondegradable": [
            "Stalls using non-biodegradable nylon bags must not be greater than "
            "Number of stalls inspected."
        ]
    }
    assert validate_answers({**OK, "colour": "xanh"}) == {"colour": ["Unknown field: colour."]}
    assert validate_answers("x") == {"_schema": ["Answers must be a JSON object."]}


def test_a_required_choice_asks_to_choose_and_a_number_to_enter():
    missing = {k: v for k, v in OK.items() if k not in ("signage_present", "stalls_total")}
    vi = validate_answers(missing, VERSION, lang="vi")
    assert vi["signage_present"] == ["Vui lòng chọn “Có biển, khẩu hiệu tuyên truyền”."]
    assert vi["stalls_total"] == ["Vui lòng nhập “Số hộ kinh doanh được kiểm tra”."]
    form = load_form(VERSION)
    signage = next(f for f in form["fields"] if f["name"] == "signage_present")
    assert validate_answers(missing, VERSION)["signage_present"] == [
        f"Choose an answer for {signage['label']['en']}."]
    for type_name, rules in form["messages_by_type"].items():
        assert type_name in form["type_labels"] and set(rules) <= RULE_CODES
        assert all(set(templates) == {"vi", "en"} for templates in rules.values())


def test_messages_follow_the_form_templates_in_both_languages():
    form = load_form(VERSION)
    for lang in ("en", "vi"):
        label = form["fields"][0]["label"][lang]
        template = form["messages"]["max"][lang]
        expected = template.replace("{field_label}", label).replace("{max}", "5000")
        errors = validate_answers({**OK, "stalls_total": 5001}, VERSION, lang=lang)
        assert errors == {"stalls_total": [expected]}


def test_all_errors_are_reported_at_once():
    assert answer_rule_errors({}) == {
        "stalls_total": ["required"],
        "stalls_using_nondegradable": ["required"],
        "signage_present": ["required"],
        "outreach_held": ["required"],
    }
    answers = {**OK, "stalls_using_nondegradable": 41, "notes": 5, "extra": 1}
    assert answer_rule_errors(answers) == {
        "stalls_using_nondegradable": ["max_field"],
        "notes": ["type"],
        "extra": ["unknown"],
    }


def test_integral_floats_are_refused_too():
    # JSON 3.0 parses to a float in Python: refused like 3.5. (In JavaScript 3.0 and 3 are the
    # same number, so this case cannot live in the shared examples.)
    assert answer_rule_errors({**OK, "stalls_total": 40.0}) == {"stalls_total": ["type"]}
    assert answer_rule_errors({**OK, "stalls_using_nondegradable": 0.0}) == {
        "stalls_using_nondegradable": ["type"]
    }


def test_max_field_is_not_checked_against_an_invalid_bound():
    answers = {**OK, "stalls_total": "40", "stalls_using_nondegradable": 41}
    assert answer_rule_errors(answers) == {"stalls_total": ["type"]}


def test_each_list_rule_is_reported_once():
    answers = {**OK, "alternatives": ["nylon", "plastic", 3]}
    assert answer_rule_errors(answers) == {"alternatives": ["enum"]}
    answers = {**OK, "alternatives": ["none", "paper_bag", "paper_bag"]}
    assert answer_rule_errors(answers) == {"alternatives": ["unique", "exclusive"]}


@pytest.mark.parametrize("version", ["2022.1", "2023.2", "", None, 2023.1])
def test_unsupported_version_raises_value_error(version):
    with pytest.raises(ValueError):
        validate_answers(OK, version)
    with pytest.raises(ValueError):
        answer_rule_errors(OK, version)
    with pytest.raises(ValueError):
        load_form(version)


def test_supported_versions_and_load_form_returns_a_copy():
    assert VERSION in SUPPORTED_VERSIONS
    form = load_form()
    form["fields"].clear()
    assert load_form()["fields"]
    assert answer_rule_errors(OK) == {}
