"""Readers of shared_schema/: the survey form, its answer validator and compliance rule, and
the review rules (review_rules.py)."""

from server.forms.review_rules import ReviewRules, review_rules, rules_from
from server.forms.validation import (
    DEFAULT_VERSION,
    FORM_NAME,
    SCHEMA_KEY,
    SHARED_SCHEMA_DIR,
    SUPPORTED_VERSIONS,
    answer_rule_errors,
    compliant,
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
    "ReviewRules",
    "answer_rule_errors",
    "compliant",
    "load_form",
    "render_message",
    "review_rules",
    "rules_from",
    "validate_answers",
]
