"""What the admin API tests share (DESIGN §1 admin): the prefix, two CSV files, and `state()`,
everything an admin route could change, to check that a refused request changed nothing."""

from sqlalchemy import func, select

from server.core.extensions import db
from server.models import (
    AuditEvent,
    ChangeLog,
    DeviceToken,
    IndicatorTarget,
    Market,
    OrgUnit,
    User,
)

A = "/api/v1/admin"
MARKETS_CSV = (
    "code,name,org_unit_code,address,lat,lon,market_class,opened_on,closed_on\n"
    "M-NEW,Chợ Mới,HBT-1,1 Phố Huế,21.01,105.85,2,2001-01-01,\n"
    "M-HOM,Chợ Hôm – Đức Viên,HBT-1,79 Phố Huế,21.0153,105.8513,1,1980-01-01,\n"
)
UNITS_CSV = (
    "code,name,level,parent_code,valid_from,valid_to\n"
    "HBT-3,Phường Bạch Đằng,ward,HBT,,\n"
    "HBT-1,Phường Phố Huế (mới),ward,HBT,,\n"
)


def state() -> tuple:
    """What any admin route could change."""
    count = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa: E731
    return (
        count(User), count(Market), count(OrgUnit), count(IndicatorTarget), count(ChangeLog),
        count(AuditEvent),
        tuple(db.session.execute(select(User.display_name, User.password_hash, User.active))),
        tuple(db.session.scalars(select(DeviceToken.revoked_at))),
        tuple(db.session.scalars(select(Market.name))),
    )
