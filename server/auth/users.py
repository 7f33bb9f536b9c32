"""Creating users and checking passwords (hashes only; never a clear password stored)."""

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from server.audit.record import record
from server.auth.passwords import MIN_LENGTH, check_password_rules
from server.core.errors import ApiError
from server.core.extensions import db
from server.models import ROLES, OrgUnit, User

MIN_PASSWORD_LENGTH = MIN_LENGTH


def validate_password(password: str, username: str | None = None) -> None:
    """The rules of server/auth/passwords.py; 422 `weak_password` naming the field."""
    check_password_rules(password, username)


def create_user(
    username: str, role: str, password: str, org_unit_code: str | None, display_name: str = ""
) -> User:
    if role not in ROLES:
        raise ApiError(422, "validation_failed", f"role must be one of {', '.join(ROLES)}")
    if db.session.scalar(select(User.id).where(User.username == username)) is not None:
        raise ApiError(409, "user_exists", f"user {username!r} already exists")
    validate_password(password, username)
    org_unit_id = None
    if org_unit_code:
        org_unit_id = db.session.scalar(select(OrgUnit.id).where(OrgUnit.code == org_unit_code))
        if org_unit_id is None:
            raise ApiError(422, "validation_failed", f"org unit {org_unit_code!r} does not exist")
    elif role in ("inspector", "ward_officer"):
        raise ApiError(422, "validation_failed", f"a {role} needs an org unit (--org-unit CODE)")
    user = User(
        username=username,
        display_name=display_name or username,
        role=role,
        org_unit_id=org_unit_id,
        password_hash=generate_password_hash(password),
        active=True,
    )
    db.session.add(user)
    db.session.flush()
    record("user.create", ("user", user.id, user.username),
           {"role": role, "org_unit_id": org_unit_id, "display_name": user.display_name})
    db.session.commit()
    return user


def check_password(user: User, password: str) -> bool:
    return check_password_hash(user.password_hash, password)
