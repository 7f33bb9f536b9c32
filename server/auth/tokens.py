"""Device tokens: random, stored as SHA-256, expiring, revocable; the bearer check for routes."""

import hashlib
import secrets
from datetime import timedelta
from functools import wraps

from flask import current_app, g, request
from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from server.auth.token_cache import KEEPS_TOKENS, TokenCache, detached, values
from server.auth.totp import must_enrol
from server.core.errors import ApiError
from server.core.extensions import begin_write, db
from server.core.timeutil import utcnow
from server.models import DeviceToken, User

# Writing last_seen_at on every request would make every read a write; a few minutes is enough
# for the admin's device list.
LAST_SEEN_RESOLUTION = timedelta(minutes=5)
CACHE = "token_cache"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, device_id: str, device_name: str | None) -> tuple[str, DeviceToken]:
    token = secrets.token_urlsafe(32)
    now = utcnow()
    record = DeviceToken(
        user_id=user.id,
        device_id=device_id,
        device_name=device_name,
        token_hash=hash_token(token),
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(days=current_app.config["TOKEN_TTL_DAYS"]),
    )
    db.session.add(record)
    return token, record


def _bearer_token() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "unauthorized", "Send a token: Authorization: Bearer <token>.")
    return token.strip()


def _cache() -> TokenCache:
    cache = current_app.extensions.get(CACHE)
    if cache is None:
        cache = current_app.extensions.setdefault(CACHE, TokenCache())
    return cache


def authenticate(fresh: bool = False) -> tuple[User, DeviceToken, bool]:
    """(user, token, must_enrol) of the request's bearer token, or 401. One query when the
    token is not remembered (server/auth/token_cache.py), none when it is; `fresh`: read it
    from the database whatever is remembered. The user and token are the request's own,
    detached copies (a commit does not make them read again)."""
    token_hash = hash_token(_bearer_token())
    cache = _cache()
    remembered = None if fresh else cache.recall(token_hash)
    if remembered is not None:
        user_values, token_values = remembered
    else:
        generation = cache.generation
        row = db.session.execute(
            select(DeviceToken, User)
            .join(User, User.id == DeviceToken.user_id)
            .where(DeviceToken.token_hash == token_hash)
            .execution_options(populate_existing=True)  # what the row says now, not a copy
        ).first()
        if row is None:
            raise ApiError(401, "invalid_token", "This token is not valid; log in again.")
        user_values, token_values = values(row.User), values(row.DeviceToken)
    user, record = detached(user_values, token_values)
    now = utcnow()
    if record.revoked_at is not None:
        raise ApiError(401, "token_revoked", "This device was signed out; log in again.")
    if record.expires_at <= now:
        raise ApiError(401, "token_expired", "This token has expired; log in again.")
    if not user.active:
        raise ApiError(401, "user_inactive", "This account is deactivated.")
    enrol = False  # only tokens of users who need not enrol are remembered
    if remembered is None:
        enrol = must_enrol(user)
        if not enrol:
            cache.remember(token_hash, generation, user_values, token_values)
    if record.last_seen_at is None or now - record.last_seen_at > LAST_SEEN_RESOLUTION:
        _touch(record.id, now)
        wrote(record, last_seen_at=now)
    return user, record, enrol


def wrote(token: DeviceToken, **columns) -> None:
    """This request just wrote these columns of its token (last_seen_at, last_synced_at, with
    KEEPS_TOKENS): its copy and the remembered one say so too, without reading it again."""
    for name, value in columns.items():
        set_committed_value(token, name, value)
    _cache().update(token.token_hash, **columns)


def _touch(token_id: int, now) -> None:
    """Note when the device was last seen, in a short write transaction of its own (a plain
    UPDATE: concurrent requests with one token must not fail on each other)."""
    db.session.commit()
    begin_write()
    db.session.execute(
        update(DeviceToken).where(DeviceToken.id == token_id).values(last_seen_at=now)
        .execution_options(**{KEEPS_TOKENS: True})
    )
    db.session.commit()


def require_auth(*roles: str, enrolling: bool = False):
    """Route decorator: a valid bearer token (and one of `roles`, if given) or 401/403.
    Sets g.user and g.device_token.

    A user whose role must have a second factor (TOTP_REQUIRED_ROLES) and who has none yet
    gets 403 `totp_enrolment_required` except on the routes marked `enrolling=True` (/me,
    sign-out, enrolling)."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            user, token, enrol = authenticate()
            if roles and user.role not in roles:
                # A role changed on another process within the cache's few seconds must not
                # refuse: a refusal is always decided on what the database says now.
                user, token, enrol = authenticate(fresh=True)
            g.user, g.device_token = user, token
            if roles and user.role not in roles:
                raise ApiError(403, "forbidden", "Your role may not do this.")
            if not enrolling and enrol:
                raise ApiError(403, "totp_enrolment_required",
                               "Your role must use two-factor sign-in: enrol first "
                               "(POST /me/totp, then POST /me/totp/confirm).")
            return view(*args, **kwargs)

        return wrapper

    return decorate
