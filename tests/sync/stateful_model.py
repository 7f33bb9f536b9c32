"""The model half of tests/sync/test_stateful.py: the world's devices and rules of DESIGN §5, §6
as constants, the hypothesis strategies the rules draw from, and `ServerModel`, which predicts
every answer of the server by itself."""

import functools
import json
from dataclasses import dataclass, field

from hypothesis import strategies as st

from server.forms import review_rules

# The review rules of DESIGN §6 from their one definition (shared_schema/review.json; that the
# file says what DESIGN says is tests/api/test_review_transitions.py's job).
RULES = review_rules()

DEVICES = {
    "A1": "insp_hbt",
    "A2": "insp_hbt",
    "B": "insp_hbt2",
    "C": "insp_bd",
    "W": "ward_hbt",
    "W1": "ward_hbt1",
    "Y": "city",
}
INSPECTOR_DEVICES = ("A1", "A2", "B", "C")
OFFICER_DEVICES = ("W", "W1", "Y")
CITY_WIDE = ("city_officer", "admin")
REVIEWERS = RULES.reviewer_roles
UNKNOWN_MARKET = 999_999
RECORD_KEYS = {
    "id", "rev", "market_id", "inspector_id", "device_id", "form_version", "observed_at",
    "received_at", "answers", "location", "attachments", "missing_attachments", "status",
    "compliant", "distance_m", "review",
}
# observed_at as a phone sends it -> as the server must emit it (None: more than 24 h ahead)
OBSERVED = {
    "2023-03-01T08:30:00+07:00": "2023-03-01T01:30:00.000Z",
    "2023-06-15T23:59:59.250+07:00": "2023-06-15T16:59:59.250Z",
    "2024-01-01T05:00:00Z": "2024-01-01T05:00:00.000Z",
    "2022-12-31T20:00:00-05:00": "2023-01-01T01:00:00.000Z",
    "2099-01-01T00:00:00+07:00": None,
}
FUTURE = "2099-01-01T00:00:00+07:00"
PHOTOS = ("a" * 64, "b" * 64, "0123456789abcdef" * 4)  # never uploaded: all stay missing
ALTERNATIVES = ("biodegradable_bag", "paper_bag", "cloth_bag", "leaf_wrap", "customer_own_bag")
# decision -> (statuses it applies to, status it leads to)
TRANSITIONS = {
    name: (rule.from_statuses, rule.to) for name, rule in RULES.transitions.items()
}
NEEDS_COMMENT = tuple(name for name, rule in RULES.transitions.items() if rule.comment_required)
EDITABLE = RULES.editable_statuses


# --- strategies ---------------------------------------------------------------------------


@st.composite
def answers(draw):
    total = draw(st.integers(1, 5000))
    result = {
        "stalls_total": total,
        "stalls_using_nondegradable": draw(st.sampled_from([0, 1, total])),
        "alternatives": draw(
            st.one_of(
                st.just(["none"]),
                st.lists(st.sampled_from(ALTERNATIVES), unique=True, max_size=3),
            )
        ),
        "signage_present": draw(st.booleans()),
        "outreach_held": draw(st.booleans()),
    }
    notes = draw(st.one_of(st.none(), st.text("abc ăâđêôơư chợ túi nilon", max_size=20)))
    if notes is not None:
        result["notes"] = notes
    if draw(st.integers(0, 7)) == 7:  # a form the server must refuse
        result["stalls_using_nondegradable"] = total + 1
    return result


locations = st.one_of(
    st.none(),
    st.builds(
        lambda lat, lon, acc: {"lat": lat, "lon": lon, "accuracy_m": acc},
        st.floats(20.99, 21.05),
        st.floats(105.80, 105.87),
        st.one_of(st.none(), st.floats(0, 100)),
    ),
)
photos = st.lists(st.sampled_from(PHOTOS), unique=True, max_size=2)
# a time more than 24 h ahead: one in nine
observed = st.sampled_from(sorted(k for k, v in OBSERVED.items() if v) * 2 + [FUTURE])
# where a new visit is: mostly in the inspector's area
new_visits = functools.partial(
    st.tuples,
    st.sampled_from(["own"] * 6 + ["other", "unknown"]), st.integers(0, 10_000), answers(),
    locations, photos, observed,
)
picks = st.integers(0, 10_000)  # an index into whatever list the rule picks from
comments = st.sampled_from(
    [None, "", "   ", "Thiếu ảnh quầy thịt.", "  Sai chợ  ", "Đạt.", "Cần bổ sung ảnh."]
)
decisions = st.sampled_from(RULES.decisions)
stale_by = st.sampled_from([0, 0, 0, 1])


# --- the model of the server --------------------------------------------------------------


def canonical(mutation: dict) -> str:
    return json.dumps([mutation["type"], mutation["data"]], sort_keys=True, ensure_ascii=False)


def kind_of(mutation: dict) -> str:
    if mutation["type"] == "review.decide":
        return "decide"
    return "create" if mutation["data"]["base_rev"] is None else "edit"


def target(mutation: dict) -> str:
    data = mutation["data"]
    return (data.get("id") if mutation["type"] == "visit.upsert" else data.get("visit_id")).lower()


def subtree(parents: dict[int, int | None], root: int) -> frozenset[int]:
    found, changed = {root}, True
    while changed:
        grown = found | {u for u, p in parents.items() if p in found}
        changed, found = grown != found, grown
    return frozenset(found)


@dataclass
class ModelUser:
    username: str
    id: int
    role: str
    scope: frozenset[int] | None  # org unit ids whose markets the user sees; None: all


@dataclass
class ModelVisit:
    id: str
    inspector: str
    inspector_id: int
    rev: int = 1
    status: str = "submitted"
    fields: dict = field(default_factory=dict)  # market_id, device_id, answers, …
    review: dict | None = None  # decision, comment, reviewer_id (decided_at: from the server)
    edits: int = 0
    decisions: list = field(default_factory=list)  # (decision, reviewer_id, visit_rev)
    record: dict | None = None  # the server's record after the last applied change
    received_at: str | None = None


class ServerModel:
    def __init__(self, users: dict[str, ModelUser], market_unit: dict[int, int]):
        self.users, self.market_unit = users, market_unit
        self.visits: dict[str, ModelVisit] = {}
        self.applied: dict[str, dict] = {}  # mutation id -> user, content, first record
        self.sent: set[str] = set()
        self.decisions_applied = 0

    def market_visible(self, user: ModelUser, market_id: int) -> bool:
        return user.scope is None or self.market_unit[market_id] in user.scope

    def visit_visible(self, user: ModelUser, visit: ModelVisit) -> bool:
        if user.role == "inspector":
            return visit.inspector == user.username
        return self.market_visible(user, visit.fields["market_id"])

    # judge: what the server must answer, in the order the server checks (DESIGN §5.1)

    def judge(self, username: str, mutation: dict) -> tuple[str, str | None, ModelVisit | None]:
        """(status, error code, the visit whose current record a conflict carries)."""
        previous = self.applied.get(mutation["id"])
        if previous is not None:
            if previous["user"] == username and previous["content"] == canonical(mutation):
                return "duplicate", None, None
            return "rejected", "mutation_id_reused", None
        user = self.users[username]
        if mutation["type"] == "visit.upsert":
            return self._judge_upsert(user, mutation["data"])
        return self._judge_decide(user, mutation["data"])

    def _judge_upsert(self, user: ModelUser, data: dict):
        if user.role != "inspector":
            return "rejected", "forbidden", None
        a = data["answers"]
        if a["stalls_using_nondegradable"] > a["stalls_total"] or OBSERVED.get(
            data["observed_at"], data["observed_at"]
        ) is None:
            return "rejected", "validation_failed", None
        if data["market_id"] not in self.market_unit:
            return "rejected", "validation_failed", None
        if not self.market_visible(user, data["market_id"]):
            return "rejected", "validation_failed", None
        visit = self.visits.get(data["id"].lower())
        if data["base_rev"] is None:
            if visit is not None:
                return "conflict", "already_exists", visit if self.visit_visible(
                    user, visit) else None
            return "applied", None, None
        if visit is None or visit.inspector != user.username:
            return "rejected", "not_found", None
        if visit.status not in EDITABLE:
            return "conflict", "locked", visit
        if data["base_rev"] != visit.rev:
            return "conflict", "stale_rev", visit
        return "applied", None, visit

    def _judge_decide(self, user: ModelUser, data: dict):
        decision, comment = data["decision"], (data["comment"] or "").strip()
        if user.role not in REVIEWERS:
            return "rejected", "forbidden", None
        if not RULES.may_decide(user.role, decision):
            return "rejected", "forbidden", None
        if decision in NEEDS_COMMENT and not comment:
            return "rejected", "validation_failed", None
        visit = self.visits.get(data["visit_id"].lower())
        if visit is None or not self.visit_visible(user, visit):
            return "rejected", "not_found", None
        if data["base_rev"] != visit.rev:
            return "conflict", "stale_rev", visit
        if visit.status not in TRANSITIONS[decision][0]:
            return "conflict", "invalid_transition", visit
        return "applied", None, visit

    # apply: the state change the server must make

    def apply(self, username: str, device_id: str, mutation: dict) -> ModelVisit:
        user, data = self.users[username], mutation["data"]
        if mutation["type"] == "visit.upsert":
            visit = self.visits.get(data["id"].lower())
            if visit is None:
                visit_id = data["id"].lower()
                visit = self.visits[visit_id] = ModelVisit(visit_id, username, user.id)
            else:
                visit.rev, visit.status, visit.edits = visit.rev + 1, "submitted", visit.edits + 1
            location = data["location"]
            visit.fields = {
                "market_id": data["market_id"],
                "device_id": device_id,
                "form_version": data["form_version"],
                "observed_at": OBSERVED.get(data["observed_at"], data["observed_at"]),
                "answers": data["answers"],
                "location": None if location is None else {
                    "lat": location["lat"], "lon": location["lon"],
                    "accuracy_m": location.get("accuracy_m"),
                },
                "attachments": list(data["attachments"]),
                "missing_attachments": list(data["attachments"]),
                "compliant": data["answers"]["stalls_using_nondegradable"] == 0,
            }
        else:
            visit = self.visits[data["visit_id"].lower()]
            visit.rev += 1
            visit.status = TRANSITIONS[data["decision"]][1]
            visit.review = {
                "decision": data["decision"],
                "comment": (data["comment"] or "").strip() or None,
                "reviewer_id": user.id,
            }
            visit.decisions.append((data["decision"], user.id, visit.rev))
            self.decisions_applied += 1
        return visit

    def check_record(self, visit: ModelVisit, record: dict) -> None:
        """The record the server answered an applied mutation with, against the model."""
        assert set(record) == RECORD_KEYS, sorted(record)
        expected = {
            "id": visit.id, "rev": visit.rev, "inspector_id": visit.inspector_id,
            "status": visit.status, **visit.fields,
        }
        assert {k: record[k] for k in expected} == expected, (record, expected)
        assert (record["distance_m"] is None) == (visit.fields["location"] is None), record
        if visit.received_at is None:
            visit.received_at = record["received_at"]
        assert record["received_at"] == visit.received_at, "received_at changed after create"
        if visit.review is None:
            assert record["review"] is None, record
        else:
            review = record["review"]
            assert {k: review[k] for k in visit.review} == visit.review, (review, visit.review)
            if visit.record is not None and visit.decisions and visit.decisions[-1][2] != visit.rev:
                # no new decision since the last record (an edit): the same decided_at
                assert review == visit.record["review"], (review, visit.record["review"])
        visit.record = record

    def visible_visits(self, username: str) -> dict[str, ModelVisit]:
        user = self.users[username]
        return {vid: v for vid, v in self.visits.items() if self.visit_visible(user, v)}

