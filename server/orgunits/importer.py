"""import-org-units: code,name,level,parent_code,valid_from,valid_to (DESIGN §11)."""

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
from server.models import LEVELS, OrgUnit
from server.sync.changes import bump_org_tree_version, org_unit_change, record_changes

COLUMNS = ["code", "name", "level", "parent_code", "valid_from", "valid_to"]
# A ward (phường) and a commune (xã) are the same rank; either may sit under a district or,
# since Hanoi's 1 July 2025 reform, directly under the city.
LEVEL_RANK = {"city": 0, "district": 1, "ward": 2, "commune": 2}


def _level(row: dict) -> str:
    level = required(row, "level", 16)
    if level not in LEVELS:
        raise RowError(f"level {level!r} phải là một trong: {', '.join(LEVELS)}")
    return level


def _parse_row(row: dict, errors: RowCheck) -> dict:
    """The unit of one row; every problem of the row goes to `errors` (not only the first)."""
    check = errors.check
    unit = {
        "code": check(required, row, "code", 64),
        "name": check(required, row, "name"),
        "level": check(_level, row),
        "parent_code": row.get("parent_code") or None,
        "valid_from": check(optional, row, "valid_from", parse_date),
        "valid_to": check(optional, row, "valid_to", parse_date),
    }
    if unit["valid_from"] and unit["valid_to"] and unit["valid_to"] < unit["valid_from"]:
        errors.fail("valid_to sớm hơn valid_from")
    if unit["code"] and unit["parent_code"] == unit["code"]:
        errors.fail("một đơn vị không thể là cấp trên của chính nó")
    return unit


def import_org_units(path: str | Path, dry_run: bool = False,
                     source: tuple[str, str | None] | None = None) -> ImportReport:
    """All or nothing; audited as `org_units.import` (`source`: see audit.record_import)."""
    report = ImportReport()
    parsed: dict[str, tuple[int, dict]] = {}
    for line, row in read_rows(path, COLUMNS, report):
        errors = RowCheck()
        unit = _parse_row(row, errors)
        for message in errors.messages:
            report.error(line, message)
        if errors.messages:
            continue
        if unit["code"] in parsed:
            report.error(line, f"code {unit['code']!r} trùng với dòng {parsed[unit['code']][0]}")
            continue
        parsed[unit["code"]] = (line, unit)

    existing = {u.code: u for u in db.session.scalars(select(OrgUnit))}
    levels = {code: u.level for code, u in existing.items()}
    levels.update({code: unit["level"] for code, (_, unit) in parsed.items()})
    for line, unit in parsed.values():
        parent = unit["parent_code"]
        if parent is None:
            continue
        if parent not in levels:
            report.error(line, f"parent_code {parent!r}: không có trong tệp lẫn cơ sở dữ liệu")
        elif LEVEL_RANK[levels[parent]] >= LEVEL_RANK[unit["level"]]:
            report.error(line, f"đơn vị cấp {unit['level']} không thể trực thuộc "
                               f"đơn vị cấp {levels[parent]} ({parent})")
    if not report.ok or dry_run:
        return report

    # Two passes so a parent may come after its children in the file.
    for code, (_, unit) in parsed.items():
        record = existing.get(code)
        if record is None:
            record = OrgUnit(code=code)
            db.session.add(record)
            existing[code] = record
            report.created += 1
        else:
            report.updated += 1
            record.rev += 1
        record.name, record.level = unit["name"], unit["level"]
        record.valid_from, record.valid_to = unit["valid_from"], unit["valid_to"]
    db.session.flush()
    tree_changed = False
    for code, (_, unit) in parsed.items():
        parent = unit["parent_code"]
        parent_id = existing[parent].id if parent else None
        tree_changed |= existing[code].parent_id != parent_id
        existing[code].parent_id = parent_id
    db.session.flush()
    if tree_changed:
        bump_org_tree_version()
    record_changes(
        [org_unit_change(existing[code].id) for code in parsed]
    )
    record_import("org_units.import", "org_units", path, report.created, report.updated, source)
    db.session.commit()
    return report
