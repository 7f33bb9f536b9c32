"""Many rows into one table in one statement: COPY on PostgreSQL, the driver's executemany on
SQLite.

A set-wise push writes hundreds of rows per table. Through SQLAlchemy's executemany each row
costs ~20 µs of parameter handling on PostgreSQL; COPY takes the rows as a stream instead
(psycopg's `copy.write_row`), inside the same transaction and savepoint. On SQLite the rows go
to sqlite3's own executemany, each value converted by its column type's SQLAlchemy bind
processor (the same conversion SQLAlchemy's executemany applies, without its per-row
bookkeeping: half the time). A database error is raised as SQLAlchemy's own (IntegrityError,
DataError, OperationalError…), as executemany would raise it, so callers handle both paths
alike. JSON columns are written by orjson (a tenth of json.dumps's time; compact text, the
same JSON values when read back).
"""

import json
from datetime import datetime
from operator import itemgetter

import orjson
from sqlalchemy import JSON, DateTime
from sqlalchemy.exc import DBAPIError

from server.core.extensions import db

# Datetimes and dataclasses refused as json.dumps refuses them (orjson would write them).
_ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def json_text(value) -> str:
    """A JSON column's text (None is JSON null, as SQLAlchemy's JSON type writes it)."""
    try:
        return orjson.dumps(value, option=_ORJSON_OPTIONS).decode()
    except TypeError:  # an integer beyond 64 bits, say: json.dumps writes it (or refuses too)
        return json.dumps(value)


def insert_rows(table, rows: list[dict]) -> None:
    """`rows`: dicts with the same keys, columns of `table` (a Table)."""
    if not rows:
        return
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        _copy(connection, table, rows)
    else:
        _executemany(connection, table, rows)


def _copy(connection, table, rows: list[dict]) -> None:
    import psycopg

    quote = connection.dialect.identifier_preparer.quote
    columns = list(rows[0])
    as_json = [isinstance(table.c[name].type, JSON) for name in columns]
    statement = (f"COPY {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
                 "FROM STDIN")
    raw = connection.connection.dbapi_connection
    try:
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row([
                    json_text(row[name]) if is_json else row[name]
                    for name, is_json in zip(columns, as_json, strict=True)
                ])
    except psycopg.Error as error:
        raise DBAPIError.instance(statement, None, error, psycopg.Error) from error


def sqlite_datetime(fallback):
    """SQLite's DateTime bind processor, faster for what we store (naive UTC datetimes):
    `isoformat` writes the same text as SQLAlchemy's "%Y-%m-%d %H:%M:%S.%f" formatting, which
    took a tenth of a push's rows; anything else goes to SQLAlchemy's own `fallback`."""
    def process(value):
        if type(value) is datetime and value.tzinfo is None:
            return value.isoformat(" ", "microseconds")
        return fallback(value)
    return process


def _processor(column, dialect):
    if isinstance(column.type, JSON):
        return json_text
    process = column.type._cached_bind_processor(dialect)
    if process is not None and isinstance(column.type, DateTime):
        return sqlite_datetime(process)
    return process


def _executemany(connection, table, rows: list[dict]) -> None:
    dialect = connection.dialect
    quote = dialect.identifier_preparer.quote
    columns = list(rows[0])
    # Each row's values in column order (itemgetter: in C), then only the columns that need
    # it converted (None too, as SQLAlchemy does).
    values_of = itemgetter(*columns) if len(columns) > 1 else lambda row: (row[columns[0]],)
    convert = [(i, process) for i, name in enumerate(columns)
               if (process := _processor(table.c[name], dialect)) is not None]
    statement = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
                 f"VALUES ({', '.join('?' for _ in columns)})")
    values = []
    for row in rows:
        row_values = list(values_of(row))
        for i, process in convert:
            row_values[i] = process(row_values[i])
        values.append(row_values)
    raw = connection.connection.dbapi_connection
    cursor = raw.cursor()
    try:
        cursor.executemany(statement, values)
    except dialect.loaded_dbapi.Error as error:
        raise DBAPIError.instance(statement, None, error, dialect.loaded_dbapi.Error) from error
    finally:
        cursor.close()
