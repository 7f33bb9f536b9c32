"""visit.upsert applied set-wise: a whole run of a push's upserts with a few statements.

`UpsertBatch(user, device_id, datas)` validates every mutation's data and reads once what all
of them need (their markets, FOR SHARE; the visits they name, FOR UPDATE, with their photos and
latest decision; which photos are stored). `plan(i)` then judges mutation i in memory against
the state the earlier ones left (the same checks as the per-mutation path: upsert.py), and
`write()` writes every table with one multi-row statement. The protocol (sync/push_batch.py)
stores the answers, and falls back to the per-mutation path if a write fails.
"""

from types import SimpleNamespace

from sqlalchemy import ARRAY, String, any_, bindparam, delete, select, update

from server.core.extensions import db
from server.core.timeutil import utcnow
from server.models import Market, Visit, VisitAttachment, VisitVersion
from server.sync.bulk import insert_rows
from server.sync.changes import record_changes, visit_change
from server.sync.outcome import MutationRefused
from server.sync.records import one_of, record_from, record_parts, stored_attachments
from server.sync.render import stored_rendering
from server.visits.upsert import (
    MARKET_COLUMNS,
    check_inspector,
    check_market,
    create_refusal,
    edit_refusal,
    edited_values,
    load_upsert,
    new_visit_row,
)
from server.visits.versions import version_row

# The columns an edit may change (upsert.edited_values, and updated_at), set by one UPDATE.
_EDITED = (
    "rev", "status", "device_id", "market_id", "form_version", "observed_at",
    "observed_offset_min", "answers", "compliant", "location_lat", "location_lon",
    "location_accuracy_m", "distance_m", "updated_at", "rendered",
)
_UPDATE = (
    update(Visit.__table__)
    .where(Visit.__table__.c.id == bindparam("visit_id"))
    .values({name: bindparam("new_" + name) for name in _EDITED})  # not a column's own name
)

# The reads built once (a push only binds its ids): building and keying a statement per push
# cost more than running it. In id order, so that two pushes lock shared rows in one order.
_MARKETS = (
    select(*MARKET_COLUMNS).where(MARKET_COLUMNS[0].in_(bindparam("ids", expanding=True)))
    .order_by(MARKET_COLUMNS[0]).with_for_update(read=True)
)
_VISITS = select(Visit.__table__).order_by(Visit.__table__.c.id).with_for_update()
_VISITS_BY_ID = {
    # PostgreSQL: one array parameter (records.one_of); elsewhere an expanding IN.
    "postgresql": _VISITS.where(
        Visit.__table__.c.id == any_(bindparam("ids", type_=ARRAY(String)))),
    None: _VISITS.where(Visit.__table__.c.id.in_(bindparam("ids", expanding=True))),
}


class UpsertBatch:
    def __init__(self, user, device_id: str, datas: list[dict]):
        self.user, self.device_id, self.now = user, device_id, utcnow()
        self.loaded: list = []  # per mutation: its fields, or why it is refused
        try:
            check_inspector(user)
        except MutationRefused as refused:
            self.loaded = [refused] * len(datas)
        else:
            for data in datas:
                try:
                    self.loaded.append(load_upsert(data))
                except MutationRefused as refused:
                    self.loaded.append(refused)
        valid = [f for f in self.loaded if isinstance(f, dict)]
        self.markets: dict = {}  # the markets mutations name, FOR SHARE (upsert._market_row)
        self.checked: dict = {}  # market id -> the market if this user may use it, or why not
        self.units: dict[int, int] = {}  # market id -> its unit, for every market involved
        self.visits: dict = {}  # visit id -> its state (a row-like namespace), as changed
        self.photos: dict = {}  # visit id -> [(sha256, stored)]
        self.reviews: dict = {}  # visit id -> its latest review decision row
        self.created: set[str] = set()  # visits this batch inserts (in their final state)
        self.edited: set[str] = set()  # existing visits it updates
        self.final: dict[str, dict] = {}  # visit id -> its record after the last mutation
        self.versions: list[dict] = []
        self.changes: list[dict] = []
        if valid:
            self._read({f["market_id"] for f in valid}, {f["id"].lower() for f in valid},
                       {sha for f in valid for sha in f["attachments"]})

    def _read(self, market_ids: set, visit_ids: set, shas: set) -> None:
        session = db.session
        # Market ids are integers (one_of takes text ids); a push names few of them.
        self.markets = {m.id: m for m in session.execute(
            _MARKETS, {"ids": sorted(market_ids)})}
        dialect = session.get_bind().dialect.name
        for row in session.execute(_VISITS_BY_ID.get(dialect, _VISITS_BY_ID[None]),
                                   {"ids": sorted(visit_ids)}):
            self.visits[row.id] = SimpleNamespace(**row._mapping)
        self.units = {m.id: m.org_unit_id for m in self.markets.values()}
        others = {v.market_id for v in self.visits.values()} - set(self.units)
        if others:  # markets of existing visits that no mutation names: read, not locked
            self.units.update(session.execute(
                select(Market.id, Market.org_unit_id).where(Market.id.in_(sorted(others)))
            ).all())
        if self.visits:
            self.photos, self.reviews = record_parts(list(self.visits))
        self.stored = stored_attachments(shas)

    def _market(self, market_id: int):
        """upsert.check_market's answer, once per market of the push (they are few)."""
        if market_id not in self.checked:
            try:
                self.checked[market_id] = check_market(self.user, self.markets.get(market_id))
            except MutationRefused as refused:
                self.checked[market_id] = refused
        answer = self.checked[market_id]
        if isinstance(answer, MutationRefused):
            raise answer
        return answer

    def record(self, visit_id: str) -> dict:
        return record_from(self.visits[visit_id], self.photos.get(visit_id, ()),
                           self.reviews.get(visit_id))

    def plan(self, index: int) -> dict:
        """Judge mutation `index` against the state so far; if it applies, change the state
        and return its record; else raise MutationRefused, changing nothing."""
        fields = self.loaded[index]
        if isinstance(fields, MutationRefused):
            raise fields
        user = self.user
        market = self._market(fields["market_id"])
        visit_id = fields["id"].lower()
        visit = self.visits.get(visit_id)
        if fields["base_rev"] is None:
            if visit is not None:
                raise create_refusal(user, visit, self.units[visit.market_id],
                                     lambda: self.record(visit_id))
            visit = SimpleNamespace(
                **new_visit_row(user, self.device_id, visit_id, fields, market, self.now)
            )
            self.visits[visit_id] = visit
            self.created.add(visit_id)
            previous_unit = None
        else:
            refusal = edit_refusal(user, visit, fields["base_rev"],
                                   lambda: self.record(visit_id))
            if refusal is not None:
                raise refusal
            previous_unit = self.units[visit.market_id]
            for name, value in edited_values(visit, self.device_id, fields, market).items():
                setattr(visit, name, value)
            visit.updated_at = self.now
            if visit_id not in self.created:
                self.edited.add(visit_id)
        self.photos[visit_id] = [(sha, sha in self.stored) for sha in fields["attachments"]]
        self.versions.append(version_row(visit_id, visit.rev, user.id, self.device_id, fields,
                                         market.id, self.now))
        self.changes.append(visit_change(visit_id, visit.rev, user.id, market.org_unit_id,
                                         previous_unit))
        # The last record planned for a visit is its final one (write renders it for pull).
        self.final[visit_id] = record = self.record(visit_id)
        return record

    def write(self) -> None:
        """Every planned change, one statement per table; the change-log rows queued in the
        mutations' order, as the per-mutation path queues them."""
        session = db.session
        for i in self.created | self.edited:  # each visit's final record, as pull answers it
            self.visits[i].rendered = stored_rendering(self.final[i])
        insert_rows(Visit.__table__, [vars(self.visits[i]) for i in sorted(self.created)])
        if self.edited:
            session.execute(_UPDATE, [
                {"visit_id": i, **{"new_" + name: getattr(v, name) for name in _EDITED}}
                for i, v in sorted((i, self.visits[i]) for i in self.edited)
            ])
            session.execute(delete(VisitAttachment.__table__).where(
                one_of(VisitAttachment.__table__.c.visit_id, sorted(self.edited))))
        photos = [
            {"visit_id": i, "position": n, "sha256": sha}
            for i in sorted(self.created | self.edited)
            for n, (sha, _) in enumerate(self.photos[i])
        ]
        insert_rows(VisitAttachment.__table__, photos)
        insert_rows(VisitVersion.__table__, self.versions)
        record_changes(self.changes)
