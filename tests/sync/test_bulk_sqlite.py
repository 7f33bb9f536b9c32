"""The set-wise push's SQLite writer (server/sync/bulk.py) stores datetimes as SQLAlchemy's
own DateTime type does: rows written by either path read back alike and sort alike."""

from datetime import UTC, date, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import DateTime
from sqlalchemy.dialects import sqlite

from server.sync.bulk import sqlite_datetime

SQLALCHEMY = DateTime()._cached_bind_processor(sqlite.dialect())


@settings(max_examples=500, deadline=None)
@given(value=st.one_of(
    st.datetimes(),
    st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=7))])),
    st.dates(), st.none()))
def test_datetimes_are_written_as_sqlalchemy_writes_them(value):
    assert sqlite_datetime(SQLALCHEMY)(value) == SQLALCHEMY(value)


def test_whole_seconds_keep_their_microseconds():
    # isoformat alone drops ".000000"; the stored text must not change with the value.
    assert sqlite_datetime(SQLALCHEMY)(datetime(2026, 12, 6, 8, 0)) == "2026-12-06 08:00:00.000000"
    assert SQLALCHEMY(date(2026, 12, 6)) == sqlite_datetime(SQLALCHEMY)(date(2026, 12, 6))
