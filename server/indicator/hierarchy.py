"""The org-unit hierarchy a period's figures use, and which unit a request asks for.

Units carry valid_from/valid_to (Hanoi's 2025 reform ends the district level): a period sees
the units in force on its reference day (its last day, or today for a period not yet over;
docs/INDICATOR.md), so 2023 is broken down by its 30 districts and 2025 by the 126 units of
1 July 2025. Org units are few (hundreds), so the tree is walked in Python; markets and visits
never are."""

from dataclasses import dataclass, field

from sqlalchemy import select

from server.auth.scope import unit_scope
from server.core.errors import ApiError
from server.core.extensions import db
from server.core.periods import Period
from server.core.trees import subtree
from server.models import OrgUnit

CITY_NAME = "Thành phố Hà Nội"


@dataclass
class Tree:
    """Units valid in one period, keyed by id; None stands for the whole city."""

    units: dict[int, OrgUnit]
    parent: dict[int, int | None]  # parent key within the period (None: the city)
    children: dict[int | None, list[int]] = field(default_factory=dict)

    def subtree(self, key: int | None) -> list[int]:
        """`key` and every unit below it (for the city: every unit)."""
        return [unit for unit in subtree(self.children, key) if unit is not None]


def valid_in(unit: OrgUnit, period: Period) -> bool:
    """In force on the period's reference day."""
    day = period.reference_day()
    return ((unit.valid_from is None or unit.valid_from <= day)
            and (unit.valid_to is None or unit.valid_to >= day))


def load_tree(period: Period) -> Tree:
    everything = {u.id: u for u in db.session.scalars(select(OrgUnit))}
    units = {uid: u for uid, u in everything.items()
             if u.level != "city" and valid_in(u, period)}
    parent = {uid: (u.parent_id if u.parent_id in units else None) for uid, u in units.items()}
    tree = Tree(units=units, parent=parent)
    for uid in sorted(units, key=lambda i: (units[i].code, i)):
        tree.children.setdefault(parent[uid], []).append(uid)
    return tree


def unit_out(unit: OrgUnit | None) -> dict:
    if unit is None:
        return {"id": None, "code": None, "name": city_name(), "level": "city"}
    return {"id": unit.id, "code": unit.code, "name": unit.name, "level": unit.level}


def city_name() -> str:
    name = db.session.scalar(
        select(OrgUnit.name).where(OrgUnit.level == "city", OrgUnit.parent_id.is_(None))
        .order_by(OrgUnit.id).limit(1)
    )
    return name or CITY_NAME


def find_unit(value) -> OrgUnit:
    """An org unit by code or id (integer or digits), or 400 invalid_org_unit.

    The code wins: Hanoi's official ward codes are digits too ("00070" is Phường Hoàn Kiếm,
    not the unit with id 70)."""
    unit = None
    text_value = str(value).strip()
    if text_value and "\x00" not in text_value and len(text_value) <= 64:
        unit = db.session.scalar(select(OrgUnit).where(OrgUnit.code == text_value))
    if unit is None and text_value.isdigit() and int(text_value) < 2**31:  # PostgreSQL's int
        unit = db.session.get(OrgUnit, int(text_value))
    if unit is None:
        raise ApiError(400, "invalid_org_unit", "There is no such org unit.",
                       {"org_unit": [f"Unknown org unit {text_value!r}."]})
    return unit


def requested_unit(user, value, period: Period | None = None) -> int | None:
    """The unit a user asks for (None: the whole city), after the scope check.

    Default: the whole city for city officers and admins, their own unit for ward officers.
    A city-level unit (e.g. code HN) means the whole city. With a period, a unit not in force
    on its reference day is 400 invalid_org_unit (its markets are counted under the units that
    replaced it)."""
    if value is None or str(value).strip() == "":
        if user.role == "ward_officer":
            if user.org_unit_id is None:
                raise ApiError(403, "forbidden", "Your account has no org unit.")
            unit = db.session.get(OrgUnit, user.org_unit_id)
            _check_in_force(unit, period)
            return _city_as_none(unit, user)
        return None
    unit = find_unit(value)
    _check_in_force(unit, period)
    return _city_as_none(unit, user)


def _check_in_force(unit: OrgUnit | None, period: Period | None) -> None:
    if unit is None or period is None or unit.level == "city" or valid_in(unit, period):
        return
    day = period.reference_day().isoformat()
    raise ApiError(400, "invalid_org_unit",
                   f"The org unit {unit.code} is not in force on {day}, the day whose units "
                   f"the period {period.id} is reported by.",
                   {"org_unit": [f"{unit.code!r} is not in force on {day}."]})


def _city_as_none(unit: OrgUnit | None, user) -> int | None:
    key = None if unit is None or unit.level == "city" else unit.id
    scope = unit_scope(user)
    if scope is not None and (key is None or key not in scope):
        raise ApiError(403, "forbidden", "This org unit is outside your area.")
    return key
