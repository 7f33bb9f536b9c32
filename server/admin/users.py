"""Managing users: list, create (server/auth/users.py rules), change, reset a password."""

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import generate_password_hash

from server.admin.schemas import SCOPED_ROLES
from server.admin.search import matches
from server.audit.record import record
from server.auth import throttle, totp
from server.auth.scope import subtree_ids
from server.auth.users import create_user, validate_password
from server.core.errors import ApiError
from server.core.extensions import begin_write, db
from server.core.queryparams import get_or_404
from server.core.timeutil import iso_z, utcnow
from server.models import DeviceToken, OrgUnit, User

AUDITED_FIELDS = ("role", "org_unit_id", "active", "display_name")
# create_user's own refusals, and the field each one is about
FIELD_OF_CODE = {"user_exists": "username", "weak_password": "password"}


def user_out(user: User, totp_enabled: bool | None = None) -> dict:
    if totp_enabled is None:
        totp_enabled = totp.is_enabled(user.id)
    return {**user.to_dict(), "active": user.active, "created_at": iso_z(user.created_at),
            "totp_enabled": totp_enabled}


def _with_field(exc: ApiError, field: str) -> ApiError:
    return ApiError(exc.status, exc.code, exc.message, exc.fields or {field: [exc.message]})


def _unit_code(org_unit_id: int | None) -> str | None:
    if org_unit_id is None:
        return None
    code = db.session.scalar(select(OrgUnit.code).where(OrgUnit.id == org_unit_id))
    if code is None:
        raise ApiError(422, "validation_failed", "Some fields are not valid.",
                       {"org_unit_id": ["Unknown org unit."]})
    return code


def list_users(args: dict) -> dict:
    query = select(User).order_by(User.username)
    if "role" in args:
        query = query.where(User.role == args["role"])
    if "active" in args:
        query = query.where(User.active.is_(args["active"]))
    if "org_unit_id" in args:
        query = query.where(User.org_unit_id.in_(subtree_ids(args["org_unit_id"])))
    with_totp = totp.enabled_user_ids()
    users = [user_out(u, u.id in with_totp) for u in db.session.scalars(query)
             if not args.get("q") or matches(args["q"], u.username, u.display_name)]
    return {"users": users, "total": len(users)}


def get_user(user_id: int) -> dict:
    return user_out(get_or_404(User, user_id, "user"))


def add_user(body: dict) -> dict:
    begin_write()
    try:
        validate_password(body["password"], body["username"])
        user = create_user(body["username"], body["role"], body["password"],
                           _unit_code(body["org_unit_id"]), body["display_name"].strip())
    except ApiError as exc:
        db.session.rollback()
        if exc.code not in FIELD_OF_CODE:
            raise
        raise _with_field(exc, FIELD_OF_CODE[exc.code]) from None
    except IntegrityError:  # the same username, created by a concurrent request
        db.session.rollback()
        raise ApiError(409, "user_exists", f"user {body['username']!r} already exists",
                       {"username": ["Already taken."]}) from None
    return user_out(user)


def _keep_an_admin(user: User, role: str, active: bool) -> None:
    """Refuse a change that would leave no active admin (nobody could undo it)."""
    if user.role != "admin" or not user.active or (role == "admin" and active):
        return
    others = db.session.scalars(
        select(User.id)
        .where(User.role == "admin", User.active.is_(True), User.id != user.id)
        .with_for_update()
    ).all()
    if not others:
        raise ApiError(409, "last_admin", "This is the last active admin; keep at least one.")


def change_user(user_id: int, body: dict) -> dict:
    begin_write()
    user = get_or_404(User, user_id, "user", lock=True)
    role = body.get("role", user.role)
    unit_id = body.get("org_unit_id", user.org_unit_id)
    active = body.get("active", user.active)
    if "org_unit_id" in body:
        _unit_code(unit_id)
    if role in SCOPED_ROLES and unit_id is None:
        raise ApiError(422, "validation_failed", "Some fields are not valid.",
                       {"org_unit_id": [f"A {role} needs an org unit."]})
    _keep_an_admin(user, role, active)
    before = {name: getattr(user, name) for name in AUDITED_FIELDS}
    if "display_name" in body:
        user.display_name = body["display_name"].strip() or user.username
    if user.active != active:
        # Signed out for good: reactivating must not revive a phone's old token. Revoking on
        # reactivation too catches a token a login raced in while the account was closing.
        revoke_user_devices(user.id)
    user.role, user.org_unit_id, user.active = role, unit_id, active
    changed = [name for name in AUDITED_FIELDS if getattr(user, name) != before[name]]
    if changed:  # a change to nothing is no act
        record("user.update", ("user", user.id, user.username),
               {"before": {n: before[n] for n in changed},
                "after": {n: getattr(user, n) for n in changed}})
    db.session.commit()
    return user_out(user)


def revoke_user_devices(user_id: int) -> int:
    result = db.session.execute(
        update(DeviceToken)
        .where(DeviceToken.user_id == user_id, DeviceToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return result.rowcount


def reset_password(user_id: int, body: dict) -> dict:
    begin_write()
    user = get_or_404(User, user_id, "user", lock=True)
    try:
        validate_password(body["password"], user.username)
    except ApiError as exc:
        db.session.rollback()
        raise _with_field(exc, "password") from None
    user.password_hash = generate_password_hash(body["password"])
    revoked = revoke_user_devices(user.id) if body["revoke_devices"] else 0
    throttle.clear_failures(user.username)  # the new password works at once
    record("user.password_reset", ("user", user.id, user.username),
           {"revoked_devices": revoked})
    db.session.commit()
    return {**user_out(user), "revoked_devices": revoked}


def reset_totp(user_id: int) -> None:
    """Remove a user's second factor (a lost phone); their devices stay signed in."""
    begin_write()
    user = get_or_404(User, user_id, "user", lock=True)
    if totp.reset(user.id):  # resetting nothing is no act: no event
        record("auth.totp_reset", ("user", user.id, user.username))
    db.session.commit()
