"""Who may see what (DESIGN §5.2): checked on every read and write, in pull as in push.

inspector     - org units, the markets of their subtree, their own visits
ward_officer  - org units, their subtree's markets and all its visits
city_officer, admin - everything
"""

from flask import g
from sqlalchemy import select, true

from server.core.extensions import db
from server.core.trees import children_of, subtree
from server.models import Market, OrgUnit, User, Visit

CITY_WIDE = ("city_officer", "admin")


def subtree_ids(org_unit_id: int) -> frozenset[int]:
    """The unit and all its descendants (org units are few: one query, walked in Python)."""
    children = children_of(db.session.execute(select(OrgUnit.id, OrgUnit.parent_id)))
    return frozenset(subtree(children, org_unit_id))


def forget_cached_scopes() -> None:
    """Run before each request: the cache lives for one request (where an app context is
    shared by several requests, as in tests, g would otherwise outlive a tree change)."""
    g.pop("unit_scope_cache", None)


def unit_scope(user: User) -> frozenset[int] | None:
    """The org units whose markets the user may see; None means all. Cached per request."""
    if user.role in CITY_WIDE:
        return None
    cache = g.setdefault("unit_scope_cache", {})
    key = (user.id, user.org_unit_id)
    if key not in cache:
        cache[key] = subtree_ids(user.org_unit_id) if user.org_unit_id else frozenset()
    return cache[key]


def market_visible(user: User, market: Market) -> bool:
    scope = unit_scope(user)
    return scope is None or market.org_unit_id in scope


def market_clause(user: User):
    scope = unit_scope(user)
    return true() if scope is None else Market.org_unit_id.in_(scope)


def visit_clause(user: User):
    """A WHERE clause over Visit selecting the visits the user may see."""
    if user.role == "inspector":
        return Visit.inspector_id == user.id
    scope = unit_scope(user)
    if scope is None:
        return true()
    return Visit.market_id.in_(select(Market.id).where(Market.org_unit_id.in_(scope)))


def visit_visible(user: User, visit: Visit, market_org_unit_id: int) -> bool:
    if user.role == "inspector":
        return visit.inspector_id == user.id
    scope = unit_scope(user)
    return scope is None or market_org_unit_id in scope
