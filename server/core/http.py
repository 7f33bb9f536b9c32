"""Helpers every /api/v1 route uses: reading the JSON body strictly."""

import json
import re

import orjson
from flask import request
from flask.json.provider import DefaultJSONProvider
from marshmallow import ValidationError

from server.core.errors import ApiError

API_PREFIX = "/api/v1"


# An integer of 19 digits or more outside a string: a run of 19 digits right after ":", ",",
# "[", "-" or a space (inside a string such a run only costs the slower parse; a photo's hex
# sha256 often holds 19 digits in a row, after a letter or a quote). Found by mapping digits
# to "0" and those characters to "S", then searching for "S" and 19 zeros: bytes.translate
# and find run in C, where a regular expression took as long as orjson's whole parse.
_NUMBER_CONTEXT = bytes.maketrans(b"0123456789:,[- \t\r\n", b"0000000000SSSSSSSS")
_LONG_INTEGER = b"S" + b"0" * 19


def has_long_integer(body: bytes) -> bool:
    return _LONG_INTEGER in b"S" + body.translate(_NUMBER_CONTEXT)


class JsonProvider(DefaultJSONProvider):
    """Flask's JSON, with request bodies parsed by orjson (a push's 500 visits took a tenth of
    its CPU in json.loads). What orjson refuses — NaN, lone surrogates, UTF-16 — goes to
    json.loads as before, and so does any body with an integer of 19 digits or more: orjson
    reads an integer beyond 64 bits as a float. So every body parses to what it did."""

    def loads(self, s, **kwargs):
        if not kwargs and not has_long_integer(s if isinstance(s, bytes) else s.encode()):
            try:
                return orjson.loads(s)
            except orjson.JSONDecodeError:
                pass
        return json.loads(s, **kwargs)


def refuse_nul_in_url() -> None:
    """Before every API request: a NUL in the path or query string is never a real id or
    filter, and PostgreSQL refuses it in text parameters (a 500 otherwise)."""
    if not request.path.startswith(API_PREFIX + "/"):
        return
    if "\x00" in request.path or any(
        "\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)
    ):
        raise ApiError(400, "bad_request", "The address may not contain NUL characters.")


def json_body(expect=dict):
    """The request's JSON body, or a 400 `invalid_json` / `validation_failed` error."""
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type", "Send the body as application/json.")
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # absurdly deep nesting
        data = None
    if data is None:
        raise ApiError(400, "invalid_json", "The body is not valid JSON.")
    problem = unstorable_problem(request.get_data(cache=True), data)
    if problem:
        raise ApiError(400, "invalid_json", problem)
    if expect is not None and not isinstance(data, expect):
        raise ApiError(
            400,
            "invalid_json",
            f"The body must be a JSON {expect.__name__.replace('dict', 'object')}.",
        )
    return data


MAX_DEPTH = 20
# JSON may escape half of a UTF-16 pair ("\ud800"); such a string cannot be encoded as UTF-8,
# so no database (or response) could hold it.
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


# Where NUL characters or lone surrogates could come from in a parsed body: a \u0000 or
# \ud800-\udfff escape, surrogates written raw in UTF-8 (json.loads decodes with
# "surrogatepass"), or zero bytes (a raw NUL, or a UTF-16/32 body). A body without any of
# these holds neither, so only its depth needs a walk (the walk over every string was a tenth of
# a push's CPU). A false alarm (an escaped backslash before "u0000") only costs the full walk.
SUSPECT_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")  # one literal prefix: a fast scan
RAW_SURROGATE = re.compile(rb"\xed[\xa0-\xbf]")
TOO_DEEP = f"The JSON is nested deeper than {MAX_DEPTH} levels."


def unstorable_problem(body: bytes, data) -> str | None:
    """What `_unstorable(data)` says, for `data` parsed from `body`."""
    if (b"\x00" in body or SUSPECT_ESCAPE.search(body)
            or (b"\xed" in body and RAW_SURROGATE.search(body))):
        return _unstorable(data)
    if isinstance(data, dict | list) and _nested_too_deep(data, 0):
        return TOO_DEEP
    return None


def _nested_too_deep(value: dict | list, depth: int) -> bool:
    """`value` sits at `depth`: its keys and items at depth + 1 (as `_unstorable` counts).
    A loop over a stack of containers: a push's body holds thousands of them."""
    stack = [(value, depth)]
    pop, push = stack.pop, stack.append
    while stack:
        container, level = pop()
        if container and level >= MAX_DEPTH:
            return True
        below = level + 1
        for item in container.values() if type(container) is dict else container:
            kind = type(item)
            if kind is dict or kind is list:
                push((item, below))
    return False


def _unstorable(value, depth: int = 0) -> str | None:
    """Refuse what no field needs and a database may choke on: NUL characters, unpaired
    surrogates, deep nesting."""
    if depth > MAX_DEPTH:
        return TOO_DEEP
    if isinstance(value, str):
        if "\x00" in value:
            return "Text may not contain NUL characters."
        if LONE_SURROGATE.search(value):
            return "Text may not contain unpaired surrogate escapes (\\ud800-\\udfff)."
        return None
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        items = ()
    for key, item in items:
        problem = _unstorable(key, depth + 1) if isinstance(key, str) else None
        problem = problem or _unstorable(item, depth + 1)
        if problem:
            return problem
    return None


def load(schema, data):
    """Validate `data` with a marshmallow schema; errors become 422 `validation_failed`."""
    try:
        return schema.load(data)
    except ValidationError as exc:
        raise ApiError(
            422, "validation_failed", "Some fields are not valid.", flatten_errors(exc.messages)
        ) from None


def flatten_errors(messages, prefix: str = "") -> dict[str, list[str]]:
    """marshmallow's nested errors → {"a.b.0.c": ["msg"]} as the error shape wants."""
    flat: dict[str, list[str]] = {}
    if isinstance(messages, list):
        flat[prefix or "_schema"] = [str(m) for m in messages]
        return flat
    for key, value in messages.items():
        path = str(key) if key != "_schema" or not prefix else ""
        path = f"{prefix}.{path}".strip(".") if prefix else path
        if isinstance(value, dict):
            flat.update(flatten_errors(value, path))
        else:
            flat.setdefault(path or "_schema", []).extend(str(m) for m in value)
    return flat
