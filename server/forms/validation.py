"""Survey answers validation, built from the shared form definition (DESIGN.md §4).

The form JSON in ``shared_schema/forms/`` is the single source of truth: this module turns it
into a marshmallow schema whose error messages are *rule codes* (``required``, ``type``, ``min``,
``max``, ``max_field``, ``max_length``, ``enum``, ``unique``, ``exclusive``, ``unknown``,
``not_object``); the codes are then rendered with the form's own message templates, exactly as
``pwa/src/shared/formValidator.js`` does. Types are strict: integers must be JSON integers (no
booleans, no floats, not even ``3.0``), booleans must be ``true``/``false``, strings must be
strings; string length counts Unicode code points.
"""

from __future__ import annotations

import copy
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

SHARED_SCHEMA_DIR = Path(__file__).resolve().parents[2] / "shared_schema"
FORMS_DIR = SHARED_SCHEMA_DIR / "forms"
FORM_NAME = "market_visit"
DEFAULT_VERSION = "2023.1"
SCHEMA_KEY = "_schema"  # error key for answers that are not an object


def _discover_versions() -> tuple[str, ...]:
    prefix, suffix = f"{FORM_NAME}-", ".json"
    names = (p.name for p in FORMS_DIR.glob(f"{prefix}*{suffix}"))
    return tuple(sorted(n[len(prefix) : -len(suffix)] for n in names))


SUPPORTED_VERSIONS: tuple[str, ...] = _discover_versions()


def _check_version(version: Any) -> str:
    if not isinstance(version, str) or version not in SUPPORTED_VERSIONS:
        raise ValueError(f"unsupported form version: {version!r}")
    return version


@cache
def _read_form(version: str) -> dict[str, Any]:
    path = FORMS_DIR / f"{FORM_NAME}-{version}.json"
    form = json.loads(path.read_text(encoding="utf-8"))
    if form.get("form") != FORM_NAME or form.get("version") != version:
        raise ValueError(f"{path} does not define {FORM_NAME} {version}")
    return form


def load_form(version: str = DEFAULT_VERSION) -> dict[str, Any]:
    """The form definition (a fresh copy: safe to mutate or serialise)."""
    return copy.deepcopy(_read_form(_check_version(version)))


def compliant(answers: dict[str, Any], version: str = DEFAULT_VERSION,
              form: dict[str, Any] | None = None) -> bool:
    """The market is compliant by these (valid) answers: the form's `compliant_when` rule
    (DESIGN §4), the same rule the PWA's preview reads. `form`: a changed copy, for tests."""
    rule = (form or _read_form(_check_version(version)))["compliant_when"]
    return answers.get(rule["field"]) == rule["equals"]


class _JsonType(fields.Field):
    """Accepts one JSON type exactly: a bool is not an integer, and no float is (not even 3.0)."""

    def __init__(self, python_type: type, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.python_type = python_type

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, self.python_type) or (
            isinstance(value, bool) and self.python_type is not bool
        ):
            raise self.make_error("invalid")
        return value


class _StrictList(fields.List):
    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> list:
        if not isinstance(value, list):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


def _unique(value: list) -> None:
    if len(set(value)) != len(value):
        raise ValidationError("unique")


def _exclusive(exclusive_values: list[str]):
    def check(value: list) -> None:
        present = set(value)
        if any(v in present and present - {v} for v in exclusive_values):
            raise ValidationError("exclusive")

    return check


_PYTHON_TYPES = {"integer": int, "boolean": bool, "string": str}


def _build_field(spec: dict[str, Any]) -> fields.Field:
    kind, required = spec["type"], bool(spec.get("required"))
    validators: list = []
    if spec.get("min") is not None:
        validators.append(validate.Range(min=spec["min"], error="min"))
    if spec.get("max") is not None:
        validators.append(validate.Range(max=spec["max"], error="max"))
    if spec.get("max_length") is not None:
        validators.append(validate.Length(max=spec["max_length"], error="max_length"))
    if spec.get("unique"):
        validators.append(_unique)
    if spec.get("exclusive"):
        validators.append(_exclusive(spec["exclusive"]))
    options = {
        "required": required,
        "allow_none": bool(spec.get("nullable")),
        "validate": validators,
        "error_messages": {
            "required": "required",
            "null": "required" if required else "type",
            "invalid": "type",
        },
    }
    if kind in _PYTHON_TYPES:
        return _JsonType(_PYTHON_TYPES[kind], **options)
    if kind == "enum_list":
        values = [opt["value"] for opt in spec["options"]]
        item_errors = {"invalid": "enum", "null": "enum", "required": "enum"}
        item = _JsonType(
            str, validate=validate.OneOf(values, error="enum"), error_messages=item_errors
        )
        return _StrictList(item, **options)
    raise ValueError(f"unsupported field type {kind!r} for {spec['name']!r}")


class _AnswersSchema(Schema):
    """Base for generated schemas: unknown keys are errors; cross-field ``max_field`` rules."""

    class Meta:
        unknown = RAISE

    error_messages = {"unknown": "unknown", "type": "not_object"}
    max_field_rules: tuple[tuple[str, str], ...] = ()

    @validates_schema(skip_on_field_errors=False)
    def _check_max_field(self, data: dict[str, Any], **kwargs: Any) -> None:
        # `data` holds only the fields that passed their own checks, so a field is compared only
        # when both it and its bound are valid integers.
        errors = {
            name: ["max_field"]
            for name, bound in self.max_field_rules
            if isinstance(data.get(name), int)
            and isinstance(data.get(bound), int)
            and data[name] > data[bound]
        }
        if errors:
            raise ValidationError(errors)


@cache
def _schema(version: str) -> Schema:
    form = _read_form(version)
    built = {spec["name"]: _build_field(spec) for spec in form["fields"]}
    cls = _AnswersSchema.from_dict(built, name=f"MarketVisitAnswers_{version.replace('.', '_')}")
    cls.max_field_rules = tuple(
        (spec["name"], spec["max_field"]) for spec in form["fields"] if spec.get("max_field")
    )
    return cls()


def _flatten(messages: Any) -> list[str]:
    """Rule codes from a marshmallow error tree (list items nest as {index: [codes]})."""
    if isinstance(messages, dict):
        messages = list(messages.values())
    if not isinstance(messages, list):
        return [str(messages)]
    return list(dict.fromkeys(code for item in messages for code in _flatten(item)))


def answer_rule_errors(answers: Any, version: str = DEFAULT_VERSION) -> dict[str, list[str]]:
    """Field name (or ``_schema``) -> broken rule codes; ``{}`` when the answers are valid.

    Raises ValueError for an unsupported form version.
    """
    schema = _schema(_check_version(version))
    try:
        schema.load(answers)
    except ValidationError as error:
        return {str(key): _flatten(value) for key, value in error.messages_dict.items()}
    return {}


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def render_message(form: dict[str, Any], field: str, rule: str, lang: str = "en") -> str:
    """Fill the form's message template for ``rule`` on ``field`` in ``lang`` (vi or en)."""
    specs = {spec["name"]: spec for spec in form["fields"]}
    spec = specs.get(field, {})
    options = {opt["value"]: opt["label"][lang] for opt in spec.get("options", [])}
    bound = specs.get(spec.get("max_field", ""), {})
    params = {
        "field": field,
        "field_label": spec["label"][lang] if spec else field,
        "type_label": form["type_labels"][spec["type"]][lang] if spec else "",
        "min": spec.get("min"),
        "max": spec.get("max"),
        "max_length": spec.get("max_length"),
        "max_field": spec.get("max_field"),
        "max_field_label": bound["label"][lang] if bound else "",
        "options": ", ".join(options.values()),
        "exclusive_label": ", ".join(options.get(v, v) for v in spec.get("exclusive", [])),
    }

    def fill(match: re.Match) -> str:
        value = params.get(match.group(1))
        return match.group(0) if value is None else str(value)

    # A choice is chosen, not typed: a field type may word a rule its own way.
    by_type = form.get("messages_by_type", {}).get(spec.get("type"), {})
    return _PLACEHOLDER.sub(fill, (by_type.get(rule) or form["messages"][rule])[lang])


def validate_answers(
    answers: Any, version: str = DEFAULT_VERSION, lang: str = "en"
) -> dict[str, list[str]]:
    """Field name (or ``_schema``) -> readable messages (English by default); ``{}`` if valid.

    Raises ValueError for an unsupported form version.
    """
    errors = answer_rule_errors(answers, version)
    form = _read_form(version)
    return {
        field: [render_message(form, field, rule, lang) for rule in rules]
        for field, rules in errors.items()
    }
