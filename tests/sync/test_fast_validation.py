"""The fast load of visit.upsert data (sync/fast_upsert.py, forms/fast.py) against marshmallow.

The schemas (VisitUpsertData, then validate_answers) define what is valid and say what is
wrong; the fast path may only answer "not sure" (None) or exactly what they load. Hypothesis
mutates valid visits (wrong types, bools and 3.0 for integers, digit strings, out-of-range
coordinates, missing and extra keys, None, huge and Unicode strings, times without offset or
out of range, bad UUIDs, ...) and checks both paths on each; valid visits of every form
version must take the fast path. CHOXANH_HYPOTHESIS_EXAMPLES=n runs n random examples.
"""

import copy
import hashlib
import json
import os
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from server.forms import SHARED_SCHEMA_DIR, SUPPORTED_VERSIONS, load_form, validate_answers
from server.forms.fast import answers_valid
from server.sync.fast_upsert import fast_load_upsert
from server.sync.outcome import MutationRefused
from server.visits.upsert import UPSERT_SCHEMA, load_upsert
from tests.unit.test_form_examples import expand

LONG_RUN = os.environ.get("CHOXANH_HYPOTHESIS_EXAMPLES")
SETTINGS = settings(
    max_examples=int(LONG_RUN or 400), deadline=None, derandomize=not LONG_RUN,
    database=None, print_blob=True, suppress_health_check=[HealthCheck.too_slow],
)
TOP_KEYS = ("id", "base_rev", "market_id", "form_version", "observed_at", "answers",
            "location", "attachments")  # fmt: skip
REFUSED = "refused"


def schema_load(data):
    """What the marshmallow path loads, or REFUSED. (A ValueError: the schema crashed on a
    value, e.g. market id "²", whose isdigit() is true; the fast path must not accept it.)"""
    try:
        fields = UPSERT_SCHEMA.load(data)
    except (ValidationError, ValueError):
        return REFUSED
    return REFUSED if validate_answers(fields["answers"], fields["form_version"]) else fields


def assert_same(fast, slow, path="data"):
    """Equal, of the same types all the way down, dicts in the same key order; datetimes with
    the same offset (== on aware datetimes compares only the instant)."""
    assert type(fast) is type(slow), (path, fast, slow)
    if isinstance(fast, dict):
        assert list(fast) == list(slow), (path, list(fast), list(slow))
        for key in fast:
            assert_same(fast[key], slow[key], f"{path}.{key}")
    elif isinstance(fast, list):
        assert len(fast) == len(slow), (path, fast, slow)
        for i, (a, b) in enumerate(zip(fast, slow, strict=True)):
            assert_same(a, b, f"{path}[{i}]")
    elif isinstance(fast, datetime):
        assert (fast, fast.isoformat(), fast.tzinfo) == (slow, slow.isoformat(), slow.tzinfo)
    else:
        assert fast == slow, (path, fast, slow)


# --- valid data -------------------------------------------------------------------------------

FORMS = {version: load_form(version) for version in SUPPORTED_VERSIONS}


def field_value(spec):
    """Valid values of one form field, by its rules."""
    kind = spec["type"]
    if kind == "integer":
        return st.integers(spec.get("min"), spec.get("max"))
    if kind == "boolean":
        return st.booleans()
    if kind == "string":
        longest = spec.get("max_length") or 500
        return st.one_of(st.text(max_size=min(longest, 40)),
                         st.integers(0, longest).map(lambda n: "ệ" * n))
    values = [opt["value"] for opt in spec["options"]]
    exclusive = set(spec.get("exclusive") or ())

    def fix(choice):  # an exclusive value stands alone
        return [v for v in choice if v in exclusive][:1] or choice

    return st.lists(st.sampled_from(values), unique=True).map(fix)


@st.composite
def valid_answers(draw, version):
    out = {}
    for spec in FORMS[version]["fields"]:
        if not spec.get("required") and draw(st.booleans()):
            continue
        nullable = spec.get("nullable") and draw(st.integers(0, 3)) == 0
        out[spec["name"]] = None if nullable else draw(field_value(spec))
    for spec in FORMS[version]["fields"]:
        bound = out.get(spec.get("max_field"))
        if isinstance(out.get(spec["name"]), int) and isinstance(bound, int):
            out[spec["name"]] = draw(st.integers(spec.get("min"), bound))
    return out


def iso_time():
    offsets = st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
    moments = st.datetimes(datetime(2000, 1, 2), datetime(2100, 12, 30), timezones=offsets)
    text = moments.map(lambda t: t.isoformat(timespec=["seconds", "milliseconds",
                                                       "microseconds"][t.microsecond % 3]))
    return st.one_of(text, moments.map(lambda t: t.astimezone(UTC).isoformat()
                                       .replace("+00:00", "Z")))


SHAS = st.binary(max_size=8).map(lambda b: hashlib.sha256(b).hexdigest())
LOCATION = st.fixed_dictionaries(
    {"lat": st.one_of(st.floats(-90, 90), st.integers(-90, 90)),
     "lon": st.one_of(st.floats(-180, 180), st.integers(-180, 180))},
    optional={"accuracy_m": st.one_of(st.none(), st.floats(0, 100_000),
                                      st.integers(0, 100_000))},
)


@st.composite
def valid_visits(draw):
    version = draw(st.sampled_from(SUPPORTED_VERSIONS))
    ident = draw(st.uuids())
    data = {
        "id": draw(st.sampled_from([str(ident), str(ident).upper()])),
        "market_id": draw(st.integers(1, 2**31 - 1)),
        "form_version": version,
        "observed_at": draw(iso_time()),
        "answers": draw(valid_answers(version)),
    }
    optional = {
        "base_rev": st.one_of(st.none(), st.integers(1, 2**40)),
        "location": st.one_of(st.none(), LOCATION),
        "attachments": st.lists(SHAS, max_size=5, unique=True),
        "compliant": st.booleans(),  # unknown keys are left out
        "_photo": st.text(max_size=3),
    }
    for key, values in optional.items():
        if draw(st.booleans()):
            data[key] = draw(values)
    keys = list(data)
    return {key: data[key] for key in draw(st.permutations(keys))}


# --- mutations --------------------------------------------------------------------------------

TIMES = ["2023-03-01T08:30:00", "2023-03-01", "2023-03-01T08:30:00Z", "2023-03-01T08:30Z",
         "1999-12-31T23:59:59+07:00", "2101-01-01T00:00:00+00:00", "2000-01-01T00:00:00+01:00",
         "2100-12-31T23:30:00-01:00", "2023-03-01 08:30:00+07:00", "2023-03-01T08:30:00+07",
         "20230301T083000+0700", "2023-W09-3T08:30+07:00", "2023-03-01T08:30:00+07:00\n",
         " 2023-03-01T08:30:00+07:00", "2023-02-30T08:30:00+07:00", "2023-03-01T24:00:00+07:00",
         "2023-03-01T08:30:00+24:00", "2023-03-01T08:30:00.1234567+07:00", "Z",
         "2023-03-01T08:30:00+07:00:00.000001", "2023-03-01T08:30:00.000000000000+07:00:00"]
IDS = ["0B7C9F4E-6A1D-4C2B-9A55-3F1E2D4C8B10", "0b7c9f4e6a1d4c2b9a553f1e2d4c8b10",
       "{0b7c9f4e-6a1d-4c2b-9a55-3f1e2d4c8b10}", "urn:uuid:0b7c9f4e-6a1d-4c2b-9a55-3f1e2d4c8b10",
       "0b7c9f4e-6a1d-4c2b-9a55-3f1e2d4c8b1", "0b7c9f4e-6a1d-4c2b-9a55-3f1e2d4c8b10\n",
       "0b7c9f4e6a1d-4c2b-9a55-3f1e2d4c-8b10", "0b7c9f4e-6a1d-4c2b-9a55-3f1e2d4c8b1g",
       "0b7c9f4e-6a1d-4c2b-9a55_3f1e2d4c8b10", "0b7c9f4e-6a1d-4c2b-9a55-3f1e2d4c8b10 ",
       "+b7c9f4e-6a1d-4c2b-9a55-3f1e2d4c8b10", "０b7c9f4e-6a1d-4c2b-9a55-3f1e2d4c8b10"]
SHA = "a" * 64
NUMBERS = [0, 1, -1, 3.0, 1.5, -0.0, 90, 90.0000001, -90.5, 180, 180.5, 100_000, 100_000.5,
           2**31 - 1, 2**31, 2**53 + 1, 2**63, 10**30, 10**400, 5000, 5001, float("nan"),
           float("inf"), -float("inf"), 1e308, 5e-324]
STRINGS = ["", "12", "0012", "0", "-1", "12.5", "1e3", " 12", "١٢", "²", "０１", "9" * 11,
           "9" * 5000, "x" * 2001, "ệ" * 2000, "ệ" * 2001, "\x00", "2023.1", "2023.2",
           "paper_bag", "none", "PAPER_BAG", SHA, SHA.upper(), SHA + "\n", SHA[:63],
           "true", "null", "None"] + TIMES + IDS  # fmt: skip
ODD = st.one_of(
    st.none(), st.booleans(), st.sampled_from(NUMBERS), st.integers(), st.floats(),
    st.sampled_from(STRINGS), st.text(max_size=30), st.from_regex(r"\A[0-9]{1,12}\Z"),
    st.lists(st.sampled_from(["paper_bag", "none", "cloth_bag", SHA, 1, None]), max_size=7),
    st.dictionaries(st.sampled_from(["lat", "lon", "accuracy_m", "x"]),
                    st.sampled_from(NUMBERS + [None, "12"]), max_size=4),
    st.just(b"0b7c9f4e-6a1d-4c2b-9a55-3f1e2d4c8b10"), st.just(("paper_bag",)),
)


def near_answers(spec):
    """Values just off one form field's rules (or on its edge)."""
    kind, low, high = spec["type"], spec.get("min"), spec.get("max")
    if kind == "integer":
        edges = [b + d for b in (low, high) if b is not None for d in (-1, 0, 1)]
        return edges + [3.0, 0.0, True, False, "3", None, 10**30, -(10**30)]
    if kind == "string":
        longest = spec.get("max_length") or 100
        return ["ệ" * longest, "x" * (longest + 1), 1, None, True, ["x"], ""]
    if kind == "boolean":
        return [0, 1, "true", None, 1.0]
    values = [opt["value"] for opt in spec["options"]]
    combos = [[values[0], values[0]], values[:2], list(reversed(values)), ["nope"], [None],
              [values[0].upper()], values[0], None, [], (values[0],), [1]]
    return combos + [[v, values[0]] for v in spec.get("exclusive") or ()]


OFF_GRID = st.datetimes(datetime(1, 1, 2), datetime(9999, 12, 30))
NEAR_VALUES = {
    "id": IDS,
    "base_rev": [0, -1, True, False, 1.0, 2.0, "1", 2**63, None],
    "market_id": [0, -1, True, False, 1.0, 12.0, "12", "0012", "0", "١٢", "²", "９", "9" * 11,
                  "9" * 5000, 2**31, 2**31 - 1, " 12", "+12", "-1", "1_2", None],
    "form_version": ["2023.2", "2023.1 ", "2023", 2023.1, None, ""],
    "observed_at": TIMES + ["2023-03-01T08:30:00+07:00".ljust(n, "0") for n in (40, 41)],
    "answers": [None, [], "x", {}, {"x": 1}, 1],
    "location": [[], "x", {}, {"lat": 1}, {"lat": 1, "lon": 2, "x": 3}, {"lat": "1", "lon": 2},
                 {"lat": 1, "lon": 2, "accuracy_m": -1}, {"lat": 1, "lon": 2, "accuracy_m": None}],
    "attachments": [[SHA, SHA], [f"{i:064x}" for i in range(6)], [SHA.upper()], [SHA + "\n"],
                    [SHA[:63]], [None], "abc", None, (SHA,), [SHA, "b" * 64], [], {}],
    "lat": [90, 90.0, 90.0000001, -90, -90.00001, 91, 179.0, "12", True, None, float("nan"),
            float("inf"), 10**400, 2**1100, -0.0],
    "lon": [180, 180.0, 180.0000001, -180, -180.5, 181, "12", False, None, -float("inf"),
            float("nan"), 10**400],
    "accuracy_m": [0, -0.0, -1e-9, 100_000, 100_000.0001, True, "1", float("nan"), 10**400, []],
} | {spec["name"]: near_answers(spec) for form in FORMS.values() for spec in form["fields"]}
NEAR = {name: st.sampled_from(values) for name, values in NEAR_VALUES.items()} | {
    "id": st.one_of(st.sampled_from(IDS), st.uuids().map(lambda u: u.hex)),
    "market_id": st.one_of(st.sampled_from(NEAR_VALUES["market_id"]),
                           st.from_regex(r"\A[0-9]{1,10}\Z")),
    "observed_at": st.one_of(st.sampled_from(NEAR_VALUES["observed_at"]),
                             OFF_GRID.map(datetime.isoformat),
                             OFF_GRID.map(lambda t: t.isoformat() + "+07:00"),
                             OFF_GRID.map(lambda t: t.isoformat() + "Z")),
}


def places(data):
    """Where a mutation may land: the data (twice as likely), its location, its answers."""
    found = [(data, TOP_KEYS + ("x", ""))] * 2
    for key, names in (("location", ("lat", "lon", "accuracy_m", "x")),
                       ("answers", tuple(spec["name"] for form in FORMS.values()
                                         for spec in form["fields"]) + ("x",))):
        if isinstance(data.get(key), dict):
            found.append((data[key], names))
    return found


@st.composite
def mutated_visits(draw):
    data = draw(valid_visits())
    for _ in range(draw(st.integers(0, 3))):
        target, names = draw(st.sampled_from(places(data)))
        name = draw(st.sampled_from(names))
        action = draw(st.sampled_from(["set", "set", "set", "delete", "append"]))
        if action == "delete":
            target.pop(name, None)
        elif action == "append" and isinstance(target.get(name), list):
            item = target[name][0] if target[name] and draw(st.booleans()) else draw(ODD)
            target[name].append(item)
        else:
            near = NEAR.get(name, ODD)
            target[name] = draw(st.one_of(near, near, ODD))
    return draw(st.sampled_from([data] * 9 + [None, [data], "data"]))


# --- the properties ---------------------------------------------------------------------------

def check_agrees(data):
    fast = fast_load_upsert(data)
    slow = schema_load(data)
    if fast is not None:
        assert slow is not REFUSED, f"the fast path accepted what the schema refuses: {data!r}"
        assert_same(fast, slow)
        assert fast["answers"] is data["answers"]  # as fields.Raw: the phone's own object
    return fast, slow


@SETTINGS
@given(mutated_visits())
def test_fast_load_is_none_or_the_schema_load(data):
    check_agrees(data)


def edge_cases(base):
    """`base` with one value set to each of its field's near values, deleted, or joined by an
    unknown key; at the top, in the location and in the answers."""
    for path in [()] + [(key,) for key in ("location", "answers") if isinstance(base[key], dict)]:
        names = {(): TOP_KEYS, ("location",): ("lat", "lon", "accuracy_m")}.get(
            path, tuple(spec["name"] for spec in FORMS[base["form_version"]]["fields"]))
        for name in names + ("x",):
            for value in [*NEAR_VALUES.get(name, ()), ODD_EXAMPLE, DELETE]:
                data = copy.deepcopy(base)
                target = data[path[0]] if path else data
                if value is DELETE:
                    target.pop(name, None)
                else:
                    target[name] = value
                yield data


DELETE, ODD_EXAMPLE = object(), "?"


def plain_answers(version):
    """Every field of the form with a plain valid value (the smallest number it allows)."""
    def plain(spec):
        if spec["type"] == "enum_list":
            exclusive = spec.get("exclusive") or ()
            return [next(o["value"] for o in spec["options"] if o["value"] not in exclusive)]
        return {"integer": spec.get("min") or 0, "boolean": True, "string": "Chợ sạch"}[
            spec["type"]]

    return {spec["name"]: plain(spec) for spec in FORMS[version]["fields"]}


def test_every_edge_case():
    """Each near value of each field, alone on otherwise valid data: a sure check of the edges
    (the random tests combine them)."""
    counts = {"fast": 0, "fallback": 0, "refused": 0}
    for version in SUPPORTED_VERSIONS:
        base = {"id": "0b7c9f4e-6a1d-4c2b-9a55-3f1e2d4c8b10", "base_rev": 3, "market_id": 12,
                "form_version": version, "observed_at": "2023-03-01T08:30:00+07:00",
                "answers": plain_answers(version), "attachments": [SHA],
                "location": {"lat": 21.0155, "lon": 105.8515, "accuracy_m": 12.0}}
        assert fast_load_upsert(base) is not None
        for data in edge_cases(base):
            fast, slow = check_agrees(data)
            counts["refused" if slow is REFUSED else "fast" if fast else "fallback"] += 1
    assert counts["fast"] and counts["refused"], counts


@SETTINGS
@given(valid_visits())
def test_valid_visits_take_the_fast_path(data):
    fast, slow = check_agrees(data)
    assert slow is not REFUSED, "the generator made invalid data"
    assert fast is not None, f"valid data fell back to marshmallow: {data!r}"


@SETTINGS
@given(st.sampled_from(SUPPORTED_VERSIONS).flatmap(
    lambda v: st.tuples(st.just(v), valid_answers(v), st.sampled_from(list(FORMS[v]["fields"]))
                        .map(lambda spec: spec["name"]), ODD)))
def test_fast_answers_never_pass_what_the_form_refuses(case):
    version, answers, name, odd = case
    assert answers_valid(answers, version)
    answers[name] = odd
    if answers_valid(answers, version):
        assert validate_answers(answers, version) == {}


def test_the_shared_examples():
    """The form's own examples (2023.1's): valid ones are fast, invalid ones never are."""
    for file, valid in (("answers_valid.json", True), ("answers_invalid.json", False)):
        for example in json.loads((SHARED_SCHEMA_DIR / "examples" / file).read_text()):
            assert answers_valid(expand(example["answers"]), "2023.1") is valid, example["name"]


def test_the_push_path_uses_it():
    """load_upsert gives the fast path's fields for valid data, the schema's errors otherwise."""
    data = {"id": str(uuid.uuid4()), "market_id": "12", "form_version": "2023.1",
            "observed_at": "2023-03-01T08:30:00+07:00",
            "answers": {"stalls_total": 4, "stalls_using_nondegradable": 0,
                        "signage_present": True, "outreach_held": False}}
    assert fast_load_upsert(data) is None  # a digit string: the schema loads it
    assert load_upsert(data)["market_id"] == 12
    data["market_id"] = 12
    assert_same(load_upsert(data), fast_load_upsert(data))
    data["answers"]["stalls_using_nondegradable"] = 5
    with pytest.raises(MutationRefused) as refused:
        load_upsert(data)
    assert refused.value.fields == {"answers.stalls_using_nondegradable": [
        "Stalls using non-biodegradable nylon bags must not be greater than "
        "Number of stalls inspected."]}
    data["answers"]["stalls_using_nondegradable"] = 0
    data["observed_at"] = (datetime.now(UTC) + timedelta(hours=25)).isoformat()
    assert fast_load_upsert(data) is not None
    with pytest.raises(MutationRefused) as refused:
        load_upsert(data)  # the check after the load holds on the fast path too
    assert refused.value.fields == {
        "observed_at": ["This time is more than 24 hours in the future."]}
