"""Query-string helpers shared by the routes: validated queries, time windows in Hanoi days,
get-or-404."""

from datetime import UTC, date, datetime, time, timedelta

from flask import request
from marshmallow import ValidationError, fields

from server.core.errors import ApiError
from server.core.extensions import db
from server.core.http import flatten_errors
from server.core.timeutil import HANOI

MAX_INT = 2**31 - 1  # ids and offsets fit PostgreSQL's integer


def load_query(schema) -> dict:
    """The query string validated by a marshmallow schema, or 400 `invalid_query` naming the
    parameters that are wrong."""
    try:
        return schema.load(request.args.to_dict())
    except ValidationError as exc:
        raise ApiError(
            400,
            "invalid_query",
            "Some query parameters are not valid.",
            flatten_errors(exc.messages),
        ) from None


class Moment(fields.Field):
    """A day (YYYY-MM-DD, Hanoi local time) or an ISO 8601 time with its UTC offset.

    Loads as (naive UTC datetime, is_day). A day as the lower bound starts at local midnight;
    as the upper bound it includes the whole day (see `bounds`).
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {}).update(
            {"type": "string", "description": "YYYY-MM-DD (Hanoi time) or ISO 8601 with offset"}
        )
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not 10 <= len(value) <= 40:
            raise ValidationError("Give a date YYYY-MM-DD or an ISO 8601 time with offset.")
        if len(value) == 10:
            try:
                day = date.fromisoformat(value)
            except ValueError:
                raise ValidationError("Not a valid date (YYYY-MM-DD).") from None
            local = datetime.combine(day, time(), HANOI)
            return _utc(local, is_day=True), True
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ValidationError("Not a valid ISO 8601 time.") from None
        if moment.tzinfo is None:
            raise ValidationError("Give the time with its UTC offset, e.g. +07:00.")
        return _utc(moment), False


def _utc(moment: datetime, is_day: bool = False) -> datetime:
    """Naive UTC; a moment at the edge of the calendar (0001-01-01 in Hanoi) has none."""
    try:
        utc = moment.astimezone(UTC).replace(tzinfo=None)
        if is_day:
            utc + timedelta(days=1)  # bounds() adds a day to a day given as the upper bound
    except OverflowError:
        raise ValidationError("The date is out of range.") from None
    return utc


def bounds(args: dict) -> tuple[datetime | None, datetime | None, bool]:
    """(start inclusive, end, end_inclusive) from loaded `from`/`to`; 400 when from > to."""
    start = args["from_"][0] if args.get("from_") else None
    end, inclusive = None, True
    if args.get("to"):
        end, is_day = args["to"]
        if is_day:  # the whole local day: up to the next local midnight, exclusive
            end, inclusive = end + timedelta(days=1), False
    if start is not None and end is not None and start > end:
        raise ApiError(
            400, "invalid_query", "from is after to.", {"from": ["Must not be after to."]}
        )
    return start, end, inclusive


def time_window(column, args: dict) -> list:
    """WHERE conditions on `column` for the request's from/to."""
    start, end, inclusive = bounds(args)
    conditions = []
    if start is not None:
        conditions.append(column >= start)
    if end is not None:
        conditions.append(column <= end if inclusive else column < end)
    return conditions


def get_or_404(model, row_id: int, what: str, lock: bool = False):
    """The row with this id (locked FOR UPDATE when `lock`), or 404 `not_found`."""
    row = db.session.get(model, row_id, with_for_update=lock) if 0 < row_id <= MAX_INT else None
    if row is None:
        raise ApiError(404, "not_found", f"There is no such {what}.")
    return row
