"""Gap-free pull (DESIGN §5.2).

A pull without a cursor lists the whole visible set (form, org units, markets, visits) in id
order, page by page, then continues from the change-log sequence number it noted when it
started (the high-water mark), so nothing changed meanwhile is missed. Sequence numbers are
handed out in commit order (see changes.py), so "everything up to seq n" is final once seen.
Cost: the incremental phase reads change-log rows after the cursor, by primary key.
"""

import base64
import binascii
import json

from sqlalchemy import func, or_, select

from server.auth.scope import market_clause, unit_scope, visit_clause
from server.core.errors import ApiError
from server.core.extensions import db
from server.forms import SUPPORTED_VERSIONS, load_form
from server.models import ChangeLog, Market, OrgUnit, SyncMeta, User, Visit
from server.sync.changes import org_tree_version
from server.sync.records import one_of, visit_records

CURSOR_VERSION = 1
PURGED_THROUGH = "change_log_purged_through"
FULL_ENTITIES = ("form", "org_unit", "market", "visit")


# --- cursors -----------------------------------------------------------------------------


def _scope_key(user) -> str:
    # City-wide users see everything, so the shape of the tree cannot change their set.
    tree = org_tree_version() if unit_scope(user) is not None else 0
    return f"{user.id}:{user.role}:{user.org_unit_id}:{tree}"


def encode_cursor(user, **state) -> str:
    raw = json.dumps({"v": CURSOR_VERSION, "k": _scope_key(user), **state}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(user, cursor: str) -> dict:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        state = json.loads(base64.urlsafe_b64decode(padded.encode()))
        assert isinstance(state, dict) and state.get("v") == CURSOR_VERSION
        assert isinstance(state.get("k"), str)
    except (ValueError, AssertionError, binascii.Error, UnicodeError):
        raise ApiError(
            400,
            "invalid_cursor",
            "This cursor is not one the server gave out.",
            {"cursor": ["Not a valid cursor."]},
        ) from None
    if state["k"].split(":")[0] != str(user.id):
        raise ApiError(
            400,
            "invalid_cursor",
            "This cursor belongs to another user.",
            {"cursor": ["Not your cursor."]},
        )
    if state["k"] != _scope_key(user):
        raise ApiError(410, "cursor_expired", "Your role or area changed; pull again from scratch.")
    return state


def _purged_through() -> int:
    return db.session.scalar(select(SyncMeta.value).where(SyncMeta.key == PURGED_THROUGH)) or 0


# --- the full listing --------------------------------------------------------------------


def _forms() -> list[dict]:
    return [
        {
            "entity": "form",
            "op": "upsert",
            "id": f"market_visit@{v}",
            "rev": 1,
            "data": load_form(v),
        }
        for v in SUPPORTED_VERSIONS
    ]


def _page_of(entity: str, user, after, limit: int) -> list[dict]:
    if entity == "form":
        forms = _forms()
        start = (
            0
            if after is None
            else next((i + 1 for i, f in enumerate(forms) if f["id"] == after), len(forms))
        )
        return forms[start : start + limit]
    if entity == "visit":
        return [_change("visit", r["id"], r["rev"], r) for r in visit_records(
            _visit_rows(visit_clause(user), after, limit))]
    model, clause = {
        "org_unit": (OrgUnit, True),
        "market": (Market, market_clause(user)),
    }[entity]
    query = select(model).where(clause).order_by(model.id).limit(limit)
    if after is not None:
        query = query.where(model.id > after)
    rows = db.session.scalars(query).all()
    return [_change(entity, r.id, r.rev, r.to_dict()) for r in rows]


_VISITS = select(Visit.__table__)


def _visit_rows(clause, after=None, limit=None, ids=None) -> list:
    """Visits as plain rows, not ORM objects: a page of a full pull is up to 1000 of them,
    and the record needs only their columns (building the objects cost more than the query)."""
    query = _VISITS.where(clause)
    if ids is not None:
        query = query.where(one_of(Visit.id, ids))
    if after is not None:
        query = query.where(Visit.id > after)
    if limit is not None:
        query = query.order_by(Visit.id).limit(limit)
    return db.session.execute(query).all()


def _change(entity, entity_id, rev, data, op="upsert") -> dict:
    return {"entity": entity, "op": op, "id": entity_id, "rev": rev, "data": data}


def _full_page(user, state: dict, limit: int) -> dict:
    changes, index, after = [], state["e"], state.get("a")
    while len(changes) < limit and index < len(FULL_ENTITIES):
        requested = limit - len(changes)
        page = _page_of(FULL_ENTITIES[index], user, after, requested)
        changes += page
        if len(page) < requested:  # this entity is exhausted: on to the next
            index, after = index + 1, None
        else:
            after = page[-1]["id"]
    if index < len(FULL_ENTITIES):
        cursor = encode_cursor(user, p="full", hw=state["hw"], e=index, a=after)
        return {"changes": changes, "cursor": cursor, "has_more": True}
    more = bool(_change_rows(user, state["hw"], 1))
    return {
        "changes": changes,
        "cursor": encode_cursor(user, p="inc", q=state["hw"]),
        "has_more": more,
    }


# --- the incremental phase ---------------------------------------------------------------


def _change_rows(user, after_seq: int, limit: int) -> list[ChangeLog]:
    query = select(ChangeLog).where(ChangeLog.seq > after_seq)
    scope = unit_scope(user)
    if scope is not None:
        in_scope = or_(ChangeLog.org_unit_id.in_(scope), ChangeLog.prev_org_unit_id.in_(scope))
        if user.role == "inspector":
            visits = (ChangeLog.entity == "visit") & (ChangeLog.owner_id == user.id)
            in_scope = (ChangeLog.entity == "market") & in_scope
            query = query.where(or_(ChangeLog.entity == "org_unit", in_scope, visits))
        else:
            query = query.where(or_(ChangeLog.entity == "org_unit", in_scope))
    return db.session.scalars(query.order_by(ChangeLog.seq).limit(limit)).all()


def _current(user, entity: str, ids: list[str]) -> dict[str, dict]:
    """The current data of each id that the user may still see."""
    if entity == "org_unit":
        rows = db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_([int(i) for i in ids])))
        return {str(r.id): _change(entity, r.id, r.rev, r.to_dict()) for r in rows}
    if entity == "market":
        rows = db.session.scalars(
            select(Market).where(Market.id.in_([int(i) for i in ids]), market_clause(user))
        )
        return {str(r.id): _change(entity, r.id, r.rev, r.to_dict()) for r in rows}
    rows = _visit_rows(visit_clause(user), ids=ids)
    return {r["id"]: _change(entity, r["id"], r["rev"], r) for r in visit_records(rows)}


def _incremental_page(user, after_seq: int, limit: int) -> dict:
    if after_seq < _purged_through():
        raise ApiError(410, "cursor_expired", "This cursor is too old; pull again from scratch.")
    rows = _change_rows(user, after_seq, limit + 1)
    has_more = len(rows) > limit
    rows = rows[:limit]
    last_seen: dict[tuple, tuple[int, ChangeLog]] = {}  # one change per record: its latest
    for position, row in enumerate(rows):
        last_seen[(row.entity, row.entity_id)] = (position, row)
    by_entity: dict[str, list[str]] = {}
    for entity, entity_id in last_seen:
        by_entity.setdefault(entity, []).append(entity_id)
    current = {e: _current(user, e, ids) for e, ids in by_entity.items()}
    changes = []
    for (entity, entity_id), (_, row) in sorted(last_seen.items(), key=lambda i: i[1][0]):
        change = current[entity].get(entity_id)
        if change is None:  # gone, or no longer visible to this user
            change = _change(entity, _typed_id(entity, entity_id), row.rev, None, op="delete")
        changes.append(change)
    next_seq = rows[-1].seq if rows else after_seq
    return {
        "changes": changes,
        "cursor": encode_cursor(user, p="inc", q=next_seq),
        "has_more": has_more,
    }


def _typed_id(entity: str, entity_id: str):
    return entity_id if entity == "visit" else int(entity_id)


def _valid_full_state(state: dict) -> bool:
    index, after = state.get("e"), state.get("a")
    if type(index) is not int or not 0 <= index < len(FULL_ENTITIES):
        return False
    id_type = int if FULL_ENTITIES[index] in ("org_unit", "market") else str
    return type(state.get("hw")) is int and (after is None or type(after) is id_type)


def _people(page: dict) -> dict:
    """The page with the names of the people its visits mention (inspectors, the latest
    reviewers), so a phone shows names also offline: one small query per page of visits."""
    ids = set()
    for change in page["changes"]:
        data = change["data"]
        if change["entity"] == "visit" and data is not None:
            ids.add(data["inspector_id"])
            if data["review"] is not None:
                ids.add(data["review"]["reviewer_id"])
    people = []
    if ids:
        people = [dict(row._mapping) for row in db.session.execute(
            select(User.id, User.username, User.display_name)
            .where(User.id.in_(ids)).order_by(User.id))]
    return {**page, "people": people}


def pull(user, cursor: str | None, limit: int) -> dict:
    return _people(_pull_page(user, cursor, limit))


def _pull_page(user, cursor: str | None, limit: int) -> dict:
    if cursor is None:
        high_water = db.session.scalar(select(func.max(ChangeLog.seq))) or 0
        return _full_page(user, {"e": 0, "hw": high_water}, limit)
    state = decode_cursor(user, cursor)
    if state.get("p") == "full" and _valid_full_state(state):
        return _full_page(user, state, limit)
    if state.get("p") == "inc" and type(state.get("q")) is int:
        return _incremental_page(user, state["q"], limit)
    raise ApiError(
        400,
        "invalid_cursor",
        "This cursor is not one the server gave out.",
        {"cursor": ["Not a valid cursor."]},
    )
