"""Times are stored as naive UTC everywhere (identical on SQLite and PostgreSQL); Hanoi local
time (Asia/Ho_Chi_Minh, UTC+7, no daylight saving: DESIGN §7) is declared here once."""

from datetime import UTC, datetime, timedelta, timezone

HANOI_OFFSET = timedelta(hours=7)
HANOI = timezone(HANOI_OFFSET)


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def iso_z(value: datetime | None) -> str | None:
    """Emit a stored (naive UTC) time as ISO 8601 with `Z`, as the API promises."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(timespec="milliseconds") + "Z"
