"""Market reads beyond pull: the markets due for inspection (DESIGN §8, computed by a job)."""

from flask import Blueprint, g

from server.auth.tokens import require_auth
from server.core.apidoc import doc
from server.core.http import API_PREFIX
from server.markets.overdue import overdue_for
from server.markets.schemas import OverdueMarketsOut

bp = Blueprint("markets", __name__, url_prefix=API_PREFIX)


@bp.get("/markets/overdue")
@require_auth()
@doc(tags=["markets"], responses={200: OverdueMarketsOut}, errors=(401,))
def overdue_markets():
    """Markets not visited for N days ("Cần kiểm tra"), as of the scheduler's last run; scoped
    like pull (inspector and ward officer: their subtree; city officer and admin: all)."""
    return overdue_for(g.user)
