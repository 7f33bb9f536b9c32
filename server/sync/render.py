"""Pull's changes rendered straight to JSON text, one string per change (DESIGN §5.2).

A full pull is mostly visits; building a dict per visit and encoding it cost ~110 µs of Python
per change. On PostgreSQL the database builds each visit's change as JSON itself
(json_build_object, the photos and the latest review as lateral subqueries, timestamps by
to_char in the format of server.core.timeutil.iso_z), and pull only joins the strings.
SQLite cannot (its JSON writes floats with 15 digits, not the shortest exact form), so there the
record of server/sync/records.py is encoded with orjson. Org units, markets and forms are few:
plain rows through their models' to_dict, encoded with orjson. No ORM objects on the path.

Each change is a `Rendered`: what pull needs to page and to list the people (ids of the
inspector and latest reviewer), and the change's JSON as UTF-8 bytes, which pull joins as they
are: on PostgreSQL the texts are read as the bytes the server sends (AS_BYTES), never decoded to
str and encoded back.
"""

import functools
import json
from typing import NamedTuple

import orjson
from psycopg.adapt import Loader
from sqlalchemy import Text, case, cast, event, func, literal_column, select, true
from sqlalchemy.engine import Engine

from server.core.extensions import db
from server.forms import SUPPORTED_VERSIONS, load_form
from server.models import (
    Attachment,
    Market,
    OrgUnit,
    ReviewDecision,
    User,
    Visit,
    VisitAttachment,
)
from server.sync.records import one_of, visit_records


class Rendered(NamedTuple):
    entity: str
    id: int | str
    json: bytes  # the change, UTF-8: {"entity", "op", "id", "rev", "data"}
    people: tuple[int, ...] = ()  # users its data names (a visit's inspector and reviewer)


def dumps(value) -> bytes:
    try:
        return orjson.dumps(value)
    except TypeError:  # e.g. an integer beyond 64 bits in a visit's answers: orjson refuses it
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def change_json(entity: str, entity_id, rev: int, data, op: str = "upsert") -> bytes:
    return dumps({"entity": entity, "op": op, "id": entity_id, "rev": rev, "data": data})


def deleted(entity: str, entity_id, rev: int) -> Rendered:
    return Rendered(entity, entity_id, change_json(entity, entity_id, rev, None, "delete"))


# --- forms, org units, markets -----------------------------------------------------------


def forms() -> list[Rendered]:
    return [
        Rendered("form", f"market_visit@{v}", change_json("form", f"market_visit@{v}", 1,
                                                          load_form(v)))
        for v in SUPPORTED_VERSIONS
    ]


_MODELS = {"org_unit": OrgUnit, "market": Market}


def rows_of(entity: str, clause, after=None, limit=None, ids=None) -> list[Rendered]:
    """Org units or markets in id order as plain rows; to_dict reads their attributes, which
    a row has too (the shape stays defined once, in the model)."""
    model = _MODELS[entity]
    query = select(model.__table__).where(clause).order_by(model.id)
    if ids is not None:
        query = query.where(model.id.in_(ids))
    if after is not None:
        query = query.where(model.id > after)
    if limit is not None:
        query = query.limit(limit)
    return [Rendered(entity, r.id, change_json(entity, r.id, r.rev, model.to_dict(r)))
            for r in db.session.execute(query)]


# --- visits ------------------------------------------------------------------------------

# Execution option: load the statement's `text` columns as bytes (PostgreSQL). A page's texts
# are ~0.76 MB; psycopg would decode them to str and pull encode them back (~0.7 ms a page).
AS_BYTES = "chx_text_as_bytes"


class _BytesLoader(Loader):
    def load(self, data) -> bytes:
        return bytes(data)


@event.listens_for(Engine, "before_cursor_execute")
def _text_as_bytes(conn, cursor, statement, parameters, context, executemany):
    if context is not None and context.execution_options.get(AS_BYTES) and hasattr(
            cursor, "adapters"):  # psycopg's cursor; SQLite answers str, encoded by the caller
        cursor.adapters.register_loader("text", _BytesLoader)


def _utf8(text) -> bytes | None:
    return text.encode() if type(text) is str else text


def stored_rendering(record: dict) -> str | None:
    """What a writer stores in visit.rendered for the visit whose record it holds (the same
    text pull would answer), or None while a photo is missing: a photo PUT could make it
    stored concurrently, unseen by the writer's transaction; such a visit stays rendered
    when pulled. A stored rendering thus has every photo stored, which a PUT cannot change
    (the orphan job deletes only photos no visit references)."""
    if record["missing_attachments"]:
        return None
    return change_json("visit", record["id"], record["rev"], record).decode()


def _latest_reviewer():
    rd = ReviewDecision.__table__
    return (select(rd.c.reviewer_id).where(rd.c.visit_id == Visit.__table__.c.id)
            .order_by(rd.c.id.desc()).limit(1).scalar_subquery())


def visits(clause, after=None, limit=None, ids=None) -> list[Rendered]:
    """The visits matching `clause` (visit_clause of a user), in id order: after an id and
    at most `limit`, or those of `ids`. Their stored renderings as they are; the visits
    without one (written before it existed, or by a path that does not render) rendered now."""
    v = Visit.__table__
    text = v.c.rendered
    if db.session.get_bind().dialect.name == "postgresql":
        text = func.coalesce(text, _built_if_not_stored())  # in the same statement
    query = select(v.c.id, v.c.inspector_id, text, _latest_reviewer()).where(clause)
    if ids is not None:
        query = query.where(one_of(Visit.id, ids))
    if after is not None:
        query = query.where(Visit.id > after)
    if limit is not None:
        query = query.order_by(Visit.id).limit(limit)
    rows = db.session.execute(query, execution_options={AS_BYTES: True}).all()
    unrendered = [visit_id for visit_id, _, text, _ in rows if text is None]
    # By id alone: each was in the user's set when listed; if one changed since, its change
    # is in the change log after this pull's mark, and the page keeps its length.
    now = {r.id: r for r in _render_now(unrendered)} if unrendered else {}
    return [
        now[visit_id] if text is None else Rendered(
            "visit", visit_id, _utf8(text),
            (inspector,) if reviewer is None else (inspector, reviewer))
        for visit_id, inspector, text, reviewer in rows
    ]


def _render_now(ids: list[str]) -> list[Rendered]:
    """SQLite's renderings of visits without a stored one (PostgreSQL builds them in the
    listing: _built_if_not_stored)."""
    query = select(Visit.__table__).where(one_of(Visit.id, ids))
    rendered = []
    for record in visit_records(db.session.execute(query).all()):
        review = record["review"]
        people = (record["inspector_id"],) + ((review["reviewer_id"],) if review else ())
        rendered.append(Rendered("visit", record["id"],
                                 change_json("visit", record["id"], record["rev"], record),
                                 people))
    return rendered


def _key(name: str):
    return literal_column(f"'{name}'")  # a constant of this module, never user input


# iso_z's format: milliseconds (truncated, as Python's isoformat truncates) and a Z.
_ISO_Z = literal_column("""'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'""")


def _object(*pairs):
    return func.json_build_object(*[part for name, value in pairs for part in (_key(name), value)])


def _text(value):
    """A number, boolean or JSON value as JSON text (float8's text is its shortest exact
    form, as in JSON), null when NULL."""
    return func.coalesce(cast(value, Text), literal_column("'null'"))


def _string(value):
    return _text(func.to_json(value))  # quoted and escaped


def _joined(*pairs):
    """A JSON object as text, written by concatenation: compact (json_build_object writes
    ' : ' and ', ') and ~15% faster than json_build_object, measured on a page of 1000."""
    parts = []
    for n, (name, value) in enumerate(pairs):
        parts += [literal_column(f"""'{"{" if n == 0 else ","}"{name}":'"""), value]
    parts.append(literal_column("'}'"))
    return functools.reduce(lambda a, b: a.op("||")(b), parts)


@functools.cache
def _built_if_not_stored():
    """The listed visit's change built by PostgreSQL, as a scalar subquery over a copy of the
    table, for visit.rendered's NULLs: COALESCE evaluates nothing after its first non-null
    argument, so it runs only for them, without a second statement (a round trip) a page."""
    built = _visit_statement(on_copy=True)
    visit_id, change = built.selected_columns[0], built.selected_columns[3]
    return (built.with_only_columns(change).where(visit_id == Visit.__table__.c.id)
            .scalar_subquery())


@functools.cache  # built once; SQLAlchemy then reuses its compiled form
def _visit_statement(on_copy: bool = False):
    v = Visit.__table__.alias("built") if on_copy else Visit.__table__
    va, att, rd = VisitAttachment.__table__, Attachment.__table__, ReviewDecision.__table__
    # The visit's photos in order, aggregated in the order the ordered subquery returns them
    # (read along the primary key (visit_id, position)); an aggregate's own ORDER BY sorted
    # each visit's photos again, ~1/8 of the query's time. test_pull_answers checks the order.
    ordered = (
        select(va.c.sha256, att.c.sha256.label("stored"))
        .select_from(va.outerjoin(att, att.c.sha256 == va.c.sha256))
        .where(va.c.visit_id == v.c.id)
        .order_by(va.c.position)
        .correlate(v)  # the visit row of the outer query, two levels up
        .lateral("ordered")
    )
    photos = (
        select(func.json_agg(ordered.c.sha256).label("all"),
               func.json_agg(ordered.c.sha256).filter(ordered.c.stored.is_(None))
               .label("missing"))
        .lateral("photos")
    )
    review = (  # the latest decision: the highest id
        select(rd.c.reviewer_id, _object(
            ("decision", rd.c.decision), ("comment", rd.c.comment),
            ("reviewer_id", rd.c.reviewer_id),
            ("decided_at", func.to_char(rd.c.decided_at, _ISO_Z))).label("data"))
        .where(rd.c.visit_id == v.c.id)
        .order_by(rd.c.id.desc())
        .limit(1)
        .lateral("review")
    )
    empty = literal_column("'[]'")
    location = case((v.c.location_lat.is_(None), literal_column("'null'")), else_=_joined(
        ("lat", _text(v.c.location_lat)), ("lon", _text(v.c.location_lon)),
        ("accuracy_m", _text(v.c.location_accuracy_m))))
    record = _joined(
        ("id", _string(v.c.id)), ("rev", _text(v.c.rev)), ("market_id", _text(v.c.market_id)),
        ("inspector_id", _text(v.c.inspector_id)), ("device_id", _string(v.c.device_id)),
        ("form_version", _string(v.c.form_version)),
        ("observed_at", _string(func.to_char(v.c.observed_at, _ISO_Z))),
        ("received_at", _string(func.to_char(v.c.received_at, _ISO_Z))),
        ("answers", _text(v.c.answers)), ("location", location),
        ("attachments", func.coalesce(cast(photos.c.all, Text), empty)),
        ("missing_attachments", func.coalesce(cast(photos.c.missing, Text), empty)),
        ("status", _string(v.c.status)), ("compliant", _text(v.c.compliant)),
        ("distance_m", _text(v.c.distance_m)), ("review", _text(review.c.data)),
    )
    change = _joined(("entity", literal_column("""'"visit"'""")),
                     ("op", literal_column("""'"upsert"'""")),
                     ("id", _string(v.c.id)), ("rev", _text(v.c.rev)), ("data", record))
    return (select(v.c.id, v.c.inspector_id, review.c.reviewer_id, change)
            .select_from(v.outerjoin(photos, true()).outerjoin(review, true())))


# --- the people a page names -------------------------------------------------------------


def people(ids) -> bytes:
    if not ids:
        return b"[]"
    rows = db.session.execute(select(User.id, User.username, User.display_name)
                              .where(User.id.in_(ids)).order_by(User.id))
    return dumps([{"id": i, "username": u, "display_name": d} for i, u, d in rows])
