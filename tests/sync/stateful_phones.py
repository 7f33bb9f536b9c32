"""The phones and the wire of tests/sync/test_stateful.py: `Device` (what a phone keeps), and
`SyncWorld`, the state machine's base without rules: it builds the world, talks to the server
through the Flask test client checking every answer against the model, and holds the checks
after quiesce (convergence, exactly once) and the teardown."""

import functools
import uuid
from dataclasses import dataclass, field

from hypothesis.stateful import RuleBasedStateMachine
from sqlalchemy import func, select

from server.core.extensions import db
from server.forms import SUPPORTED_VERSIONS
from server.models import Market, OrgUnit, ReviewDecision, User, Visit
from tests.factories import login, make_world
from tests.sync.stateful_model import (
    CITY_WIDE,
    DEVICES,
    UNKNOWN_MARKET,
    ModelUser,
    ServerModel,
    canonical,
    kind_of,
    subtree,
    target,
)


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



class SyncWorld(RuleBasedStateMachine):
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

    # --- the checks after quiesce -----------------------------------------------------------

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

