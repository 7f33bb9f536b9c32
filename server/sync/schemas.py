"""Shapes of the sync API (DESIGN §5.1, §5.2): validation and the OpenAPI document."""

import json
import re
import uuid
from datetime import datetime

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates

from server.forms import SUPPORTED_VERSIONS, review_rules

MAX_MUTATIONS = 500
SHA256 = re.compile(r"^[0-9a-f]{64}$")
MUTATION_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
# The limits of a visit's data, named once: the schemas below and sync/fast_upsert.py read them.
LATITUDE, LONGITUDE, ACCURACY_M = (-90, 90), (-180, 180), (0, 100_000)
MAX_MARKET_ID = 2**31  # exclusive
MAX_DATETIME_LENGTH, YEARS = 40, (2000, 2100)
MAX_ATTACHMENTS = 5


def _uuid(value: str) -> None:
    try:
        uuid.UUID(value)
    except (ValueError, AttributeError, TypeError):
        raise ValidationError("Not a valid UUID.") from None
    if len(value) != 36:
        raise ValidationError("Not a valid UUID (use the 8-4-4-4-12 form).")


# The mutation types of the protocol (DESIGN §5.1); their handlers register in sync/push.py.
MUTATION_TYPES = ("visit.upsert", "review.decide")


class Mutation(Schema):
    id = fields.String(required=True, validate=validate.Regexp(MUTATION_ID))
    type = fields.String(required=True, validate=validate.OneOf(MUTATION_TYPES))
    data = fields.Dict(required=True)


class PushRequest(Schema):
    device_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    mutations = fields.List(
        fields.Nested(Mutation), required=True, validate=validate.Length(max=MAX_MUTATIONS)
    )


_MUTATION_KEYS = {"id", "type", "data"}


def plainly_valid(body: dict) -> bool:
    """True when PushRequest would load `body` unchanged: a phone's usual push, checked
    without marshmallow's per-field work (a tenth of a push's time). Anything else, down to
    one odd key, goes through PushRequest, which words the errors. Narrower than it, never
    wider (tests/sync/test_push_setwise.py compares the two)."""
    device_id, mutations = body.get("device_id"), body.get("mutations")
    if (body.keys() != {"device_id", "mutations"} or type(device_id) is not str
            or not 1 <= len(device_id) <= 64 or type(mutations) is not list
            or len(mutations) > MAX_MUTATIONS):
        return False
    return all(
        type(m) is dict and m.keys() == _MUTATION_KEYS and type(m["id"]) is str
        and MUTATION_ID.match(m["id"]) is not None and m["type"] in MUTATION_TYPES
        and type(m["data"]) is dict
        for m in mutations
    )


class Location(Schema):
    lat = fields.Float(required=True, validate=validate.Range(*LATITUDE))
    lon = fields.Float(required=True, validate=validate.Range(*LONGITUDE))
    accuracy_m = fields.Float(
        load_default=None, allow_none=True, validate=validate.Range(*ACCURACY_M)
    )


class MarketId(fields.Field):
    """Market ids are integers; a string of digits is accepted too."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            raise ValidationError("Not a valid market id.")
        # ASCII digits only: "²" is a digit to str.isdigit but int() refuses it (a 500).
        digits = isinstance(value, str) and value.isascii() and value.isdigit()
        if isinstance(value, int) or digits:
            number = int(value)
            if 0 < number < MAX_MARKET_ID:
                return number
        raise ValidationError("Not a valid market id.")


class ZonedDateTime(fields.Field):
    """ISO 8601 with a UTC offset (phone time); a time without an offset is refused."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or len(value) > MAX_DATETIME_LENGTH:
            raise ValidationError("Not a valid date-time.")
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ValidationError("Not a valid ISO 8601 date-time.") from None
        if parsed.tzinfo is None:
            raise ValidationError("Give the time with its UTC offset, e.g. +07:00.")
        if not YEARS[0] <= parsed.year <= YEARS[1]:
            raise ValidationError("The year must be between 2000 and 2100.")
        return parsed


class VisitUpsertData(Schema):
    class Meta:
        unknown = EXCLUDE  # e.g. a client's own `compliant`: the server derives it

    id = fields.String(required=True, validate=_uuid)
    base_rev = fields.Integer(
        strict=True, load_default=None, allow_none=True, validate=validate.Range(min=1)
    )
    market_id = MarketId(required=True)
    form_version = fields.String(required=True, validate=validate.OneOf(SUPPORTED_VERSIONS))
    observed_at = ZonedDateTime(required=True)
    answers = fields.Raw(required=True)
    location = fields.Nested(Location, load_default=None, allow_none=True)
    attachments = fields.List(
        fields.String(validate=validate.Regexp(SHA256)),
        load_default=list,
        validate=validate.Length(max=MAX_ATTACHMENTS),
    )

    @validates("attachments")
    def _unique(self, value, **_):
        if len(set(value)) != len(value):
            raise ValidationError("A photo is listed twice.")


class ReviewDecideData(Schema):
    class Meta:
        unknown = EXCLUDE

    visit_id = fields.String(required=True, validate=_uuid)
    base_rev = fields.Integer(strict=True, required=True, validate=validate.Range(min=1))
    decision = fields.String(required=True, validate=validate.OneOf(review_rules().decisions))
    comment = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=review_rules().max_comment_length),
    )


class ErrorDetail(Schema):
    code = fields.String(required=True, metadata={"description": "snake_case, for programs"})
    message = fields.String(required=True, metadata={"description": "a readable sentence"})
    # before `fields` below, which shadows the module in this class body
    attempts_left = fields.Integer(
        metadata={"description": "401 invalid_credentials only: wrong passwords left before "
                                 "the account is locked for 15 minutes (429 rate_limited)"},
    )
    fields = fields.Dict(
        keys=fields.String(), values=fields.List(fields.String()),
        metadata={"description": "only where it applies: field path → messages"},
    )


class ErrorBody(Schema):
    """The body of every API error, whatever its status (DESIGN §5)."""

    error = fields.Nested(ErrorDetail, required=True)


class ReviewOut(Schema):
    decision = fields.String()
    comment = fields.String(allow_none=True)
    reviewer_id = fields.Integer()
    decided_at = fields.String()


class VisitRecord(Schema):
    id = fields.String()
    rev = fields.Integer()
    market_id = fields.Integer()
    inspector_id = fields.Integer()
    device_id = fields.String()
    form_version = fields.String()
    observed_at = fields.String()
    received_at = fields.String()
    answers = fields.Dict()
    location = fields.Nested(Location, allow_none=True)
    attachments = fields.List(fields.String())
    missing_attachments = fields.List(fields.String())
    status = fields.String()
    compliant = fields.Boolean()
    distance_m = fields.Float(allow_none=True)
    review = fields.Nested(ReviewOut, allow_none=True)


class MutationResult(Schema):
    id = fields.String()
    status = fields.String(
        validate=validate.OneOf(["applied", "duplicate", "conflict", "rejected"])
    )
    record = fields.Nested(VisitRecord, allow_none=True)
    error = fields.Nested(ErrorDetail)


class PushResponse(Schema):
    """One result per mutation, in order."""

    results = fields.List(fields.Nested(MutationResult))


class Change(Schema):
    entity = fields.String(validate=validate.OneOf(["org_unit", "market", "visit", "form"]))
    op = fields.String(validate=validate.OneOf(["upsert", "delete"]))
    id = fields.Raw()
    rev = fields.Integer()
    data = fields.Dict(allow_none=True)


class PullQuery(Schema):
    cursor = fields.String(metadata={"description": "from the last page; none: everything"})
    limit = fields.Integer(validate=validate.Range(1, 1000), metadata={"default": 500})


class PullPerson(Schema):
    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()


class PullResponse(Schema):
    """A page of changes and the cursor to pull the next one with."""

    changes = fields.List(fields.Nested(Change))
    cursor = fields.String()
    has_more = fields.Boolean()
    people = fields.List(fields.Nested(PullPerson), metadata={
        "description": "the names of the inspectors and latest reviewers of this page's visits"})



# Examples for the OpenAPI document. @doc checks each against the schema it documents when the
# document is built (server/core/apidoc.py): an example that no longer fits fails the build.
EXAMPLE_VISIT_ID = "0b7c9f4e-6a1d-4c2b-9a55-3f1e2d4c8b10"


def example_visit_data() -> dict:
    """A visit as a phone pushes it; the answers are the form's own valid example."""
    from server.forms import SHARED_SCHEMA_DIR

    answers = json.loads((SHARED_SCHEMA_DIR / "examples" / "answers_valid.json").read_text())
    data = {
        "id": EXAMPLE_VISIT_ID, "base_rev": None, "market_id": 12, "form_version": "2023.1",
        "observed_at": "2023-03-01T08:30:00+07:00", "answers": answers[1]["answers"],
        "location": {"lat": 21.0155, "lon": 105.8515, "accuracy_m": 12.0}, "attachments": [],
    }
    errors = VisitUpsertData().validate(data)
    if errors:
        raise ValueError(f"the example visit is not valid: {errors}")
    return data


def push_request_example() -> dict:
    return {"device_id": "phone-hbt-07",
            "mutations": [{"id": "m-000123", "type": "visit.upsert", "data": example_visit_data()}]}


def example_visit_record() -> dict:
    data = example_visit_data()
    return {
        "id": data["id"], "rev": 1, "market_id": data["market_id"], "inspector_id": 5,
        "device_id": "phone-hbt-07", "form_version": data["form_version"],
        "observed_at": "2023-03-01T01:30:00Z", "received_at": "2023-03-01T01:31:07Z",
        "answers": data["answers"], "location": data["location"], "attachments": [],
        "missing_attachments": [], "status": "submitted", "compliant": True,
        "distance_m": 27.4, "review": None,
    }


def push_response_example() -> dict:
    return {"results": [{"id": "m-000123", "status": "applied", "record": example_visit_record()}]}


def pull_response_example() -> dict:
    return {
        "changes": [
            {"entity": "market", "op": "upsert", "id": 12, "rev": 3, "data": {
                "id": 12, "code": "HBT-CHO-HOM", "name": "Chợ Hôm", "org_unit_id": 3,
                "address": "79 Phố Huế", "lat": 21.0153, "lon": 105.8513, "market_class": "1",
                "opened_on": "1990-01-01", "closed_on": None}},
            {"entity": "visit", "op": "upsert", "id": EXAMPLE_VISIT_ID, "rev": 1,
             "data": example_visit_record()},
        ],
        "cursor": "eyJwIjoiaW5jIiwicSI6NDJ9.c2lnbmF0dXJl",
        "has_more": False,
    }
