"""The quick check of a JSON body (server/core/http.py `unstorable_problem`) says what the full
walk over every string says: bodies with NUL characters, lone surrogates (escaped or raw) and
deep nesting, written every way a client might write them."""

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from server.core.http import MAX_DEPTH, _unstorable, unstorable_problem

# Text with the characters that matter: NUL, surrogates, backslashes, "u0000" look-alikes.
TRICKY = st.text(alphabet=st.sampled_from(
    ["a", "ợ", "\x00", "\ud800", "\udfff", "\\", "u", "0", "d", "8", "\U0001f600", '"']),
    max_size=8)
TEXT = st.one_of(st.text(max_size=6), TRICKY)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), TEXT)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda children: st.one_of(st.lists(children, max_size=3),
                               st.dictionaries(TEXT, children, max_size=3)),
    max_leaves=12,
)


def nested(value, depth: int):
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


def encodings(value) -> list[bytes]:
    """The bytes a client might send for `value`."""
    ascii_text = json.dumps(value, ensure_ascii=True)
    bodies = [ascii_text.encode()]
    try:
        bodies.append(json.dumps(value, ensure_ascii=False).encode("utf-8"))
    except UnicodeEncodeError:  # a lone surrogate, written raw as UTF-8 can hold it
        bodies.append(json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass"))
    bodies.append(ascii_text.encode("utf-16"))
    return bodies


@settings(max_examples=400, deadline=None)
@given(value=JSON_VALUES, depth=st.integers(0, MAX_DEPTH + 3))
def test_the_quick_check_agrees_with_the_full_walk(value, depth):
    value = nested(value, depth)
    for body in encodings(value):
        parsed = json.loads(body)
        assert unstorable_problem(body, parsed) == _unstorable(parsed), body


def test_each_problem_is_still_refused():
    cases = {
        b'{"a": "x\\u0000y"}': "NUL",
        b'{"a": "\\ud83d"}': "surrogate",
        b'{"a": "\\uDC00"}': "surrogate",
        '{"a": "\ud800"}'.encode("utf-8", "surrogatepass"): "surrogate",
        json.dumps(nested(1, MAX_DEPTH + 1)).encode(): "deeper",
    }
    for body, word in cases.items():
        problem = unstorable_problem(body, json.loads(body))
        assert problem and word in problem, (body, problem)
    deepest_allowed = json.dumps(nested(1, MAX_DEPTH)).encode()
    assert unstorable_problem(deepest_allowed, json.loads(deepest_allowed)) is None


# ---------------------------------------------------------------- parsing (JsonProvider)

ANY_TEXT = st.text(max_size=8)
NUMBERS = st.one_of(st.integers(), st.integers(min_value=2**63 - 3, max_value=2**70),
                    st.floats(), st.just(-0.0))
PARSED_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), NUMBERS, ANY_TEXT, TRICKY),
    lambda children: st.one_of(st.lists(children, max_size=3),
                               st.dictionaries(ANY_TEXT, children, max_size=3)),
    max_leaves=12,
)


def _same(a, b) -> bool:
    """Equal values of the same types all the way down (NaN equal to NaN)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float):
        return repr(a) == repr(b)
    return a == b


@settings(max_examples=400, deadline=None)
@given(value=PARSED_VALUES, extra=st.sampled_from(["", " ", "\n", "x", ",", "]"]))
def test_bodies_parse_to_what_json_loads_gives(value, extra):
    from flask import Flask

    from server.core.http import JsonProvider

    provider = JsonProvider(Flask(__name__))
    for body in encodings(value):
        body += extra.encode()
        try:
            expected = json.loads(body)
        except ValueError:
            expected = ValueError
        try:
            got = provider.loads(body)
        except ValueError:
            got = ValueError
        assert got is expected is ValueError or _same(got, expected), body


# Numbers as a client may write them: long integers (beyond 64 bits too), long fractions,
# exponents, in arrays, objects and strings, with spaces or without.
DIGITS = st.text(alphabet="0123456789", min_size=1, max_size=30)
NUMBER_TEXT = st.builds(
    lambda sign, whole, frac, exp: sign + whole.lstrip("0").rjust(1, "0") + frac + exp,
    st.sampled_from(["", "-"]), DIGITS,
    st.one_of(st.just(""), DIGITS.map(lambda d: "." + d)),
    st.one_of(st.just(""), st.integers(-400, 400).map(lambda e: f"e{e}")))


@settings(max_examples=400, deadline=None)
@given(numbers=st.lists(NUMBER_TEXT, min_size=1, max_size=4), space=st.sampled_from(["", " "]),
       quoted=st.booleans())
def test_long_numbers_parse_to_what_json_loads_gives(numbers, space, quoted):
    from flask import Flask

    from server.core.http import JsonProvider

    provider = JsonProvider(Flask(__name__))
    items = [f'"{n}"' if quoted else n for n in numbers]
    for text in (f"[{space}{(',' + space).join(items)}]",
                 "{" + ",".join(f'"k{i}":{space}{v}' for i, v in enumerate(items)) + "}"):
        body = text.encode()
        assert _same(provider.loads(body), json.loads(body)), body
