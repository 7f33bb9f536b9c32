"""Markets by hand: list and change one, with the importer's rules and its change logging."""

from sqlalchemy import func, select

from server.admin.search import matches
from server.audit.record import record
from server.auth.scope import subtree_ids
from server.core.errors import ApiError
from server.core.extensions import begin_write, db
from server.core.queryparams import get_or_404
from server.markets.assignments import MoveError, assign
from server.markets.importer import moved_visit_changes
from server.models import Market, OrgUnit
from server.sync.changes import market_change, record_changes

FIELDS = ("name", "address", "lat", "lon", "market_class", "org_unit_id", "opened_on",
          "closed_on")


def market_out(market: Market) -> dict:
    return {**market.to_dict(), "rev": market.rev}


def list_markets(args: dict) -> dict:
    conditions = []
    if args.get("q"):  # matched in Python: with or without diacritics
        rows = db.session.execute(select(Market.id, Market.code, Market.name))
        conditions.append(Market.id.in_(
            [row.id for row in rows if matches(args["q"], row.code, row.name)]
        ))
    if "org_unit_id" in args:
        conditions.append(Market.org_unit_id.in_(subtree_ids(args["org_unit_id"])))
    if "market_class" in args:
        conditions.append(Market.market_class == args["market_class"])
    if "open" in args:  # closed: has a closing date (DESIGN §7 counts it up to that day)
        conditions.append(Market.closed_on.is_(None) if args["open"]
                          else Market.closed_on.is_not(None))
    total = db.session.scalar(select(func.count()).select_from(Market).where(*conditions))
    rows = db.session.scalars(
        select(Market).where(*conditions).order_by(Market.code)
        .limit(args["limit"]).offset(args["offset"])
    )
    return {"markets": [market_out(m) for m in rows], "total": total}


def get_market(market_id: int) -> dict:
    return market_out(get_or_404(Market, market_id, "market"))


def _invalid(field: str, message: str) -> ApiError:
    return ApiError(422, "validation_failed", "Some fields are not valid.", {field: [message]})


def _merged(market: Market, body: dict) -> dict:
    """The market's fields after the change, checked as a whole (as the importer checks a row)."""
    merged = {name: body.get(name, getattr(market, name)) for name in FIELDS}
    if "name" in body:
        merged["name"] = body["name"].strip()
    if "address" in body:
        merged["address"] = (body["address"] or "").strip() or None
    if (merged["lat"] is None) != (merged["lon"] is None):
        raise _invalid("lon" if "lat" in body else "lat", "Give both lat and lon, or neither.")
    opened, closed = merged["opened_on"], merged["closed_on"]
    if opened and closed and closed < opened:
        raise _invalid("closed_on", "closed_on is before opened_on.")
    if "org_unit_id" in body and db.session.get(OrgUnit, body["org_unit_id"]) is None:
        raise _invalid("org_unit_id", "Unknown org unit.")
    return merged


def _audit(market: Market, before: dict, after: dict, body: dict) -> None:
    details = {"before": before, "after": after}
    if body.get("org_unit_from"):
        details["org_unit_from"] = body["org_unit_from"]
    record("market.update", ("market", market.id, f"{market.code} – {market.name}"), details)


def change_market(market_id: int, body: dict) -> dict:
    begin_write()
    market = get_or_404(Market, market_id, "market", lock=True)
    merged = _merged(market, body)
    previous_unit = market.org_unit_id
    if "org_unit_id" in body:  # a move, with its history (server/markets/assignments.py)
        try:
            assign(market, body["org_unit_id"], body.get("org_unit_from"))
        except MoveError as exc:
            db.session.rollback()
            raise _invalid("org_unit_from", f"{str(exc).capitalize()}.") from None
        merged["org_unit_id"] = market.org_unit_id  # a move dated later applies on its day
    changed = [n for n in FIELDS if merged[n] != getattr(market, n)]
    if not changed and market.org_unit_id == previous_unit:
        if db.session.new or db.session.dirty:  # only a move planned for a later day
            _audit(market, {"org_unit_id": previous_unit},
                   {"org_unit_id": body["org_unit_id"]}, body)
            db.session.commit()
        else:
            db.session.rollback()
        return market_out(market)
    _audit(market, {n: getattr(market, n) for n in changed}, {n: merged[n] for n in changed},
           body)
    for name in changed:
        setattr(market, name, merged[name])
    market.rev += 1
    db.session.flush()
    moved = market.org_unit_id != previous_unit
    changes = [market_change(market.id, market.rev, market.org_unit_id, previous_unit)]
    if moved:  # its visits move along: officers on both sides must hear of each
        changes += moved_visit_changes({market.id: previous_unit})
    record_changes(changes)
    db.session.commit()
    return market_out(market)
