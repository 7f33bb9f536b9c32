"""Every model, imported in one place so Alembic and create_all see the whole schema."""

from server.attachments.models import Attachment
from server.auth.models import DeviceToken, LoginFailure, User
from server.indicator.models import IndicatorSnapshot, IndicatorSnapshotItem, IndicatorTarget
from server.jobs.models import JobRun, MarketOverdue
from server.markets.models import Market
from server.orgunits.models import OrgUnit
from server.review.models import ReviewDecision
from server.sync.models import AppliedMutation, ChangeLog, SyncMeta, Visit, VisitAttachment

__all__ = [
    "AppliedMutation",
    "Attachment",
    "ChangeLog",
    "DeviceToken",
    "IndicatorSnapshot",
    "IndicatorSnapshotItem",
    "IndicatorTarget",
    "JobRun",
    "LoginFailure",
    "Market",
    "MarketOverdue",
    "OrgUnit",
    "ReviewDecision",
    "SyncMeta",
    "User",
    "Visit",
    "VisitAttachment",
]
