"""The read side of review (DESIGN §6): the queue, a visit with its decision history, and the
append-only audit as CSV. Every query is limited to what the caller may see (auth/scope.py)."""

import csv
import io

from marshmallow import EXCLUDE, Schema, fields, validate
from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased

from server.auth.scope import visit_clause, visit_visible
from server.core.errors import ApiError
from server.core.extensions import db
from server.core.periods import to_local
from server.core.queryparams import MAX_INT, Moment, time_window
from server.forms import review_rules
from server.forms.enums import word
from server.models import Market, ReviewDecision, User, Visit
from server.sync.records import visit_record, visit_records
from server.visits.versions import history

FAR_M = 500  # a visit recorded further than this from the market is worth a second look
MAX_PAGE = 500  # one page can be bulk-approved in one push (≤ 500 mutations)
# Words, as the city's downloads: a ward officer opens it in a spreadsheet, in Vietnamese.
CSV_COLUMNS = [
    "Thời điểm quyết định (giờ Hà Nội)", "Mã lượt kiểm tra", "Mã chợ", "Tên chợ",
    "Cán bộ kiểm tra (tài khoản)", "Người quyết định (tài khoản)", "Quyết định", "Nhận xét",
]


class ReviewQueueQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    status = fields.String(validate=validate.OneOf(review_rules().statuses))
    market_id = fields.Integer(validate=validate.Range(1, MAX_INT))
    inspector_id = fields.Integer(validate=validate.Range(1, MAX_INT))
    from_ = Moment(data_key="from")
    to = Moment()
    non_compliant = fields.Boolean(metadata={"description": "1: only non-compliant; 0: only "
                                             "compliant"})
    far = fields.Boolean(metadata={"description": f"1: only visits > {FAR_M} m from the "
                                   "market; 0: only the others"})
    limit = fields.Integer(load_default=50, validate=validate.Range(1, MAX_PAGE))
    offset = fields.Integer(load_default=0, validate=validate.Range(0, MAX_INT))


class ReviewDecisionsQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    from_ = Moment(data_key="from")
    to = Moment()


def _queue_filters(user, args: dict) -> list:
    conditions = [visit_clause(user), *time_window(Visit.observed_at, args)]
    if "status" in args:
        conditions.append(Visit.status == args["status"])
    if "market_id" in args:
        conditions.append(Visit.market_id == args["market_id"])
    if "inspector_id" in args:
        conditions.append(Visit.inspector_id == args["inspector_id"])
    if "non_compliant" in args:
        conditions.append(Visit.compliant.is_(not args["non_compliant"]))
    if args.get("far") is True:
        conditions.append(Visit.distance_m > FAR_M)
    elif args.get("far") is False:
        conditions.append(or_(Visit.distance_m.is_(None), Visit.distance_m <= FAR_M))
    return conditions


def queue(user, args: dict) -> dict:
    """Visits matching the filters, newest observation first, with the total for paging and
    the markets and inspectors they mention (so a list needs no further requests)."""
    conditions = _queue_filters(user, args)
    total = db.session.scalar(select(func.count()).select_from(Visit).where(*conditions))
    rows = db.session.scalars(
        select(Visit)
        .where(*conditions)
        .order_by(Visit.observed_at.desc(), Visit.received_at.desc(), Visit.id)
        .limit(args["limit"])
        .offset(args["offset"])
    ).all()
    markets = _rows(select(Market.id, Market.code, Market.name, Market.org_unit_id)
                    .where(Market.id.in_({v.market_id for v in rows})).order_by(Market.id))
    inspectors = _rows(select(User.id, User.username, User.display_name)
                       .where(User.id.in_({v.inspector_id for v in rows})).order_by(User.id))
    return {
        "visits": visit_records(rows),
        "total": total,
        "limit": args["limit"],
        "offset": args["offset"],
        "markets": markets,
        "inspectors": inspectors,
    }


def _rows(query) -> list[dict]:
    return [dict(row._mapping) for row in db.session.execute(query)]


def visible_visit(user, visit_id: str) -> tuple[Visit, Market]:
    """The visit and its market, or 404 when it does not exist or the user may not see it
    (the two look the same, so ids outside one's area reveal nothing)."""
    visit = db.session.get(Visit, visit_id.lower()) if len(visit_id) <= 36 else None
    market = db.session.get(Market, visit.market_id) if visit else None
    if visit is None or not visit_visible(user, visit, market.org_unit_id):
        raise ApiError(404, "not_found", "There is no such visit in your area.")
    return visit, market


def visit_detail(user, visit_id: str) -> dict:
    visit, market = visible_visit(user, visit_id)
    inspector = db.session.get(User, visit.inspector_id)
    return {
        **visit_record(visit),
        "inspector": {"id": inspector.id, "username": inspector.username,
                      "display_name": inspector.display_name},
        "market": {"id": market.id, "code": market.code, "name": market.name,
                   "org_unit_id": market.org_unit_id},
        "history": history(visit.id),
    }


def _cell(value) -> str:
    """Text as a spreadsheet shows it, never as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def decisions_csv(user, args: dict) -> str:
    """The audit as CSV (UTF-8 with BOM so Excel shows Vietnamese), oldest decision first."""
    if user.role == "inspector":  # routes refuse them already; the rule lives here too
        raise ApiError(403, "forbidden", "Your role may not do this.")
    inspector, reviewer = aliased(User), aliased(User)
    query = (
        select(
            ReviewDecision.decided_at, ReviewDecision.visit_id, Market.code, Market.name,
            inspector.username, reviewer.username, ReviewDecision.decision,
            ReviewDecision.comment,
        )
        .join(Visit, Visit.id == ReviewDecision.visit_id)
        .join(Market, Market.id == Visit.market_id)
        .join(inspector, inspector.id == Visit.inspector_id)
        .join(reviewer, reviewer.id == ReviewDecision.reviewer_id)
        .where(visit_clause(user), *time_window(ReviewDecision.decided_at, args))
        .order_by(ReviewDecision.decided_at, ReviewDecision.id)
    )
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in db.session.execute(query.execution_options(yield_per=1000)):
        decided_at, visit_id, *text, decision, comment = row
        writer.writerow([to_local(decided_at).strftime("%Y-%m-%d %H:%M:%S"), visit_id,
                         *(_cell(v) for v in text),
                         word("review_decision", decision), _cell(comment)])
    return out.getvalue()
