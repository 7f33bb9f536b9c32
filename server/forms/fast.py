"""A fast yes/"not sure" check of survey answers, for the push's hot path (issue #15).

Loading answers through the marshmallow schema of validation.py cost about an eighth of a
push's CPU, though nearly every phone sends valid answers. `answers_valid` says True only when
`validate_answers` would find no error; False means "not sure", and the caller runs
`validate_answers`, which gives the errors. So no message ever comes from here.

The checks are derived, at first use, from the same form JSON as the schema (one definition);
a form using a rule this module does not know gets no fast check at all (always "not sure").
tests/sync/test_fast_validation.py proves with hypothesis that True implies no error, and that
valid answers of every form version do take the fast path.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from server.forms.validation import load_form

# The keys a field may have per type; any other key could be a rule this module does not know.
_COMMON = {"name", "type", "required", "nullable", "label", "help", "default"}
_KNOWN_KEYS = {
    "integer": _COMMON | {"min", "max", "max_field"},
    "boolean": _COMMON,
    "string": _COMMON | {"max_length"},
    "enum_list": _COMMON | {"options", "unique", "exclusive"},
}


def answers_valid(answers: Any, version: str) -> bool:
    """True: `validate_answers(answers, version)` is `{}`. False: not sure."""
    return _checker(version)(answers)


def _never(_answers: Any) -> bool:
    return False


def _field_check(spec: dict[str, Any]) -> Callable[[Any], bool] | None:
    """A check of one present value by the field's own rules (None: rules unknown here)."""
    kind = spec["type"]
    if set(spec) - _KNOWN_KEYS.get(kind, set()):
        return None
    nullable = bool(spec.get("nullable"))
    if kind == "integer":
        low, high = spec.get("min"), spec.get("max")
        if not all(b is None or type(b) is int for b in (low, high)):
            return None

        def check(value: Any) -> bool:
            if value is None:
                return nullable
            return (type(value) is int and (low is None or value >= low)
                    and (high is None or value <= high))
    elif kind == "boolean":
        def check(value: Any) -> bool:
            return type(value) is bool or (value is None and nullable)
    elif kind == "string":
        longest = spec.get("max_length")
        if longest is not None and type(longest) is not int:
            return None

        def check(value: Any) -> bool:
            if value is None:
                return nullable
            return type(value) is str and (longest is None or len(value) <= longest)
    else:  # enum_list
        choices = frozenset(opt["value"] for opt in spec["options"])
        unique, exclusive = bool(spec.get("unique")), tuple(spec.get("exclusive") or ())
        if not all(type(v) is str for v in choices):
            return None

        def check(value: Any) -> bool:
            if value is None:
                return nullable
            if type(value) is not list or not all(
                type(item) is str and item in choices for item in value
            ):
                return False
            present = set(value)
            if unique and len(present) != len(value):
                return False
            return not any(v in present and len(present) > 1 for v in exclusive)
    return check


@cache
def _checker(version: str) -> Callable[[Any], bool]:
    specs = load_form(version)["fields"]  # raises ValueError for an unsupported version
    checks = {spec["name"]: _field_check(spec) for spec in specs}
    if any(check is None for check in checks.values()):
        return _never
    required = frozenset(spec["name"] for spec in specs if spec.get("required"))
    bounds = tuple((spec["name"], spec["max_field"]) for spec in specs if spec.get("max_field"))

    def check(answers: Any) -> bool:
        if type(answers) is not dict or not required <= answers.keys():
            return False
        for name, value in answers.items():
            field_check = checks.get(name)
            if field_check is None or not field_check(value):
                return False  # an unknown field, or a broken rule
        # As the schema's max_field rule: compared only when both values are integers.
        for name, bound in bounds:
            value, limit = answers.get(name), answers.get(bound)
            if isinstance(value, int) and isinstance(limit, int) and value > limit:
                return False
        return True

    return check
