"""The words of every enumeration (shared_schema/enums.json), the one list the server's
downloads and the PWA's screens read, so a status is worded the same everywhere."""

import json
from functools import cache

from server.forms.validation import SHARED_SCHEMA_DIR


@cache
def _enums() -> dict:
    return json.loads((SHARED_SCHEMA_DIR / "enums.json").read_text(encoding="utf-8"))


@cache
def words(name: str, lang: str = "vi") -> dict[str, str]:
    """{value: label} of the enumeration `name`, in its order."""
    return {entry["value"]: entry["label"][lang] for entry in _enums()[name]}


def word(name: str, value, lang: str = "vi") -> str:
    """The label of one value; the value itself if unknown (never a blank cell)."""
    if value is None:
        return ""
    return words(name, lang).get(str(value), str(value))
