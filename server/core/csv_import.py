"""All-or-nothing CSV imports: every bad row is reported with its line number, nothing written.
The reasons are in Vietnamese: admins read them in the import screen and on the command line."""

import csv
import re
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


class RowCheck:
    """Collects every problem of one row, so the admin fixes a row once, not once per error:
    `check(fn, ...)` returns fn's value, or None after noting its RowError."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def check(self, fn: Callable, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except RowError as exc:
            self.messages.append(str(exc))
            return None

    def fail(self, message: str) -> None:
        self.messages.append(message)


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


DATE_FORMS = "YYYY-MM-DD hoặc DD/MM/YYYY (vd. 2024-03-05 hoặc 05/03/2024)"
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_VN_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")  # what Excel writes in Vietnamese


def parse_date(value: str) -> date:
    """A date written YYYY-MM-DD or DD/MM/YYYY, nothing else (no 2024/03/05, no 20240305)."""
    if match := _ISO_DATE.fullmatch(value):
        year, month, day = match.groups()
    elif match := _VN_DATE.fullmatch(value):
        day, month, year = match.groups()
    else:
        raise ValueError(f"ngày phải viết dạng {DATE_FORMS}")
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise ValueError(f"không có ngày này; ngày viết dạng {DATE_FORMS}") from None
