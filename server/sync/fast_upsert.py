"""A plain-Python load of `visit.upsert` data, for the push's hot path (issue #15).

Loading through marshmallow (schemas.VisitUpsertData, then forms.validate_answers) took about a
third of a push's CPU, though nearly every phone sends valid data. `fast_load_upsert(data)`
returns exactly what `VisitUpsertData().load(data)` returns (the same keys in the same order,
the same values and types, defaults filled, unknown keys left out) when the data and its
answers are surely valid, and None when it is not sure: the caller then loads with marshmallow,
which gives the errors. So it only has to be right on valid data and must never accept what
the schema refuses; it is stricter than the schema where that is simpler (e.g. a market id
given as a string, or a latitude as a string, is left to marshmallow).

The limits are the schema's own constants (schemas.py); the answer checks are derived from the
form JSON (forms/fast.py). tests/sync/test_fast_validation.py proves with hypothesis that both
paths agree on random and mutated data, and that valid data takes this path.
"""

import math
import re
from datetime import datetime

from server.forms import SUPPORTED_VERSIONS
from server.forms.fast import answers_valid
from server.sync.schemas import (
    ACCURACY_M,
    LATITUDE,
    LONGITUDE,
    MAX_ATTACHMENTS,
    MAX_DATETIME_LENGTH,
    MAX_MARKET_ID,
    SHA256,
    YEARS,
)

# The 8-4-4-4-12 form only: uuid.UUID accepts more (braces, "urn:uuid:", moved hyphens), which
# the schema then takes too; those are left to it.
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_ABSENT = object()


def _number(value, limits):
    """The float the schema's Float field loads, if within `limits`; None if not sure."""
    if type(value) is int:
        if not limits[0] <= value <= limits[1]:
            return None
        value = float(value)  # within the limits: no overflow
    elif type(value) is not float or not math.isfinite(value):
        return None
    return value if limits[0] <= value <= limits[1] else None


def _location(value):
    """Location's load (None: not sure). The schema refuses unknown keys here."""
    if type(value) is not dict or not value.keys() <= {"lat", "lon", "accuracy_m"}:
        return None
    lat = _number(value.get("lat"), LATITUDE)
    lon = _number(value.get("lon"), LONGITUDE)
    accuracy = value.get("accuracy_m")
    if accuracy is not None:
        accuracy = _number(accuracy, ACCURACY_M)
        if accuracy is None:
            return None
    if lat is None or lon is None:
        return None
    return {"lat": lat, "lon": lon, "accuracy_m": accuracy}


def _observed_at(value):
    """As schemas.ZonedDateTime, with None for every refusal."""
    if type(value) is not str or len(value) > MAX_DATETIME_LENGTH:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None or not YEARS[0] <= parsed.year <= YEARS[1]:
        return None
    return parsed


def _attachments(value):
    if value is _ABSENT:
        return []
    if type(value) is not list or len(value) > MAX_ATTACHMENTS:
        return None
    # SHA256's "$" would also match before a final newline: such ids are left to the schema.
    if not all(type(s) is str and len(s) == 64 and SHA256.match(s) for s in value):
        return None
    return list(value) if len(set(value)) == len(value) else None


def fast_load_upsert(data):
    """VisitUpsertData's load of `data` with its answers checked; None when not sure."""
    if type(data) is not dict:
        return None
    visit_id, base_rev = data.get("id"), data.get("base_rev")
    market_id, version = data.get("market_id"), data.get("form_version")
    if type(visit_id) is not str or not _UUID.fullmatch(visit_id):
        return None
    if base_rev is not None and (type(base_rev) is not int or base_rev < 1):
        return None
    if type(market_id) is not int or not 0 < market_id < MAX_MARKET_ID:
        return None  # a string of digits is valid, but rare: the schema loads it
    if type(version) is not str or version not in SUPPORTED_VERSIONS:
        return None
    observed = _observed_at(data.get("observed_at"))
    answers = data.get("answers")
    if observed is None or not answers_valid(answers, version):
        return None
    location = data.get("location")
    if location is not None:
        location = _location(location)
        if location is None:
            return None
    attachments = _attachments(data.get("attachments", _ABSENT))
    if attachments is None:
        return None
    return {
        "id": visit_id, "base_rev": base_rev, "market_id": market_id, "form_version": version,
        "observed_at": observed, "answers": answers, "location": location,
        "attachments": attachments,
    }
