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
from typing import NamedTuple

from sqlalchemy import func, or_, select, true

from server.auth.scope import market_clause, unit_scope, visit_clause
from server.core.errors import ApiError
from server.core.extensions import db
from server.models import ChangeLog, SyncMeta
from server.sync import render
from server.sync.changes import org_tree_version
from server.sync.render import Rendered

CURSOR_VERSION = 1
PURGED_THROUGH = "change_log_purged_through"
FULL_ENTITIES = ("form", "org_unit", "market", "visit")


class Page(NamedTuple):
    changes: list[Rendered]
    cursor: str
    has_more: bool


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


def _page_of(entity: str, user, after, limit: int) -> list[Rendered]:
    if entity == "form":
        forms = render.forms()
        start = (
            0
            if after is None
            else next((i + 1 for i, f in enumerate(forms) if f.id == after), len(forms))
        )
        return forms[start : start + limit]
    if entity == "visit":
        return render.visits(visit_clause(user), after, limit)
    clause = true() if entity == "org_unit" else market_clause(user)
    return render.rows_of(entity, clause, after, limit)


def _full_page(user, state: dict, limit: int) -> Page:
    changes, index, after = [], state["e"], state.get("a")
    while len(changes) < limit and index < len(FULL_ENTITIES):
        requested = limit - len(changes)
        page = _page_of(FULL_ENTITIES[index], user, after, requested)
        changes += page
        if len(page) < requested:  # this entity is exhausted: on to the next
            index, after = index + 1, None
        else:
            after = page[-1].id
    if index < len(FULL_ENTITIES):
        return Page(changes, encode_cursor(user, p="full", hw=state["hw"], e=index, a=after), True)
    more = bool(_change_rows(user, state["hw"], 1))
    return Page(changes, encode_cursor(user, p="inc", q=state["hw"]), more)


# --- the incremental phase ---------------------------------------------------------------

_LOG = select(ChangeLog.seq, ChangeLog.entity, ChangeLog.entity_id, ChangeLog.rev)


def _change_rows(user, after_seq: int, limit: int) -> list:
    query = _LOG.where(ChangeLog.seq > after_seq)
    scope = unit_scope(user)
    if scope is not None:
        in_scope = or_(ChangeLog.org_unit_id.in_(scope), ChangeLog.prev_org_unit_id.in_(scope))
        if user.role == "inspector":
            visits = (ChangeLog.entity == "visit") & (ChangeLog.owner_id == user.id)
            in_scope = (ChangeLog.entity == "market") & in_scope
            query = query.where(or_(ChangeLog.entity == "org_unit", in_scope, visits))
        else:
            query = query.where(or_(ChangeLog.entity == "org_unit", in_scope))
    return db.session.execute(query.order_by(ChangeLog.seq).limit(limit)).all()


def _current(user, entity: str, ids: list[str]) -> dict[str, Rendered]:
    """The current change of each id that the user may still see."""
    if entity == "visit":
        rendered = render.visits(visit_clause(user), ids=ids)
    else:
        clause = true() if entity == "org_unit" else market_clause(user)
        rendered = render.rows_of(entity, clause, ids=[int(i) for i in ids])
    return {str(r.id): r for r in rendered}


def _incremental_page(user, after_seq: int, limit: int) -> Page:
    if after_seq < _purged_through():
        raise ApiError(410, "cursor_expired", "This cursor is too old; pull again from scratch.")
    rows = _change_rows(user, after_seq, limit + 1)
    has_more = len(rows) > limit
    rows = rows[:limit]
    last_seen: dict[tuple, tuple[int, object]] = {}  # one change per record: its latest
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
            change = render.deleted(entity, _typed_id(entity, entity_id), row.rev)
        changes.append(change)
    next_seq = rows[-1].seq if rows else after_seq
    return Page(changes, encode_cursor(user, p="inc", q=next_seq), has_more)


def _typed_id(entity: str, entity_id: str):
    return entity_id if entity == "visit" else int(entity_id)


def _valid_full_state(state: dict) -> bool:
    index, after = state.get("e"), state.get("a")
    if type(index) is not int or not 0 <= index < len(FULL_ENTITIES):
        return False
    id_type = int if FULL_ENTITIES[index] in ("org_unit", "market") else str
    return type(state.get("hw")) is int and (after is None or type(after) is id_type)


def pull(user, cursor: str | None, limit: int) -> bytes:
    """The page as the JSON the route answers: {changes, cursor, has_more, people}, where
    people are the names of the inspectors and latest reviewers its visits mention (so a
    phone shows names also offline: one small query per page). Each change is already JSON
    UTF-8 (render.py); this only joins them."""
    page = _pull_page(user, cursor, limit)
    named = {person for change in page.changes for person in change.people}
    return b"".join((
        b'{"changes":[', b",".join(change.json for change in page.changes),
        b'],"cursor":', render.dumps(page.cursor),
        b',"has_more":', b"true" if page.has_more else b"false",
        b',"people":', render.people(named), b"}",
    ))


def _pull_page(user, cursor: str | None, limit: int) -> Page:
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
