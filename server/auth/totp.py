"""Two-factor sign-in (issue #17): TOTP codes of RFC 6238 (30 s, 6 digits, SHA-1, what
authenticator apps use, computed by pyotp) and ten one-time recovery codes.

- Enrolling: `start_enrolment` makes a secret (not yet active), `confirm_enrolment` turns it on
  once the user types a code from their app, and answers the recovery codes (shown once; only
  their SHA-256 is kept). `disable` (the user, with a code) and `reset` (an admin) turn it off.
- Signing in: `second_factor_problem` checks the `otp` of POST /auth/token: a code of the
  current time step or one either side (clock drift), never a step at or before the last one
  accepted (no replay within its window, RFC 6238 §5.2), or an unused recovery code.
- `must_enrol`: the roles of the TOTP_REQUIRED_ROLES setting, until they enrol, may only use
  the routes marked `enrolling=True` in auth/tokens.py `require_auth`.

The secret is stored sealed (server/core/sealing.py); it and the codes never go to a log
line or an audit event.
"""

import hashlib
import hmac
import logging
import re
import secrets
import time

import pyotp
from sqlalchemy import delete, select

from server.audit.record import record as record_event
from server.core.errors import ApiError
from server.core.extensions import begin_write, db
from server.core.sealing import Unsealable, needs_reseal, seal, unseal
from server.core.settings import setting
from server.core.timeutil import utcnow
from server.models import TotpRecoveryCode, User, UserTotp

log = logging.getLogger(__name__)

ISSUER = "Chợ Xanh"
STEP_SECONDS = 30
DRIFT_STEPS = 1  # a code of the step before or after the server's is accepted too
RECOVERY_CODE_COUNT = 10
# 32 symbols without I and O (read as 1 and 0): 16 of them carry 80 bits.
_RECOVERY_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
_RECOVERY_GROUPS, _RECOVERY_GROUP_SIZE = 4, 4
SIX_DIGITS = re.compile(r"^\d{6}$")

# Why a sign-in's second factor was refused (the error codes of POST /auth/token).
OTP_REQUIRED = "otp_required"
INVALID_OTP = "invalid_otp"
OTP_ALREADY_USED = "otp_already_used"


def required_roles() -> frozenset[str]:
    return frozenset(r.strip() for r in setting("TOTP_REQUIRED_ROLES").split(",") if r.strip())


def _active(user_id: int, lock: bool = False) -> UserTotp | None:
    query = select(UserTotp).where(UserTotp.user_id == user_id,
                                   UserTotp.confirmed_at.is_not(None))
    return db.session.scalar(query.with_for_update() if lock else query)


def is_enabled(user_id: int) -> bool:
    return _active(user_id) is not None


def enabled_user_ids() -> set[int]:
    """Everyone with an active second factor (for the admin's user list)."""
    return set(db.session.scalars(
        select(UserTotp.user_id).where(UserTotp.confirmed_at.is_not(None))))


def must_enrol(user: User) -> bool:
    """True while the user's role must have a second factor and the user has none."""
    return user.role in required_roles() and not is_enabled(user.id)


def status(user: User) -> dict:
    """What the PWA needs to know: is it on, and must this user turn it on."""
    enabled = is_enabled(user.id)
    return {"enabled": enabled, "required": user.role in required_roles()}


# ------------------------------------------------------------------ codes


def _matching_step(secret: str, code: str, at: float | None = None) -> int | None:
    """The time step whose code `code` is (current ± DRIFT_STEPS), or None."""
    if not SIX_DIGITS.match(code):
        return None
    totp = pyotp.TOTP(secret, digits=6, digest=hashlib.sha1, interval=STEP_SECONDS)
    current = int((time.time() if at is None else at) // STEP_SECONDS)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _use_code(record: UserTotp, code: str) -> str | None:
    """Accept a TOTP code once (recording its step) or say why not."""
    try:
        secret = unseal(record.sealed_secret)
    except Unsealable:  # SECRET_KEY changed without SECRET_KEY_PREVIOUS: not the user's fault,
        # so not a wrong code (which counts toward the lock); a recovery code still works
        log.error("two-factor secret of user %s sealed under an unknown key", record.user_id)
        raise ApiError(503, "totp_unavailable",
                       "Two-step codes cannot be checked on this server now (its key changed); "
                       "use a recovery code or ask an administrator.") from None
    step = _matching_step(secret, code)
    if step is None:
        return INVALID_OTP
    if record.last_used_step is not None and step <= record.last_used_step:
        return OTP_ALREADY_USED
    record.last_used_step = step
    if needs_reseal(record.sealed_secret):  # opened by a previous key: the current one now
        record.sealed_secret = seal(secret)
    return None


def _normalise_recovery(code: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", code.upper())


def _hash_recovery(code: str) -> str:
    return hashlib.sha256(_normalise_recovery(code).encode()).hexdigest()


def _new_recovery_code() -> str:
    chars = "".join(secrets.choice(_RECOVERY_ALPHABET)
                    for _ in range(_RECOVERY_GROUPS * _RECOVERY_GROUP_SIZE))
    size = _RECOVERY_GROUP_SIZE
    return "-".join(chars[i:i + size] for i in range(0, len(chars), size))


def _use_recovery_code(user_id: int, code: str) -> bool:
    row = db.session.scalar(
        select(TotpRecoveryCode)
        .where(TotpRecoveryCode.user_id == user_id,
               TotpRecoveryCode.code_hash == _hash_recovery(code),
               TotpRecoveryCode.used_at.is_(None))
        .with_for_update())
    if row is None:
        return False
    row.used_at = utcnow()
    return True


def _use_code_or_recovery(record: UserTotp, otp: str) -> str | None:
    otp = otp.strip().replace(" ", "")
    if SIX_DIGITS.match(otp):
        return _use_code(record, otp)
    return None if _use_recovery_code(record.user_id, otp) else INVALID_OTP


def _forget(user_id: int) -> bool:
    """Delete the user's second factor and recovery codes; True if there was one."""
    db.session.execute(delete(TotpRecoveryCode).where(TotpRecoveryCode.user_id == user_id))
    return db.session.execute(
        delete(UserTotp).where(UserTotp.user_id == user_id)).rowcount > 0


# ------------------------------------------------------------------ sign-in


def second_factor_problem(user: User, otp: str | None) -> str | None:
    """Inside the sign-in's write transaction, after the password matched: None when the user
    has no second factor or `otp` is a good code (then spent), else the refusal's code."""
    record = _active(user.id, lock=True)
    if record is None:
        return None
    if not otp or not otp.strip():
        return OTP_REQUIRED
    return _use_code_or_recovery(record, otp)


# ------------------------------------------------------------------ enrolment


def start_enrolment(user: User) -> dict:
    """A new secret for the user's app, inactive until confirmed (a second start replaces an
    unconfirmed one). 409 totp_already_enabled when one is active."""
    begin_write()
    record = db.session.scalar(
        select(UserTotp).where(UserTotp.user_id == user.id).with_for_update())
    if record is not None and record.confirmed_at is not None:
        raise ApiError(409, "totp_already_enabled",
                       "Two-factor sign-in is already on; turn it off first to enrol again.")
    secret = pyotp.random_base32()  # 32 base32 characters: 160 bits, as RFC 4226 advises
    if record is None:
        record = UserTotp(user_id=user.id, sealed_secret=seal(secret), created_at=utcnow())
        db.session.add(record)
    else:
        record.sealed_secret, record.created_at = seal(secret), utcnow()
        record.last_used_step = None
    db.session.commit()
    uri = pyotp.TOTP(secret, interval=STEP_SECONDS).provisioning_uri(
        name=user.username, issuer_name=ISSUER)
    return {"secret": secret, "otpauth_uri": uri}


def _invalid_code() -> ApiError:
    message = "This code is not right; type the 6 digits your app shows now."
    return ApiError(422, INVALID_OTP, message, {"code": [message]})


def confirm_enrolment(user: User, code: str) -> list[str]:
    """Turn the started enrolment on with a code from the app; answers the recovery codes
    (the only time they are shown)."""
    begin_write()
    record = db.session.scalar(
        select(UserTotp).where(UserTotp.user_id == user.id).with_for_update())
    if record is None:
        raise ApiError(409, "totp_not_started", "Start enrolling first (POST /me/totp).")
    if record.confirmed_at is not None:
        raise ApiError(409, "totp_already_enabled", "Two-factor sign-in is already on.")
    if _use_code(record, code.strip().replace(" ", "")) is not None:
        db.session.rollback()
        raise _invalid_code()
    record.confirmed_at = utcnow()
    db.session.execute(delete(TotpRecoveryCode).where(TotpRecoveryCode.user_id == user.id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(TotpRecoveryCode(user_id=user.id, code_hash=_hash_recovery(c))
                       for c in codes)
    record_event("auth.totp_enabled", ("user", user.id, user.username))
    db.session.commit()
    return codes


def disable(user: User, code: str) -> None:
    """The user turns their second factor off, proving it with a code (or a recovery code)."""
    begin_write()
    record = _active(user.id, lock=True)
    if record is None:
        raise ApiError(409, "totp_not_enabled", "Two-factor sign-in is not on.")
    if _use_code_or_recovery(record, code) is not None:
        db.session.rollback()
        raise _invalid_code()
    _forget(user.id)
    db.session.commit()


def reset(user_id: int) -> bool:
    """An admin removes a user's second factor (a lost phone), inside the admin's transaction:
    the user signs in with the password alone, and enrols again if their role must. True if
    there was one (active or started) to remove."""
    return _forget(user_id)
