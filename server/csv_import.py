"""All-or-nothing CSV imports: every bad row is reported with its line number, nothing written."""

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, line: int, message: str) -> None:
        self.errors.append((line, message))


class RowError(ValueError):
    """A problem with one cell; the importer attaches the line number."""


def read_rows(path: str | Path, columns: list[str], report: ImportReport) -> Iterator[tuple]:
    """Yield (line_number, row dict) of a UTF-8 CSV (BOM tolerated) whose header is `columns`."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            yield from _rows(handle, columns, report)
    except UnicodeDecodeError as exc:
        report.error(0, f"the file is not UTF-8 text (byte {exc.start}); save it as CSV UTF-8")


def _rows(handle, columns: list[str], report: ImportReport) -> Iterator[tuple]:
    reader = csv.DictReader(handle)
    header = [name.strip() for name in (reader.fieldnames or [])]
    missing = [name for name in columns if name not in header]
    if missing:
        report.error(1, f"header is missing column(s): {', '.join(missing)}")
        return
    for row in reader:
        if None in row:
            report.error(reader.line_num, "more cells than columns in the header")
            continue
        yield reader.line_num, {k.strip(): (v or "").strip() for k, v in row.items()}


def required(row: dict, name: str, max_length: int = 200) -> str:
    value = row.get(name, "")
    if not value:
        raise RowError(f"{name} is required")
    if len(value) > max_length:
        raise RowError(f"{name} is longer than {max_length} characters")
    return value


def optional(row: dict, name: str, parse: Callable[[str], object] = str):
    value = row.get(name, "")
    if not value:
        return None
    try:
        return parse(value)
    except ValueError as exc:
        raise RowError(f"{name} {value!r} is not valid ({exc})") from None


def parse_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError("expected a date as YYYY-MM-DD") from None
