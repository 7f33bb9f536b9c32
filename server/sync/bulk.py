"""Many rows into one table in one statement: COPY on PostgreSQL, executemany elsewhere.

A set-wise push writes hundreds of rows per table. Through SQLAlchemy's executemany each row
costs ~20 µs of parameter handling on PostgreSQL; COPY takes the rows as a stream instead
(psycopg's `copy.write_row`), inside the same transaction and savepoint. A database error is
raised as SQLAlchemy's own (IntegrityError, DataError, OperationalError…), as executemany
would raise it, so callers handle both paths alike.
"""

import json

from sqlalchemy import JSON, insert
from sqlalchemy.exc import DBAPIError

from server.core.extensions import db


def insert_rows(table, rows: list[dict]) -> None:
    """`rows`: dicts with the same keys, columns of `table` (a Table)."""
    if not rows:
        return
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(insert(table), rows)
        return
    import psycopg

    quote = connection.dialect.identifier_preparer.quote
    columns = list(rows[0])
    # JSON columns as JSON text, serialised as SQLAlchemy's JSON type would (json.dumps).
    as_json = [isinstance(table.c[name].type, JSON) for name in columns]
    statement = (f"COPY {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
                 "FROM STDIN")
    raw = connection.connection.dbapi_connection
    try:
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row([
                    json.dumps(row[name]) if is_json else row[name]
                    for name, is_json in zip(columns, as_json, strict=True)
                ])
    except psycopg.Error as error:
        raise DBAPIError.instance(statement, None, error, psycopg.Error) from error
