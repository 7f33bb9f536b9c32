"""Secrets the server must read back (a two-factor seed: it cannot be hashed) are kept sealed
at rest, so that a copy of the database or of a backup alone does not give them away.

Fernet (AES-128-CBC and HMAC-SHA256, from `cryptography`) under a key derived by HKDF from
SECRET_KEY. To change SECRET_KEY, put the old value in SECRET_KEY_PREVIOUS (comma-separated
for several) until every sealed secret was opened and sealed again (`needs_reseal`); a secret
sealed under a key no longer given cannot be opened (`Unsealable`).
"""

import base64
from collections.abc import Mapping
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

from server.core.config import DEV_SECRET_KEY

# Changing this would make every sealed secret unreadable.
_PURPOSE = b"cho-xanh sealed secrets v1"


class Unsealable(Exception):
    """Sealed under a key that is not SECRET_KEY or one of SECRET_KEY_PREVIOUS."""


def _fernet_key(secret_key: str) -> bytes:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                   info=_PURPOSE).derive(secret_key.encode("utf-8"))
    return base64.urlsafe_b64encode(derived)


@lru_cache(maxsize=8)
def _sealer(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(_fernet_key(key)) for key in keys])


def _keys(config: Mapping) -> tuple[str, ...]:
    """SECRET_KEY first (it seals), then the previous keys, then the development key: what a
    server or an upgrade without its own SECRET_KEY sealed is opened and sealed again under the
    real key at its next use (it was no secret anyway), instead of locking its official out."""
    previous = [key.strip() for key in str(config.get("SECRET_KEY_PREVIOUS") or "").split(",")]
    keys = [config["SECRET_KEY"], *(key for key in previous if key)]
    return tuple(keys if DEV_SECRET_KEY in keys else [*keys, DEV_SECRET_KEY])


def seal(text: str, config: Mapping | None = None) -> str:
    return _sealer(_keys(config or current_app.config)).encrypt(text.encode()).decode("ascii")


def unseal(sealed: str, config: Mapping | None = None) -> str:
    try:
        return _sealer(_keys(config or current_app.config)).decrypt(sealed.encode()).decode()
    except InvalidToken:
        raise Unsealable("sealed under a key that is not configured") from None


def needs_reseal(sealed: str, config: Mapping | None = None) -> bool:
    """True when `sealed` opens only with a previous key (seal it again under SECRET_KEY)."""
    keys = _keys(config or current_app.config)
    if len(keys) == 1:
        return False
    try:
        _sealer(keys[:1]).decrypt(sealed.encode())
        return False
    except InvalidToken:
        return True
