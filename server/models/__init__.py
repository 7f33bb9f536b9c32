"""The tables (DESIGN §3), one module per domain, all importing only server.core, so any
package may import them without importing behaviour. Imported here in one place so Alembic
and create_all see the whole schema."""

from server.models.attachments import Attachment
from server.models.audit import AuditEvent
from server.models.indicator import (
    IndicatorDirtyPeriod,
    IndicatorSnapshot,
    IndicatorSnapshotItem,
    IndicatorTarget,
)
from server.models.jobs import JobRun, MarketOverdue
from server.models.markets import MARKET_CLASSES, Market, MarketAssignment
from server.models.orgunits import LEVELS, OrgUnit
from server.models.settings import AppSetting
from server.models.sync import AppliedMutation, ChangeLog, SyncMeta
from server.models.totp import TotpRecoveryCode, UserTotp
from server.models.users import ROLES, DeviceToken, LoginFailure, User
from server.models.visits import ReviewDecision, Visit, VisitAttachment, VisitVersion

__all__ = [
    "LEVELS",
    "MARKET_CLASSES",
    "ROLES",
    "AppSetting",
    "AppliedMutation",
    "Attachment",
    "AuditEvent",
    "ChangeLog",
    "DeviceToken",
    "IndicatorDirtyPeriod",
    "IndicatorSnapshot",
    "IndicatorSnapshotItem",
    "IndicatorTarget",
    "JobRun",
    "LoginFailure",
    "Market",
    "MarketAssignment",
    "MarketOverdue",
    "OrgUnit",
    "ReviewDecision",
    "SyncMeta",
    "TotpRecoveryCode",
    "User",
    "UserTotp",
    "Visit",
    "VisitAttachment",
    "VisitVersion",
]
