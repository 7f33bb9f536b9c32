"""CSV imports over HTTP: the CLI's importers (all or nothing), fed an uploaded file."""

import csv
import hashlib
import io
import os
import tempfile

from flask import request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from server.core.csv_import import ImportReport
from server.core.errors import ApiError
from server.core.extensions import begin_write, db
from server.markets.importer import import_markets
from server.models import Market, OrgUnit
from server.orgunits.importer import import_org_units

IMPORTERS = {"markets": (import_markets, Market), "org_units": (import_org_units, OrgUnit)}
CSV_TYPES = ("text/csv", "text/plain", "application/csv", "application/vnd.ms-excel")


def _file_problem(message: str) -> ApiError:
    return ApiError(422, "validation_failed", message, {"file": [message]})


def uploaded_text() -> tuple[str, tuple[str, str | None]]:
    """The CSV as text: a multipart upload in the field `file`, or a text/csv body; and the
    upload's (SHA-256, file name) for the audit event."""
    name = None
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise _file_problem("Upload the CSV in the form field 'file'.")
        raw, name = upload.read(), (upload.filename or None)
    elif request.mimetype in CSV_TYPES:
        raw = request.get_data()
    else:
        raise ApiError(415, "unsupported_media_type",
                       "Send the CSV as multipart/form-data (field 'file') or as text/csv.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _file_problem("The file is not UTF-8 text; save it as CSV UTF-8.") from None
    if "\x00" in text:
        raise _file_problem("The file contains NUL characters; it is not a CSV text file.")
    if not text.strip():
        raise _file_problem("The file is empty.")
    return text, (hashlib.sha256(raw).hexdigest(), name and name[:200])


def _plan(text: str, model) -> tuple[int, int, int]:
    """(rows, would create, would update) of a file the importer found valid."""
    codes = [row.get("code", "").strip() for row in csv.DictReader(io.StringIO(text))]
    known = set(db.session.scalars(select(model.code).where(model.code.in_(codes))))
    return len(codes), sum(c not in known for c in codes), sum(c in known for c in codes)


def _failed(report: ImportReport) -> ApiError:
    by_line: dict[str, list[str]] = {}
    for line, message in report.errors:
        by_line.setdefault(f"line {line}", []).append(message)
    count = len(report.errors)
    return ApiError(422, "validation_failed",
                    f"{count} error(s) in the file; nothing was written.", by_line)


def run_import(kind: str, upload: tuple[str, tuple], dry_run: bool) -> dict:
    text, source = upload
    importer, model = IMPORTERS[kind]
    handle, path = tempfile.mkstemp(suffix=".csv")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        if not dry_run:
            begin_write()  # the importer reads what it will update: lock first (SQLite)
        try:
            report = importer(path, dry_run=dry_run, source=source)
        except csv.Error as exc:  # e.g. a cell longer than the csv module allows
            db.session.rollback()
            raise _file_problem(f"The file is not a readable CSV ({exc}).") from None
        except IntegrityError:  # another import created the same code meanwhile
            db.session.rollback()
            raise ApiError(409, "conflict", "Another change got in first; try again.") from None
    finally:
        os.unlink(path)
    if not report.ok:
        db.session.rollback()
        raise _failed(report)
    if dry_run:
        rows, created, updated = _plan(text, model)
        db.session.rollback()
        return {"dry_run": True, "rows": rows, "created": created, "updated": updated}
    return {"dry_run": False, "rows": report.created + report.updated,
            "created": report.created, "updated": report.updated}
