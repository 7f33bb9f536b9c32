"""Devices are the token rows phones hold: list them, revoke one (the phone's next request gets
401 `token_revoked`). The token hash never leaves the server."""

from sqlalchemy import func, select

from server.audit.record import record
from server.core.extensions import begin_write, db
from server.core.queryparams import get_or_404
from server.core.timeutil import iso_z, utcnow
from server.models import DeviceToken, User


def device_out(token: DeviceToken, user: User, now=None) -> dict:
    now = now or utcnow()
    status = "revoked" if token.revoked_at else "expired" if token.expires_at <= now else "active"
    return {
        "id": token.id,
        "user": {"id": user.id, "username": user.username, "display_name": user.display_name,
                 "role": user.role},
        "device_id": token.device_id,
        "device_name": token.device_name,
        "created_at": iso_z(token.created_at),
        "last_seen_at": iso_z(token.last_seen_at),
        "last_synced_at": iso_z(token.last_synced_at),
        "expires_at": iso_z(token.expires_at),
        "revoked_at": iso_z(token.revoked_at),
        "status": status,
    }


def list_devices(args: dict) -> dict:
    now = utcnow()
    conditions = []
    if "user_id" in args:
        conditions.append(DeviceToken.user_id == args["user_id"])
    if args.get("active") is True:
        conditions += [DeviceToken.revoked_at.is_(None), DeviceToken.expires_at > now]
    elif args.get("active") is False:
        conditions.append((DeviceToken.revoked_at.is_not(None)) | (DeviceToken.expires_at <= now))
    total = db.session.scalar(select(func.count()).select_from(DeviceToken).where(*conditions))
    rows = db.session.execute(
        select(DeviceToken, User)
        .join(User, User.id == DeviceToken.user_id)
        .where(*conditions)
        .order_by(DeviceToken.last_seen_at.desc().nulls_last(), DeviceToken.id.desc())
        .limit(args["limit"])
        .offset(args["offset"])
    )
    return {"devices": [device_out(t, u, now) for t, u in rows], "total": total}


def revoke_device(token_id: int) -> dict:
    """Revoke the token (again is harmless: the first revocation time stays)."""
    begin_write()
    token = get_or_404(DeviceToken, token_id, "device", lock=True)
    user = db.session.get(User, token.user_id)
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record("device.revoke",
               ("device", token.id, f"{user.username} · {token.device_name or token.device_id}"),
               {"user_id": user.id, "username": user.username, "device_id": token.device_id,
                "device_name": token.device_name})
    db.session.commit()
    return device_out(token, user)
