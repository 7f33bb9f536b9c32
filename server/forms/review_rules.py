"""The review rules of DESIGN §6, read from shared_schema/review.json: the one definition the
server, the PWA (pwa/src/shared/reviewRules.js) and the tests use. Nothing here hard-codes a
status, a transition or a role."""

import json
from dataclasses import dataclass
from functools import cache

from server.forms.validation import SHARED_SCHEMA_DIR

REVIEW_RULES_FILE = SHARED_SCHEMA_DIR / "review.json"


@dataclass(frozen=True)
class Transition:
    decision: str
    from_statuses: tuple[str, ...]
    to: str
    roles: tuple[str, ...]
    comment_required: bool


@dataclass(frozen=True)
class ReviewRules:
    statuses: tuple[str, ...]
    initial_status: str
    editable_statuses: tuple[str, ...]
    reviewer_roles: tuple[str, ...]
    transitions: dict[str, Transition]
    max_comment_length: int

    @property
    def decisions(self) -> tuple[str, ...]:
        return tuple(self.transitions)

    def may_decide(self, role: str, decision: str) -> bool:
        return role in self.transitions[decision].roles

    def editable(self, status: str) -> bool:
        """An inspector may still change a visit in this status (an edit resubmits it)."""
        return status in self.editable_statuses


def rules_from(data: dict) -> ReviewRules:
    """Rules from review.json's content (tests pass a changed copy)."""
    transitions = {
        name: Transition(name, tuple(t["from"]), t["to"], tuple(t["roles"]),
                         bool(t["comment_required"]))
        for name, t in data["transitions"].items()
    }
    statuses = tuple(data["statuses"])
    for t in transitions.values():
        unknown = {*t.from_statuses, t.to} - set(statuses)
        if unknown:
            raise ValueError(f"review rule {t.decision!r} names unknown statuses {unknown}")
    return ReviewRules(
        statuses=statuses,
        initial_status=data["initial_status"],
        editable_statuses=tuple(data["editable_statuses"]),
        reviewer_roles=tuple(data["reviewer_roles"]),
        transitions=transitions,
        max_comment_length=int(data["max_comment_length"]),
    )


@cache
def review_rules() -> ReviewRules:
    return rules_from(json.loads(REVIEW_RULES_FILE.read_text(encoding="utf-8")))
