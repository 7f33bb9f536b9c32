"""Reporting periods: YYYY, YYYY-Qn, YYYY-MM, and YYYY-YTDmm (the year to date: 1 January to the
end of month mm, e.g. 2025-YTD03 for the first quarter, as the trend's `year_to_date` reads
it), with Asia/Ho_Chi_Minh (UTC+7) boundaries.

Visits store observed_at as naive UTC, so a period is compared as the half-open UTC interval
[local start 00:00, local day after the end 00:00) shifted by seven hours."""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from server.core.errors import ApiError
from server.core.timeutil import HANOI_OFFSET as LOCAL_OFFSET
from server.core.timeutil import utcnow

PERIOD_RE = re.compile(r"^(\d{4})(?:-Q([1-4])|-(0[1-9]|1[0-2])|-YTD(0[1-9]|1[0-2]))?$")


@dataclass(frozen=True)
class Period:
    id: str
    start: date  # local, inclusive
    end: date  # local, inclusive

    @property
    def year(self) -> int:
        return self.start.year

    @property
    def kind(self) -> str:
        if len(self.id) == 4:
            return "year"
        return "quarter" if "Q" in self.id else "year_to_date" if "YTD" in self.id else "month"

    @property
    def utc_start(self) -> datetime:
        return datetime.combine(self.start, datetime.min.time()) - LOCAL_OFFSET

    @property
    def utc_end(self) -> datetime:
        """Exclusive."""
        return datetime.combine(self.end + timedelta(days=1), datetime.min.time()) - LOCAL_OFFSET

    def reference_day(self, today: date | None = None) -> date:
        """The day whose hierarchy and market assignments the period's figures use: its last
        day, or today (Hanoi time) for a period not yet over (docs/INDICATOR.md)."""
        return min(self.end, today or local_today())

    def to_dict(self) -> dict:
        return {"id": self.id, "start": self.start.isoformat(), "end": self.end.isoformat()}


def _month_end(year: int, month: int) -> date:
    return (date(year + month // 12, month % 12 + 1, 1)) - timedelta(days=1)


def parse_period(value: str | None) -> Period:
    """A Period, or 400 invalid_period. None means the current (local) year."""
    if value is None or value == "":
        return year_period(local_today().year)
    match = PERIOD_RE.match(value.strip())
    if not match or not 1900 <= int(match.group(1)) <= 2999:
        raise ApiError(400, "invalid_period",
                       "Use a period YYYY, YYYY-Qn (n = 1..4), YYYY-MM or YYYY-YTDmm.",
                       {"period": [f"{value!r} is not a period."]})
    year = int(match.group(1))
    if match.group(2):
        quarter = int(match.group(2))
        return Period(f"{year}-Q{quarter}", date(year, 3 * quarter - 2, 1),
                      _month_end(year, 3 * quarter))
    if match.group(3):
        return month_period(year, int(match.group(3)))
    if match.group(4):
        return year_to_month(year, int(match.group(4)))
    return year_period(year)


def year_period(year: int) -> Period:
    return Period(f"{year:04d}", date(year, 1, 1), date(year, 12, 31))


def month_period(year: int, month: int) -> Period:
    return Period(f"{year:04d}-{month:02d}", date(year, month, 1), _month_end(year, month))


def year_to_month(year: int, month: int) -> Period:
    """1 January to the end of `month` (YYYY-YTDmm; December covers the same days as YYYY)."""
    return Period(f"{year:04d}-YTD{month:02d}", date(year, 1, 1), _month_end(year, month))


def local_today(now: datetime | None = None) -> date:
    return ((now or utcnow()) + LOCAL_OFFSET).date()


def periods_containing(observed_at_utc: datetime) -> list[str]:
    """The year, quarter and month (ids) a UTC instant falls in, in local time, then the
    years to date that contain it (its month's and every later month's)."""
    local = observed_at_utc + LOCAL_OFFSET
    quarter = (local.month - 1) // 3 + 1
    return [f"{local.year:04d}", f"{local.year:04d}-Q{quarter}",
            f"{local.year:04d}-{local.month:02d}",
            *(f"{local.year:04d}-YTD{month:02d}" for month in range(local.month, 13))]


def to_local(value: datetime | None) -> datetime | None:
    """A stored naive UTC time as naive local (UTC+7) time, for reports."""
    return None if value is None else value + LOCAL_OFFSET
