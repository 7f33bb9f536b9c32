"""All-or-nothing CSV imports: every bad row is reported with its line number, nothing written.
The reasons are in Vietnamese: admins read them in the import screen and on the command line."""

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
        report.error(0, f"tệp không phải văn bản UTF-8 (byte {exc.start}); hãy lưu dạng CSV UTF-8")


def _rows(handle, columns: list[str], report: ImportReport) -> Iterator[tuple]:
    reader = csv.DictReader(handle)
    header = [name.strip() for name in (reader.fieldnames or [])]
    missing = [name for name in columns if name not in header]
    if missing:
        report.error(1, f"dòng tiêu đề thiếu cột: {', '.join(missing)}")
        return
    for row in reader:
        if None in row:
            report.error(reader.line_num, "nhiều ô hơn số cột của dòng tiêu đề")
            continue
        yield reader.line_num, {k.strip(): (v or "").strip() for k, v in row.items()}


def required(row: dict, name: str, max_length: int = 200) -> str:
    value = row.get(name, "")
    if not value:
        raise RowError(f"{name} không được để trống")
    if len(value) > max_length:
        raise RowError(f"{name} dài quá {max_length} ký tự")
    return value


def optional(row: dict, name: str, parse: Callable[[str], object] = str):
    value = row.get(name, "")
    if not value:
        return None
    try:
        return parse(value)
    except ValueError as exc:
        raise RowError(f"{name} {value!r} không hợp lệ ({exc})") from None


def parse_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError("expected a date as YYYY-MM-DD") from None
