"""Review reads (DESIGN §6): the queue, one visit with its history, the audit CSV.

Decisions themselves are push mutations (`review.decide`, server/visits/decide.py), so a ward
officer's phone can decide offline and bulk-approve up to 500 visits in one push."""

from flask import Blueprint, Response, g

from server.auth.tokens import require_auth
from server.core.apidoc import Body, doc
from server.core.http import API_PREFIX
from server.core.queryparams import load_query
from server.forms import review_rules
from server.visits.queries import (
    ReviewDecisionsQuery,
    ReviewQueueQuery,
    decisions_csv,
    queue,
    visit_detail,
)
from server.visits.schemas import ReviewQueueOut, VisitDetailOut

bp = Blueprint("review", __name__, url_prefix=API_PREFIX)


@bp.get("/review/queue")
@require_auth(*review_rules().reviewer_roles)
@doc(tags=["review"], query=ReviewQueueQuery, responses={200: ReviewQueueOut},
     errors=(400, 401, 403))
def review_queue():
    """Visits in your area to review, newest observation first, with filters and paging."""
    return queue(g.user, load_query(ReviewQueueQuery()))


@bp.get("/visits/<visit_id>")
@require_auth()
@doc(tags=["review"], responses={200: VisitDetailOut}, errors=(401, 404))
def get_visit(visit_id: str):
    """One visit (inspectors: only their own) with its market and every review decision."""
    return visit_detail(g.user, visit_id)


@bp.get("/review/decisions.csv")
@require_auth(*review_rules().reviewer_roles)
@doc(tags=["review"], query=ReviewDecisionsQuery, errors=(400, 401, 403),
     responses={200: Body(
         "UTF-8 CSV with BOM, oldest decision first, headed in Vietnamese: the decision's "
         "time (Hanoi, YYYY-MM-DD HH:MM:SS), visit id, market code, market name, the "
         "inspector's and the reviewer's usernames, the decision in words (Duyệt, Trả lại, "
         "Từ chối, Mở lại), the comment",
         {"text/csv": {"schema": {"type": "string"}}})})
def decisions_export():
    """Every review decision in your area (city officers and admins: all), as CSV."""
    body = decisions_csv(g.user, load_query(ReviewDecisionsQuery()))
    return Response(
        body.encode("utf-8"),
        mimetype="text/csv",
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": 'attachment; filename="review-decisions.csv"',
        },
    )
