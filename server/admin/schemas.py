"""Bodies and query strings of the admin API (validation and the OpenAPI document).

Names start with Admin: marshmallow's class registry (which the OpenAPI document resolves
names through) needs them unique across the app."""

import re

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from server.core.queryparams import MAX_INT
from server.models import MARKET_CLASSES, ROLES

USERNAME = validate.Regexp(
    r"^[A-Za-z0-9._-]{1,64}$", error="Use 1 to 64 letters, digits, dots, dashes or underscores."
)
PERIOD = re.compile(r"^\d{4}(-Q[1-4]|-(0[1-9]|1[0-2]))?$")
SCOPED_ROLES = ("inspector", "ward_officer")  # they must belong to an org unit


def _id(**kwargs):
    """An id in a JSON body: 3, not "3" or 3.0."""
    return fields.Integer(strict=True, validate=validate.Range(1, MAX_INT), **kwargs)


def _flag(**kwargs):
    return fields.Boolean(truthy={True}, falsy={False}, **kwargs)  # JSON true/false only


class AdminUserOut(Schema):
    """The user, as the admin screens show it."""

    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
    role = fields.String(validate=validate.OneOf(ROLES))
    org_unit_id = fields.Integer(allow_none=True)
    active = fields.Boolean()
    created_at = fields.String(metadata={"format": "date-time"})
    totp_enabled = fields.Boolean(metadata={"description": "two-factor sign-in is on"})


class AdminUserCreate(Schema):
    username = fields.String(required=True, validate=USERNAME)
    display_name = fields.String(load_default="", validate=validate.Length(max=200))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    org_unit_id = _id(load_default=None, allow_none=True)
    password = fields.String(required=True, validate=validate.Length(max=256))

    @validates_schema
    def _unit_for_scoped_roles(self, data, **_):
        if data.get("role") in SCOPED_ROLES and data.get("org_unit_id") is None:
            raise ValidationError(f"A {data['role']} needs an org unit.", "org_unit_id")


class AdminUserUpdate(Schema):
    display_name = fields.String(validate=validate.Length(min=1, max=200))
    role = fields.String(validate=validate.OneOf(ROLES))
    org_unit_id = _id(allow_none=True)
    active = _flag()

    @validates_schema
    def _something(self, data, **_):
        if not data:
            raise ValidationError("Give at least one of display_name, role, org_unit_id, active.")


class AdminPasswordReset(Schema):
    password = fields.String(required=True, validate=validate.Length(max=256))
    revoke_devices = _flag(
        load_default=False, metadata={"description": "also sign out every device of the user"}
    )


class AdminUsersQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    q = fields.String(validate=validate.Length(max=100))
    role = fields.String(validate=validate.OneOf(ROLES))
    active = fields.Boolean()
    org_unit_id = fields.Integer(
        validate=validate.Range(1, MAX_INT), metadata={"description": "this unit's subtree"}
    )


class AdminDeviceOut(Schema):
    """A device token (never the token or its hash)."""

    id = fields.Integer()
    user = fields.Dict(metadata={"description": "{id, username, display_name, role}"})
    device_id = fields.String()
    device_name = fields.String(allow_none=True)
    created_at = fields.String()
    last_seen_at = fields.String(allow_none=True)
    last_synced_at = fields.String(allow_none=True, metadata={"description": "last pull answered"})
    expires_at = fields.String()
    revoked_at = fields.String(allow_none=True)
    status = fields.String(validate=validate.OneOf(["active", "revoked", "expired"]))


class AdminPageQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    limit = fields.Integer(load_default=100, validate=validate.Range(1, 1000))
    offset = fields.Integer(load_default=0, validate=validate.Range(0, MAX_INT))


class AdminDevicesQuery(AdminPageQuery):
    user_id = fields.Integer(validate=validate.Range(1, MAX_INT))
    active = fields.Boolean(metadata={"description": "1: neither revoked nor expired"})


class AdminMarketsQuery(AdminPageQuery):
    q = fields.String(validate=validate.Length(max=100))
    org_unit_id = fields.Integer(
        validate=validate.Range(1, MAX_INT), metadata={"description": "this unit's subtree"}
    )
    market_class = fields.String(validate=validate.OneOf(MARKET_CLASSES))
    open = fields.Boolean(
        metadata={"description": "1: open (no closed_on); 0: closed (has a closed_on)"}
    )


class AdminOrgUnitOut(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    level = fields.String()
    parent_id = fields.Integer(allow_none=True)
    valid_from = fields.String(allow_none=True, metadata={"format": "date"})
    valid_to = fields.String(allow_none=True, metadata={"format": "date"})
    markets = fields.Integer(metadata={"description": "markets directly in this unit"})


class AdminMarketUpdate(Schema):
    """The importer's rules (server/markets/importer.py), for one market."""

    name = fields.String(validate=validate.Length(min=1, max=200))
    address = fields.String(allow_none=True, validate=validate.Length(max=300))
    lat = fields.Float(allow_none=True, validate=validate.Range(-90, 90))
    lon = fields.Float(allow_none=True, validate=validate.Range(-180, 180))
    market_class = fields.String(validate=validate.OneOf(MARKET_CLASSES))
    org_unit_id = _id()
    org_unit_from = fields.Date(metadata={
        "description": "when the move to org_unit_id takes effect (default: the unit's "
                       "valid_from when later than the current assignment's start, else today)"})
    opened_on = fields.Date(allow_none=True)
    closed_on = fields.Date(allow_none=True)

    @validates_schema
    def _something(self, data, **_):
        if "org_unit_from" in data and "org_unit_id" not in data:
            raise ValidationError("org_unit_from goes with org_unit_id.", "org_unit_from")
        if not data:
            raise ValidationError("Give at least one field to change.")
        if "name" in data and not data["name"].strip():
            raise ValidationError("The name may not be blank.", "name")


class AdminImportQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    dry_run = fields.Boolean(load_default=False, metadata={"description": "1: check only"})


class AdminImportOut(Schema):
    """Imported (or, with dry_run, checked): nothing is written unless every line is valid."""

    dry_run = fields.Boolean()
    rows = fields.Integer()
    created = fields.Integer()
    updated = fields.Integer()


class AdminTargetBody(Schema):
    target = fields.Float(required=True, validate=validate.Range(0, 1))
    org_unit_id = _id(load_default=None, allow_none=True)


class AdminTargetOut(Schema):
    """The period's target (201: newly set; 200: changed)."""

    period = fields.String()
    org_unit_id = fields.Integer(allow_none=True)
    target = fields.Float()


class AdminUserList(Schema):
    """Every user matching the filters, by username."""

    users = fields.List(fields.Nested(AdminUserOut))
    total = fields.Integer()


class AdminPasswordResetOut(AdminUserOut):
    """The user, and how many of its devices were signed out."""

    revoked_devices = fields.Integer()


class AdminDeviceList(Schema):
    """One page of device tokens and the total."""

    devices = fields.List(fields.Nested(AdminDeviceOut))
    total = fields.Integer()


class AdminMarketOut(Schema):
    """The market as in pull, plus its rev."""

    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    org_unit_id = fields.Integer()
    address = fields.String(allow_none=True)
    lat = fields.Float(allow_none=True)
    lon = fields.Float(allow_none=True)
    market_class = fields.String(validate=validate.OneOf(MARKET_CLASSES))
    opened_on = fields.String(allow_none=True, metadata={"format": "date"})
    closed_on = fields.String(allow_none=True, metadata={"format": "date"})
    rev = fields.Integer()


class AdminMarketList(Schema):
    """One page of markets by code and the total."""

    markets = fields.List(fields.Nested(AdminMarketOut))
    total = fields.Integer()


class AdminOrgUnitList(Schema):
    """Every org unit, past and present, by code."""

    org_units = fields.List(fields.Nested(AdminOrgUnitOut))
    total = fields.Integer()


class AdminTargetList(Schema):
    """Every target, by period."""

    targets = fields.List(fields.Nested(AdminTargetOut))
