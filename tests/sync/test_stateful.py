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

The model and the strategies are in stateful_model.py; the phones, the wire and the checks
after quiesce in stateful_phones.py; the rules and the invariant here.

Fast by default and reproducible (derandomize). A longer, randomised run:

    CHOXANH_HYPOTHESIS_EXAMPLES=500 CHOXANH_HYPOTHESIS_STEPS=60 \\
        .venv/bin/pytest tests/sync/test_stateful.py
"""

import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select

from server.core.extensions import db
from server.models import AppliedMutation, ReviewDecision, Visit
from tests.sync.stateful_model import (
    DEVICES,
    INSPECTOR_DEVICES,
    OFFICER_DEVICES,
    RULES,
    TRANSITIONS,
    comments,
    decisions,
    locations,
    new_visits,
    observed,
    picks,
    stale_by,
)
from tests.sync.stateful_model import (
    answers as answer_sets,
)
from tests.sync.stateful_phones import SyncWorld, apply_changes, step

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


class SyncMachine(SyncWorld):
    # --- rules: what people do ----------------------------------------------------------------

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
        who=picks, which=picks, answers=answer_sets(),
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
                and RULES.may_decide(self.model.users[device.username].role, d)
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
        name=st.sampled_from(sorted(DEVICES)), which=picks, answers=answer_sets(),
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


def test_sync_state_machine(make_app):
    run_state_machine_as_test(lambda: SyncMachine(make_app), settings=SETTINGS)
