"""GET/PUT /admin/settings: the help contact shown on the sign-in screen (admins only)."""

from flask import g
from marshmallow import Schema, fields, validate

from server.admin import bp
from server.admin.settings import support_settings, update_support_contact
from server.auth.tokens import require_auth
from server.core.apidoc import doc


class AdminSettingsBody(Schema):
    support_contact = fields.String(required=True, validate=validate.Length(max=300), metadata={
        "description": "name, phone, e-mail as one line; blank: the deployment's "
                       "SUPPORT_CONTACT again"})


class AdminSettingsOut(Schema):
    support_contact = fields.String(metadata={"description": "what the sign-in screen shows"})
    default_support_contact = fields.String(metadata={
        "description": "the deployment's SUPPORT_CONTACT, shown when none is set here"})
    updated_at = fields.String(allow_none=True, metadata={"format": "date-time"})


@bp.get("/settings")
@require_auth("admin")
@doc(tags=["admin"], responses={200: AdminSettingsOut}, errors=(401, 403))
def admin_settings_get():
    """The help contact shown on the sign-in screen (read there from GET /health)."""
    return support_settings()


@bp.put("/settings")
@require_auth("admin")
@doc(tags=["admin"], body=AdminSettingsBody, load_body=True,
     responses={200: AdminSettingsOut}, errors=(400, 401, 403, 415, 422))
def admin_settings_put(body: dict):
    """Set the help contact for locked-out users (blank: the deployment's default)."""
    return update_support_contact(g.user, body["support_contact"])
