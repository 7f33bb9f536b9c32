"""import-markets: code,name,org_unit_code,address,lat,lon,market_class,opened_on,closed_on,
and an optional column org_unit_from (YYYY-MM-DD): when a move to org_unit_code takes effect
(default: the new unit's valid_from when later than the current assignment's start, else
today; see server/markets/assignments.py)."""

from pathlib import Path

from sqlalchemy import select

from server.audit.record import record_import
from server.core.csv_import import (
    ImportReport,
    RowCheck,
    RowError,
    optional,
    parse_date,
    read_rows,
    required,
)
from server.core.extensions import db
from server.markets.assignments import MoveError, assign, check_move
from server.models import MARKET_CLASSES, Market, OrgUnit, Visit
from server.sync.changes import (
    market_change,
    record_changes,
    visit_change,
)

COLUMNS = [
    "code",
    "name",
    "org_unit_code",
    "address",
    "lat",
    "lon",
    "market_class",
    "opened_on",
    "closed_on",
]


def _coordinate(row: dict, name: str, limit: float) -> float | None:
    value = optional(row, name, float)
    if value is not None and not -limit <= value <= limit:
        raise RowError(f"{name} {value} nằm ngoài khoảng -{limit}..{limit}")
    return value


def _market_class(row: dict) -> str | None:
    market_class = row.get("market_class") or "unclassified"
    if market_class not in MARKET_CLASSES:
        allowed = ", ".join(MARKET_CLASSES)
        raise RowError(f"market_class {market_class!r} phải là một trong: {allowed}")
    return market_class


def _unit_id(row: dict, unit_ids: dict[str, int]) -> int:
    unit_code = required(row, "org_unit_code", 64)
    if unit_code not in unit_ids:
        raise RowError(f"org_unit_code {unit_code!r}: không có đơn vị nào mang mã này")
    return unit_ids[unit_code]


def _parse_row(row: dict, unit_ids: dict[str, int], errors: RowCheck) -> dict:
    """The market of one row; every problem of the row goes to `errors` (not only the first)."""
    check = errors.check
    market = {
        "code": check(required, row, "code", 64),
        "name": check(required, row, "name"),
        "org_unit_id": check(_unit_id, row, unit_ids),
        "org_unit_from": check(optional, row, "org_unit_from", parse_date),
        "address": check(optional, row, "address"),
        "lat": check(_coordinate, row, "lat", 90),
        "lon": check(_coordinate, row, "lon", 180),
        "market_class": check(_market_class, row),
        "opened_on": check(optional, row, "opened_on", parse_date),
        "closed_on": check(optional, row, "closed_on", parse_date),
    }
    lat_given, lon_given = bool(row.get("lat")), bool(row.get("lon"))
    if lat_given != lon_given:
        errors.fail("thiếu lon (kinh độ): cần có cả lat và lon, hoặc để trống cả hai" if lat_given
                    else "thiếu lat (vĩ độ): cần có cả lat và lon, hoặc để trống cả hai")
    if market["address"] and len(market["address"]) > 300:
        errors.fail("address dài quá 300 ký tự")
    if market["opened_on"] and market["closed_on"] and market["closed_on"] < market["opened_on"]:
        errors.fail("closed_on sớm hơn opened_on")
    return market


def moved_visit_changes(previous_unit_by_market: dict[int, int]) -> list[dict]:
    """A market that changes ward takes its visits along: ward officers on both sides must
    hear of each visit (an upsert for the new ward, a delete for the old)."""
    if not previous_unit_by_market:
        return []
    rows = db.session.execute(
        select(Visit.id, Visit.rev, Visit.inspector_id, Visit.market_id, Market.org_unit_id)
        .join(Market, Market.id == Visit.market_id)
        .where(Visit.market_id.in_(previous_unit_by_market))
    )
    return [
        visit_change(
            r.id, r.rev, r.inspector_id, r.org_unit_id, previous_unit_by_market[r.market_id]
        )
        for r in rows
    ]


def _check_moves(parsed: dict[str, tuple[int, dict]], existing: dict[str, Market],
                 report: ImportReport) -> None:
    """What the import would refuse at a move (org_unit_from), found without writing."""
    for code, (line, fields) in parsed.items():
        if code in existing:
            try:
                check_move(existing[code], fields["org_unit_id"], fields["org_unit_from"])
            except MoveError as exc:
                report.error(line, f"org_unit_from: {exc}")


def import_markets(path: str | Path, dry_run: bool = False,
                   source: tuple[str, str | None] | None = None) -> ImportReport:
    """All or nothing; audited as `markets.import` (`source`: see audit.record_import)."""
    report = ImportReport()
    unit_ids = dict(db.session.execute(select(OrgUnit.code, OrgUnit.id)).all())
    parsed: dict[str, tuple[int, dict]] = {}
    for line, row in read_rows(path, COLUMNS, report):
        errors = RowCheck()
        market = _parse_row(row, unit_ids, errors)
        for message in errors.messages:
            report.error(line, message)
        if errors.messages:
            continue
        if market["code"] in parsed:
            first_line = parsed[market["code"]][0]
            report.error(line, f"code {market['code']!r} trùng với dòng {first_line}")
            continue
        parsed[market["code"]] = (line, market)
    if not report.ok:
        return report
    existing = {m.code: m for m in db.session.scalars(select(Market))}
    if dry_run:
        _check_moves(parsed, existing, report)
        return report

    changed = []
    for code, (line, fields) in parsed.items():
        fields = dict(fields)
        unit_id, effective = fields.pop("org_unit_id"), fields.pop("org_unit_from")
        record = existing.get(code)
        previous_unit = record.org_unit_id if record else None
        if record is None:
            record = Market(code=code, org_unit_id=unit_id)
            db.session.add(record)
            report.created += 1
        else:
            report.updated += 1
            record.rev += 1
        for name, value in fields.items():
            setattr(record, name, value)
        db.session.flush()
        try:  # the unit in force today changes only when the move's day has come
            assign(record, unit_id, effective)
        except MoveError as exc:
            report.error(line, f"org_unit_from: {exc}")
        changed.append((record, previous_unit))
    if not report.ok:
        db.session.rollback()
        return report
    db.session.flush()
    changes = [
        market_change(record.id, record.rev, record.org_unit_id, previous_unit)
        for record, previous_unit in changed
    ]
    moved = {r.id: prev for r, prev in changed if prev is not None and prev != r.org_unit_id}
    changes += moved_visit_changes(moved)
    record_changes(changes)
    record_import("markets.import", "markets", path, report.created, report.updated, source)
    db.session.commit()
    return report
