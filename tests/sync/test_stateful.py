"""Model-based test of offline sync: phones, outboxes, a flaky network, review (DESIGN §5, §6).

A hypothesis RuleBasedStateMachine drives the real app through the Flask test client. Each
example starts from an empty database with tests/factories.make_world() in it, and seven devices:

    A1, A2  insp_hbt on two phones    B  insp_hbt2    C  insp_bd        (inspectors)
    W       ward_hbt (Hai Bà Trưng)   W1 ward_hbt1 (Phường Phố Huế)    Y  city  (officers)

A device keeps what a phone keeps: an outbox of mutations (each with its id), a replica built
only from pulls ((entity, id) -> rev and data), a cursor, and a list of problems (mutations the
server answered with conflict or rejected; those are not resent). A mutation leaves the outbox
only when the device *hears* applied/duplicate/conflict/rejected for it.

Rules: an inspector records visits (sometimes at a market outside their area, sometimes with
invalid answers or a time in the future) or edits one of their own visits from the replica with
the replica's rev as base_rev (sometimes stale, sometimes moving it to another market); an
officer approves/returns/rejects/reopens a visit from the replica (sometimes without a comment,
sometimes on a stale rev); a phone with signal syncs right after; a confused user or buggy
phone decides on or edits any visit (outside their scope, not theirs, as the wrong role),
creates a visit under a taken id, reuses a mutation id, or sends ids in upper case; a device
syncs (push the outbox, then pull until has_more is false, in pages of 1, 4 or 500), pulls
without pushing, or stops mid-pull and carries on later. Network faults: a push whose response
is lost (the server applied it, the phone did not hear: it stays in the outbox and is resent
later), the same push delivered twice, a later batch delivered before an earlier one (only when
the two touch different visits, as the phone's own ordering allows), a pull response lost, and
a phone that loses its replica and pulls from scratch. Every example starts with a few visits
recorded and synced by everyone, so edits and decisions have work from the first step.

`ServerModel` predicts every answer of the server by itself — applied (once), duplicate (with
the record of the first application), conflict (stale_rev, locked, invalid_transition,
already_exists, with the current record), rejected (validation_failed, forbidden, not_found,
mutation_id_reused) — and each push response is checked against it, mutation by mutation.

Invariants, after every step: the database holds the model's visits at the model's rev and
status, one applied_mutation row per applied mutation id (not per id sent: server/sync/push.py
stores no refusal, and a refused mutation sent again is judged again) and one review_decision row
per applied decision, and no replica is ahead of the server. After `quiesce` (every device
pushes until its outbox is empty, then pulls until has_more is false; also at the end of every
example): each replica equals (1) a fresh full pull by the same user, record for record, (2) the
visible set computed straight from the database with the scope rules of §5.2, ids and revs, and
(3) the model's own records for the visits it should see; and the server holds exactly the accepted
mutations (visits == applied creates, rev == 1 + applied edits + applied decisions, the audit
trail of decisions, the received_at of the one create).

Fast by default and reproducible (derandomize). A longer, randomised run:

    CHOXANH_HYPOTHESIS_EXAMPLES=500 CHOXANH_HYPOTHESIS_STEPS=60 \\
        .venv/bin/pytest tests/sync/test_stateful.py
"""

import functools
import json
import os
import uuid
from dataclasses import dataclass, field

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select

from server.core.extensions import db
from server.forms import SUPPORTED_VERSIONS
from server.models import AppliedMutation, Market, OrgUnit, ReviewDecision, User, Visit
from tests.factories import login, make_world

LONG_RUN = os.environ.get("CHOXANH_HYPOTHESIS_EXAMPLES")
SETTINGS = settings(
    max_examples=int(LONG_RUN or 25),
    stateful_step_count=int(os.environ.get("CHOXANH_HYPOTHESIS_STEPS", 35)),
    deadline=None,
    derandomize=not LONG_RUN,  # CI: the same examples on every run
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

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
REVIEWERS = ("ward_officer", "city_officer", "admin")
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
# decision -> (statuses it applies to, status it leads to), DESIGN §6
TRANSITIONS = {
    "approve": (("submitted",), "approved"),
    "return": (("submitted",), "returned"),
    "reject": (("submitted",), "rejected"),
    "reopen": (("approved", "rejected"), "submitted"),
}
NEEDS_COMMENT = ("return", "reject", "reopen")
EDITABLE = ("submitted", "returned")


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
decisions = st.sampled_from(("approve", "return", "reject", "reopen"))
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
        if decision == "reopen" and user.role not in CITY_WIDE:
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


# --- a phone --------------------------------------------------------------------------------


@dataclass
class Device:
    name: str
    username: str
    device_id: str
    headers: dict
    outbox: list = field(default_factory=list)
    replica: dict = field(default_factory=dict)  # (entity, str id) -> {"rev", "data"}
    cursor: str | None = None
    problems: list = field(default_factory=list)  # (mutation, result) answered conflict/rejected
    sent: list = field(default_factory=list)  # every mutation it ever pushed, first push order

    def own_visits(self, user_id: int) -> list[tuple[str, dict]]:
        return sorted(
            (key[1], entry)
            for key, entry in self.replica.items()
            if key[0] == "visit" and entry["data"]["inspector_id"] == user_id
        )

    def visits(self) -> list[tuple[str, dict]]:
        return sorted((key[1], entry) for key, entry in self.replica.items() if key[0] == "visit")

    def split_points(self) -> list[int]:
        """Where the outbox splits into an earlier and a later batch touching other visits."""
        points = []
        for i in range(1, len(self.outbox)):
            earlier = {target(m) for m in self.outbox[:i]}
            if not earlier & {target(m) for m in self.outbox[i:]}:
                points.append(i)
        return points


def apply_changes(replica: dict, changes: list[dict]) -> None:
    for change in changes:
        key = (change["entity"], str(change["id"]))
        if change["op"] == "delete":
            replica.pop(key, None)
        else:
            replica[key] = {"rev": change["rev"], "data": change["data"]}


def step(function):
    """Mark the machine unhealthy while a rule runs, so teardown skips its final checks after a
    failure (they would only hide the first error)."""

    @functools.wraps(function)
    def run(self, **kwargs):
        self.healthy = False
        function(self, **kwargs)
        self.healthy = True

    return run


class SyncMachine(RuleBasedStateMachine):
    def __init__(self, make_app):
        super().__init__()
        self.healthy = False
        self.ids_made = 0
        self.app = make_app()  # a fresh, empty database for every example
        self.client = self.app.test_client()
        with self.app.app_context():
            world = make_world()
            units = {code: (u.id, u.parent_id) for code, u in world["units"].items()}
            self.markets = {k: m.id for k, m in world["markets"].items()}
            self.markets["unknown"] = UNKNOWN_MARKET
            market_unit = {m.id: m.org_unit_id for m in world["markets"].values()}
            parents = dict(units.values())
            users = {
                name: ModelUser(
                    name, u.id, u.role,
                    None if u.role in CITY_WIDE else subtree(parents, u.org_unit_id),
                )
                for name, u in world["users"].items()
            }
        self.model = ServerModel(users, market_unit)
        self.devices = {
            name: Device(name, username, f"dev-{name}", login(self.client, username, f"dev-{name}"))
            for name, username in DEVICES.items()
        }
        self.healthy = True

    # --- talking to the server --------------------------------------------------------------

    def send(self, device: Device, mutations: list[dict]) -> list[dict]:
        """POST one push; check every answer against the model and apply the model. Returns
        the answers whether or not the phone gets to hear them."""
        response = self.client.post(
            "/api/v1/sync/push",
            json={"device_id": device.device_id, "mutations": mutations},
            headers=device.headers,
        )
        assert response.status_code == 200, response.get_json()
        results = response.get_json()["results"]
        assert [r["id"] for r in results] == [m["id"] for m in mutations]
        for mutation, result in zip(mutations, results, strict=True):
            self.model.sent.add(mutation["id"])
            if mutation not in device.sent:
                device.sent.append(mutation)
            status, code, current = self.model.judge(device.username, mutation)
            assert result["status"] == status, (device.name, mutation, result, status, code)
            if status == "applied":
                visit = self.model.apply(device.username, device.device_id, mutation)
                self.model.check_record(visit, result["record"])
                self.model.applied[mutation["id"]] = {
                    "user": device.username,
                    "content": canonical(mutation),
                    "record": result["record"],
                    "kind": kind_of(mutation),
                }
                assert "error" not in result or result["error"] is None, result
            elif status == "duplicate":
                first = self.model.applied[mutation["id"]]["record"]
                assert result["record"] == first, "a duplicate must repeat the first record"
            else:
                assert result["error"]["code"] == code, (device.name, mutation, result, code)
                expected = None if current is None else current.record
                assert result["record"] == expected, (mutation, result, expected)
        return results

    def hear(self, device: Device, results: list[dict]) -> None:
        """The phone got these answers: every answered mutation leaves the outbox."""
        answered = {r["id"]: r for r in results}
        for mutation in [m for m in device.outbox if m["id"] in answered]:
            result = answered[mutation["id"]]
            device.outbox.remove(mutation)
            if result["status"] in ("conflict", "rejected"):
                device.problems.append((mutation, result))

    def pull_page(self, device: Device, cursor: str | None, limit: int) -> dict:
        query = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        response = self.client.get("/api/v1/sync/pull", query_string=query, headers=device.headers)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        assert len(body["changes"]) <= limit
        for change in body["changes"]:
            assert change["op"] in ("upsert", "delete"), change
            assert (change["data"] is None) == (change["op"] == "delete"), change
            if change["op"] == "upsert" and change["entity"] in ("visit", "market", "org_unit"):
                assert change["data"]["id"] == change["id"], change
            if change["op"] == "upsert" and change["entity"] == "visit":
                assert change["data"]["rev"] == change["rev"], change
        return body

    def pull(self, device: Device, limit: int = 500, replica: dict | None = None) -> dict:
        """Pull until has_more is false, into the device's replica (or into `replica`, from
        scratch, leaving the device alone)."""
        fresh = replica is not None
        target_replica = replica if fresh else device.replica
        cursor = None if fresh else device.cursor
        for _ in range(10_000):
            body = self.pull_page(device, cursor, limit)
            apply_changes(target_replica, body["changes"])
            cursor = body["cursor"]
            if not body["has_more"]:
                break
        else:  # pragma: no cover
            raise AssertionError("pull never finished")
        if not fresh:
            device.cursor = cursor
        return target_replica

    def new_id(self) -> str:
        """UUIDs in sequence, not uuid4(): the same example must make the same ids (and so the
        same choices among sorted ids) on every run and backend, or derandomize means nothing."""
        self.ids_made += 1
        return str(uuid.UUID(int=self.ids_made, version=4))

    def new_mutation(self, kind: str, data: dict) -> dict:
        return {"id": self.new_id(), "type": kind, "data": data}

    # --- rules: what people do ----------------------------------------------------------------

    def _market(self, username: str, where: str, pick: int, not_this: int | None = None) -> int:
        """A market id: in the user's area ("own"; another than `not_this` if there is one),
        outside it ("other"), or unknown."""
        if where == "unknown":
            return UNKNOWN_MARKET
        user = self.model.users[username]
        inside = sorted(
            m for m in self.model.market_unit if self.model.market_visible(user, m)
        )
        outside = sorted(set(self.model.market_unit) - set(inside)) or inside
        choices = inside if where == "own" else outside
        choices = [m for m in choices if m != not_this] or choices
        return choices[pick % len(choices)]

    @rule(
        name=st.sampled_from(INSPECTOR_DEVICES),
        visits=st.lists(new_visits(), min_size=1, max_size=3), online=st.booleans(),
    )
    @step
    def record_visits(self, name, visits, online):
        """New visits, now and then at a market outside the inspector's area, or invalid.
        `online`: the phone has signal and syncs at once (else they wait in the outbox)."""
        device = self.devices[name]
        for where, pick, answers, location, attachments, observed_at in visits:
            data = {
                "id": self.new_id(), "base_rev": None,
                "market_id": self._market(device.username, where, pick),
                "form_version": "2023.1", "observed_at": observed_at, "answers": answers,
                "location": location, "attachments": attachments,
            }
            device.outbox.append(self.new_mutation("visit.upsert", data))

    @initialize(visits=st.lists(new_visits(), min_size=len(INSPECTOR_DEVICES), max_size=8))
    def a_morning_of_work(self, visits):
        """Every example starts with some visits recorded, synced and seen by everyone, so
        edits and decisions have something to work on from the first step."""
        self.healthy = False
        for i, (where, pick, answers, location, attachments, observed_at) in enumerate(visits):
            device = self.devices[INSPECTOR_DEVICES[i % len(INSPECTOR_DEVICES)]]
            data = {
                "id": self.new_id(), "base_rev": None,
                "market_id": self._market(device.username, where, pick),
                "form_version": "2023.1", "observed_at": observed_at, "answers": answers,
                "location": location, "attachments": attachments,
            }
            device.outbox.append(self.new_mutation("visit.upsert", data))
        self._quiesce()
        self.healthy = True

    def _inspectors_with_visits(self):
        return [
            n for n in INSPECTOR_DEVICES
            if self.devices[n].own_visits(self.model.users[DEVICES[n]].id)
        ]

    EDIT_ARGS = dict(
        who=picks, which=picks, answers=answers(),
        move_to=st.sampled_from([None, None, "own", "own", "other"]), pick=picks,
        location=st.one_of(st.just("keep"), locations), observed_at=st.one_of(st.none(), observed),
        stale=stale_by, online=st.booleans(), returned=st.booleans(),
    )

    @precondition(lambda self: self._inspectors_with_visits())
    @rule(**EDIT_ARGS)
    @step
    def edit_visit(
        self, who, which, answers, move_to, pick, location, observed_at, stale, online,
        returned,
    ):
        """Edit an own visit from the replica, on the replica's rev (sometimes one behind),
        sometimes moving it to another market (of the area, or outside it). `returned`: fix
        one the ward sent back, if the replica shows any."""
        candidates = self._inspectors_with_visits()
        device = self.devices[candidates[who % len(candidates)]]
        visits = device.own_visits(self.model.users[device.username].id)
        if returned:
            visits = [v for v in visits if v[1]["data"]["status"] == "returned"] or visits
        visit_id, entry = visits[which % len(visits)]
        old = entry["data"]
        data = {
            "id": visit_id,
            "base_rev": entry["rev"] - stale if entry["rev"] > stale else entry["rev"],
            "market_id": old["market_id"] if move_to is None else self._market(
                device.username, move_to, pick, not_this=old["market_id"]),
            "form_version": old["form_version"],
            "observed_at": old["observed_at"] if observed_at is None else observed_at,
            "answers": answers,
            "location": old["location"] if location == "keep" else location,
            "attachments": old["attachments"],
        }
        device.outbox.append(self.new_mutation("visit.upsert", data))
        if online:
            self.sync_device(device)

    def _officers_with_visits(self):
        return [n for n in OFFICER_DEVICES if self.devices[n].visits()]

    DECIDE_ARGS = dict(
        who=picks, which=picks, how=picks,
        decision=st.sampled_from(["sensible"] * 4 + list(TRANSITIONS)),
        comment=comments, stale=stale_by, decided=st.sampled_from([False, False, True]),
        online=st.booleans(),
    )

    @precondition(lambda self: self._officers_with_visits())
    @rule(**DECIDE_ARGS)
    @step
    def decide(self, who, which, how, decision, comment, stale, decided, online):
        """An officer decides on a visit in their replica, on its rev (sometimes one behind):
        mostly what the status they see allows (ward officers do not reopen), sometimes any.
        `decided`: look at visits already decided, if any (where reopen happens)."""
        candidates = self._officers_with_visits()
        device = self.devices[candidates[who % len(candidates)]]
        visits = device.visits()
        if decided:
            visits = [v for v in visits if v[1]["data"]["status"] != "submitted"] or visits
        visit_id, entry = visits[which % len(visits)]
        if decision == "sensible":
            allowed = [
                d for d, (before, _) in TRANSITIONS.items()
                if entry["data"]["status"] in before
                and (d != "reopen" or self.model.users[device.username].role in CITY_WIDE)
            ] or list(TRANSITIONS)
            decision = allowed[how % len(allowed)]
        base_rev = entry["rev"] - stale if entry["rev"] > stale else entry["rev"]
        data = {"visit_id": visit_id, "base_rev": base_rev, "decision": decision,
                "comment": comment}
        device.outbox.append(self.new_mutation("review.decide", data))
        if online:
            self.sync_device(device)

    # Swarm testing switches each rule off in about half of the examples, and picks evenly
    # among the rest. The review loop (an officer decides, the inspector fixes what came back)
    # is the heart of the system: it gets a second rule each, switched on and off on its own.

    @precondition(lambda self: self._inspectors_with_visits())
    @rule(**EDIT_ARGS)
    def edit_visit_again(self, **kwargs):
        self.edit_visit(**kwargs)

    @precondition(lambda self: self._officers_with_visits())
    @rule(**DECIDE_ARGS)
    def decide_again(self, **kwargs):
        self.decide(**kwargs)

    @precondition(lambda self: self.model.visits)
    @rule(
        mode=st.sampled_from([
            "decide_on_any_visit", "edit_any_visit", "taken_visit_id", "reused_mutation_id",
        ]),
        name=st.sampled_from(sorted(DEVICES)), which=picks, answers=answers(),
        decision=decisions, comment=comments, where=st.sampled_from(["own", "other"]),
        shout=st.booleans(),
    )
    @step
    def misbehave(self, mode, name, which, answers, decision, comment, where, shout):
        """What a confused user or a buggy phone may send (visit ids in upper case if `shout`:
        the server keeps ids in lower case).

        decide_on_any_visit: anyone decides on any visit at its current rev — rejected unless
            it is theirs to review (inspectors, officers of another area);
        edit_any_visit: anyone edits any visit at its current rev — rejected unless it is
            their own (officers, other inspectors), conflict if it is locked;
        taken_visit_id: a create with the id of an existing visit (anyone's) — conflict, never
            a second visit;
        reused_mutation_id: new content under a mutation id already sent (by anyone), pushed
            at once outside the outbox — mutation_id_reused if that id was applied, else judged
            as a new mutation.
        """
        device = self.devices[name]
        visit_ids = sorted(self.model.visits)
        visit = self.model.visits[visit_ids[which % len(visit_ids)]]
        visit_id = visit.id.upper() if shout else visit.id
        if mode == "decide_on_any_visit":
            data = {"visit_id": visit_id, "base_rev": visit.rev, "decision": decision,
                    "comment": comment}
            device.outbox.append(self.new_mutation("review.decide", data))
            return
        data = {
            "id": self.new_id(), "base_rev": None,
            "market_id": self._market(device.username, where, which),
            "form_version": "2023.1", "observed_at": "2024-01-01T05:00:00Z",
            "answers": answers, "location": None, "attachments": [],
        }
        if mode in ("edit_any_visit", "taken_visit_id"):
            data["id"] = visit_id
            data["base_rev"] = visit.rev if mode == "edit_any_visit" else None
            device.outbox.append(self.new_mutation("visit.upsert", data))
            return
        mutation_ids = sorted(self.model.sent) or [self.new_id()]
        mutation = {"id": mutation_ids[which % len(mutation_ids)], "type": "visit.upsert",
                    "data": data}
        self.send(device, [mutation])

    # --- rules: syncing and the network ---------------------------------------------------------

    @rule(
        name=st.sampled_from(sorted(DEVICES) + ["everyone"]),
        mode=st.sampled_from(
            ["sync", "sync", "sync", "pull", "one_page", "page_lost", "reinstall"]
        ),
        limit=st.sampled_from([1, 4, 500, 500]),
    )
    @step
    def sync(self, name, mode, limit):
        """sync: push the whole outbox and hear the answers, then pull until has_more is false
            (in pages of `limit`);
        pull: a pull without a push (the push failed): the outbox stays;
        one_page: the phone gets one page (of `limit`) and goes offline mid-pull: it keeps the
            page and the cursor (has_more may be true) and carries on from there later,
            after others have written;
        page_lost: one pull page is served but never arrives: the cursor stays;
        reinstall: the phone loses its replica and cursor (not its outbox) and starts over
            with a full listing, in pages of `limit`, until the listing has reached the visits;
            then it goes offline. The listing resumes later, after others have written: a
            change to a visit already listed must still arrive.
        Device "everyone": quiesce, then check that everything converged."""
        if name == "everyone":
            self._quiesce()
            self.check_converged()
            return
        device = self.devices[name]
        if mode == "page_lost":
            self.pull_page(device, device.cursor, limit)
            return
        if mode == "reinstall":
            device.replica, device.cursor = {}, None
        if mode in ("one_page", "reinstall"):
            while True:
                body = self.pull_page(device, device.cursor, limit)
                apply_changes(device.replica, body["changes"])
                device.cursor = body["cursor"]
                listed = any(c["entity"] == "visit" for c in body["changes"])
                if mode == "one_page" or listed or not body["has_more"]:
                    return
        if mode == "sync":
            self.sync_device(device, limit)
        else:
            self.pull(device, limit)

    @precondition(lambda self: any(d.outbox or d.sent for d in self.devices.values()))
    @rule(
        fault=st.sampled_from(
            ["response_lost", "delivered_twice", "reordered", "stray_duplicate"]
        ),
        who=picks, size=picks, heard_first=st.booleans(),
    )
    @step
    def flaky_push(self, fault, who, size, heard_first):
        """response_lost: the server applies a push, the phone never hears back, so all of it
            stays queued and is resent later;
        delivered_twice: the same push arrives twice, the phone hears one of the answers;
        reordered: a later batch overtakes an earlier one — only where they touch different
            visits, as the phone's own ordering allows (else: response_lost);
        stray_duplicate: a copy of a mutation the phone pushed long ago reaches the server now
            (a retrying proxy), after others changed that visit: a duplicate must still carry
            the record of the first application. The phone hears nothing.
        (Faults needing an outbox fall back to stray_duplicate when every outbox is empty.)"""
        if fault == "stray_duplicate" or not any(d.outbox for d in self.devices.values()):
            senders = [d for d in self.devices.values() if d.sent]
            device = senders[who % len(senders)]
            self.send(device, [device.sent[size % len(device.sent)]])
            return
        reorderable = [d for d in self.devices.values() if d.split_points()]
        if fault == "reordered" and reorderable:
            device = reorderable[who % len(reorderable)]
            points = device.split_points()
            self.hear(device, self.send(device, device.outbox[points[size % len(points)]:]))
            return
        candidates = [d for d in self.devices.values() if d.outbox]
        device = candidates[who % len(candidates)]
        batch = device.outbox[: 1 + size % len(device.outbox)]
        first = self.send(device, batch)
        if fault == "delivered_twice":
            second = self.send(device, batch)
            self.hear(device, first if heard_first else second)

    def sync_device(self, device: Device, limit: int = 500) -> None:
        """Push the whole outbox and hear the answers, then pull until has_more is false."""
        if device.outbox:
            self.hear(device, self.send(device, list(device.outbox)))
            assert not device.outbox
        self.pull(device, limit)

    def _quiesce(self):
        """Everyone pushes until their outbox is empty, then pulls until has_more is false."""
        for device in self.devices.values():
            if device.outbox:
                self.hear(device, self.send(device, list(device.outbox)))
            assert not device.outbox, (device.name, device.outbox)
        for device in self.devices.values():
            self.pull(device)

    # --- invariants -------------------------------------------------------------------------

    @invariant()
    def server_holds_the_model(self):
        """Cheap, after every step: visits, revs, statuses, applied mutations, decisions."""
        self.healthy = False
        with self.app.app_context():
            visits = {
                vid: (rev, status)
                for vid, rev, status in db.session.execute(
                    select(Visit.id, Visit.rev, Visit.status)
                )
            }
            applied = {  # (not dict(result): a Result has keys(), the column names)
                mid: uid
                for mid, uid in db.session.execute(
                    select(AppliedMutation.id, AppliedMutation.user_id)
                )
            }
            decided = db.session.scalar(select(func.count()).select_from(ReviewDecision))
        model = self.model
        assert visits == {vid: (v.rev, v.status) for vid, v in model.visits.items()}
        for v in model.visits.values():
            assert v.rev == 1 + v.edits + len(v.decisions), v
        assert applied == {
            mid: model.users[a["user"]].id for mid, a in model.applied.items()
        }, "applied_mutation must hold exactly the applied mutation ids"
        assert set(applied) <= model.sent
        assert decided == model.decisions_applied
        for device in self.devices.values():
            ids = [m["id"] for m in device.outbox]
            assert len(ids) == len(set(ids)), device.outbox
            for (entity, key), entry in device.replica.items():
                if entity == "visit":  # a replica may lag the server, never lead it
                    assert entry["rev"] <= model.visits[key].rev, (device.name, key)
        self.healthy = True

    def db_visible_sets(self) -> dict[str, dict[tuple[str, str], int]]:
        """Each user's visible set straight from the database with the rules of §5.2:
        inspector — every org unit, the markets of their subtree, their own visits;
        ward officer — every org unit, their subtree's markets and all their visits;
        city officer, admin — everything. (entity, id) -> rev."""
        with self.app.app_context():
            units = db.session.execute(select(OrgUnit.id, OrgUnit.parent_id, OrgUnit.rev)).all()
            markets = db.session.execute(select(Market.id, Market.org_unit_id, Market.rev)).all()
            visits = db.session.execute(
                select(Visit.id, Visit.rev, Visit.inspector_id, Market.org_unit_id).join(
                    Market, Market.id == Visit.market_id
                )
            ).all()
            users = db.session.execute(
                select(User.username, User.id, User.role, User.org_unit_id)
            ).all()
        parents = {uid: parent for uid, parent, _ in units}
        result = {}
        for username, user_id, role, unit_id in users:
            scope = None if role in CITY_WIDE else subtree(parents, unit_id)
            seen = {("org_unit", str(uid)): rev for uid, _, rev in units}
            seen.update(
                {("market", str(mid)): rev for mid, unit, rev in markets
                 if scope is None or unit in scope}
            )
            for vid, rev, inspector_id, unit in visits:
                if role == "inspector":
                    visible = inspector_id == user_id
                else:
                    visible = scope is None or unit in scope
                if visible:
                    seen[("visit", vid)] = rev
            result[username] = seen
        return result

    def check_converged(self) -> None:
        """After quiesce: every replica is exactly its user's visible set, by three accounts."""
        forms = {("form", f"market_visit@{v}") for v in SUPPORTED_VERSIONS}
        from_db = self.db_visible_sets()
        for device in self.devices.values():
            replica = device.replica
            fresh = self.pull(device, replica={})
            assert replica.keys() == fresh.keys(), (device.name, replica.keys() ^ fresh.keys())
            for key in replica:
                assert replica[key] == fresh[key], (device.name, key, replica[key], fresh[key])
            revs = {key: e["rev"] for key, e in replica.items() if key[0] != "form"}
            assert revs == from_db[device.username], (device.name, revs, from_db[device.username])
            assert {key for key in replica if key[0] == "form"} == forms
            expected = self.model.visible_visits(device.username)
            visits = {key[1]: e["data"] for key, e in replica.items() if key[0] == "visit"}
            assert visits.keys() == expected.keys(), device.name
            for vid, data in visits.items():
                assert data == expected[vid].record, (device.name, data, expected[vid].record)
        self.check_server_exactly_once()

    def check_server_exactly_once(self) -> None:
        """Visits == applied creates (each created once), rev == 1 + edits + decisions, and the
        decision audit trail is exactly the applied decisions, in order."""
        model = self.model
        kinds = [a["kind"] for a in model.applied.values()]
        created = [a["record"]["id"] for a in model.applied.values() if a["kind"] == "create"]
        with self.app.app_context():
            n_visits = db.session.scalar(select(func.count()).select_from(Visit))
            trail = db.session.execute(
                select(
                    ReviewDecision.visit_id, ReviewDecision.decision,
                    ReviewDecision.reviewer_id, ReviewDecision.visit_rev,
                ).order_by(ReviewDecision.id)
            ).all()
        assert len(created) == len(set(created)), "a visit was created twice"
        assert n_visits == len(model.visits) == len(created)
        assert kinds.count("edit") == sum(v.edits for v in model.visits.values())
        assert kinds.count("decide") == len(trail) == model.decisions_applied
        by_visit: dict[str, list] = {}
        for visit_id, decision, reviewer_id, visit_rev in trail:
            by_visit.setdefault(visit_id, []).append((decision, reviewer_id, visit_rev))
        for vid, visit in model.visits.items():
            assert by_visit.get(vid, []) == visit.decisions, (vid, by_visit.get(vid))
            assert visit.rev == 1 + visit.edits + len(visit.decisions)

    def teardown(self):
        try:
            if self.healthy:
                self._quiesce()
                self.check_converged()
        finally:
            with self.app.app_context():
                db.session.remove()
                db.engine.dispose()


def test_sync_state_machine(make_app):
    run_state_machine_as_test(lambda: SyncMachine(make_app), settings=SETTINGS)
