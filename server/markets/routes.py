"""Market reads beyond pull: the markets due for inspection (DESIGN §8, computed by a job)."""

from flask import Blueprint, g

from server.auth.tokens import require_auth
from server.core.http import API_PREFIX
from server.markets.overdue import overdue_for

bp = Blueprint("markets", __name__, url_prefix=API_PREFIX)


@bp.get("/markets/overdue")
@require_auth()
def overdue_markets():
    """Markets not visited for N days ("Cần kiểm tra"), as of the scheduler's last run; scoped
    like pull (inspector and ward officer: their subtree; city officer and admin: all).
    ---
    get:
      tags: [markets]
      security: [{bearer: []}]
      responses:
        200:
          description: the open markets with no visit (rejected ones aside) in the last `days`
            days, longest unvisited first; computed_at null until the job first ran
          content:
            application/json:
              schema:
                type: object
                required: [computed_at, days, markets]
                properties:
                  computed_at: {type: string, format: date-time, nullable: true}
                  days: {type: integer}
                  markets:
                    type: array
                    items:
                      type: object
                      properties:
                        id: {type: integer}
                        code: {type: string}
                        name: {type: string}
                        org_unit_id: {type: integer}
                        last_visit_at: {type: string, format: date-time, nullable: true}
        401: {$ref: "#/components/responses/Error"}
    """
    return overdue_for(g.user)
