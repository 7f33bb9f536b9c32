"""Recording one audit event inside the current transaction (no commit here: the act commits
it, or rolls it back with the act, so there is never an act without its event nor an event
without its act).

    from server.audit.record import record
    record("user.update", ("user", user.id, user.username),
           {"before": {"role": "inspector"}, "after": {"role": "ward_officer"}})

`actor` defaults to the signed-in user of the request (g.user), or nobody outside a request
(the command line: then `details["via"]` is "cli"). ip and device id come from the request
when there is one. Details never hold a password, a token or a secret: keys that name one are
refused (a bug, raised as ValueError before anything is written)."""

import hashlib
from datetime import date, datetime
from pathlib import Path

from flask import g, has_request_context, request

from server.core.extensions import db
from server.core.timeutil import iso_z, utcnow
from server.models import AuditEvent, User

ACTIONS = (
    "user.create", "user.update", "user.password_reset", "device.revoke",
    "market.create", "market.update", "markets.import", "org_units.import",
    "target.set", "indicator.finalize", "settings.update",
    "auth.login_failed", "auth.locked", "auth.totp_enabled", "auth.totp_reset",
)
# A details key containing one of these words, or equal to "otp", names a secret: refused.
SECRET_WORDS = ("password", "token", "secret", "recovery", "_hash")
_REQUEST_USER = object()


def _json_safe(value):
    if isinstance(value, dict):
        for key in value:
            name = str(key).lower()
            if name == "otp" or any(word in name for word in SECRET_WORDS):
                raise ValueError(f"audit details may not carry {key!r}")
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, datetime):
        return iso_z(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def record(action: str, target: tuple, details: dict | None = None, actor=_REQUEST_USER,
           via: str | None = None) -> AuditEvent:
    """Add the event to the session (the caller commits). `target` is (type, id, label);
    `actor` a User, None for nobody, or left out for the request's signed-in user."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    in_request = has_request_context()
    if actor is _REQUEST_USER:
        actor = g.get("user") if in_request else None
    if via is None and not in_request:
        via = "cli"
    details = _json_safe(dict(details or {}))
    if via:
        details["via"] = via
    target_type, target_id, label = target
    token = g.get("device_token") if in_request else None
    event = AuditEvent(
        at=utcnow(),
        actor_id=actor.id if isinstance(actor, User) else None,
        actor_username=actor.username if isinstance(actor, User) else None,
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        target_label=None if label is None else str(label)[:300],
        details=details,
        ip=request.remote_addr if in_request else None,
        device_id=token.device_id if token is not None else None,
    )
    db.session.add(event)
    return event


def event_out(event: AuditEvent) -> dict:
    out = {
        "id": event.id,
        "at": iso_z(event.at),
        "actor": (None if event.actor_username is None
                  else {"id": event.actor_id, "username": event.actor_username}),
        "action": event.action,
        "target": {"type": event.target_type, "id": event.target_id,
                   "label": event.target_label},
        "details": event.details or {},
    }
    if event.ip is not None:
        out["ip"] = event.ip
    if event.device_id is not None:
        out["device_id"] = event.device_id
    return out


def file_sha256(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def record_import(action: str, kind: str, path, created: int, updated: int,
                  source: tuple[str, str | None] | None = None) -> AuditEvent:
    """`markets.import` / `org_units.import`: counts and the file's SHA-256. `source` is
    (sha256, file name) of what was uploaded, when the importer reads a copy of it."""
    sha256, name = source or (file_sha256(path), Path(path).name)
    return record(action, (kind, None, name), {
        "rows": created + updated, "created": created, "updated": updated,
        "sha256": sha256, "file": name,
    })
