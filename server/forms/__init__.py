"""The survey form (shared_schema/forms) and its answer validator."""

from server.forms.validation import (
    DEFAULT_VERSION,
    FORM_NAME,
    SCHEMA_KEY,
    SHARED_SCHEMA_DIR,
    SUPPORTED_VERSIONS,
    answer_rule_errors,
    load_form,
    render_message,
    validate_answers,
)

__all__ = [
    "DEFAULT_VERSION",
    "FORM_NAME",
    "SCHEMA_KEY",
    "SHARED_SCHEMA_DIR",
    "SUPPORTED_VERSIONS",
    "answer_rule_errors",
    "load_form",
    "render_message",
    "validate_answers",
]
