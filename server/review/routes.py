"""Review reads (DESIGN §6): the queue, one visit with its history, the audit CSV.

Decisions themselves are push mutations (`review.decide`, server/visits/decide.py), so a ward
officer's phone can decide offline and bulk-approve up to 500 visits in one push."""

from flask import Blueprint, Response, g

from server.auth.tokens import require_auth
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

bp = Blueprint("review", __name__, url_prefix=API_PREFIX)


@bp.get("/review/queue")
@require_auth(*review_rules().reviewer_roles)
def review_queue():
    """Visits in your area to review, newest observation first, with filters and paging.
    ---
    get:
      tags: [review]
      security: [{bearer: []}]
      parameters: [{in: query, schema: ReviewQueueQuery}]
      responses:
        200:
          description: one page of visits (server records), the total, and the markets and
            inspectors they mention
          content:
            application/json:
              schema:
                type: object
                properties:
                  visits: {type: array, items: VisitRecord}
                  total: {type: integer}
                  limit: {type: integer}
                  offset: {type: integer}
                  markets: {type: array, items: {type: object}}
                  inspectors: {type: array, items: {type: object}}
        400: {$ref: "#/components/responses/Error"}
        401: {$ref: "#/components/responses/Error"}
        403: {$ref: "#/components/responses/Error"}
    """
    return queue(g.user, load_query(ReviewQueueQuery()))


@bp.get("/visits/<visit_id>")
@require_auth()
def get_visit(visit_id: str):
    """One visit (inspectors: only their own) with its market and every review decision.
    ---
    get:
      tags: [review]
      security: [{bearer: []}]
      parameters: [{name: visit_id, in: path, required: true, schema: {type: string}}]
      responses:
        200:
          description: the server record plus `market` {id, code, name, org_unit_id} and
            `history` [{decision, comment, reviewer_id, reviewer_username, reviewer_name,
            decided_at, visit_rev}], oldest first
          content: {application/json: {schema: VisitRecord}}
        401: {$ref: "#/components/responses/Error"}
        404: {$ref: "#/components/responses/Error"}
    """
    return visit_detail(g.user, visit_id)


@bp.get("/review/decisions.csv")
@require_auth(*review_rules().reviewer_roles)
def decisions_export():
    """Every review decision in your area (city officers and admins: all), as CSV.
    ---
    get:
      tags: [review]
      security: [{bearer: []}]
      parameters: [{in: query, schema: ReviewDecisionsQuery}]
      responses:
        200:
          description: UTF-8 CSV with BOM; decided_at (UTC), visit_id, market_code,
            market_name, inspector_username, reviewer_username, decision, comment
          content: {text/csv: {schema: {type: string}}}
        400: {$ref: "#/components/responses/Error"}
        401: {$ref: "#/components/responses/Error"}
        403: {$ref: "#/components/responses/Error"}
    """
    body = decisions_csv(g.user, load_query(ReviewDecisionsQuery()))
    return Response(
        body.encode("utf-8"),
        mimetype="text/csv",
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": 'attachment; filename="review-decisions.csv"',
        },
    )
