"""Who a bearer token belongs to, remembered for a few seconds in each process (issue #15), so
that most requests read no token row at all.

Why that is safe enough:
- only a token that passed every check is remembered (never a refusal, never a user who must
  still enrol a second factor), and its expiry time is checked again on every request;
- a commit in this process that changed a device_token, app_user or user_totp row (revoking a
  device, signing out, deactivating a user, a new password, role or unit, a second factor
  removed) forgets every remembered token of the process: the process that revokes refuses
  the very next request (`_note_change` below);
- other processes (gunicorn workers, hosts) follow within TTL_SECONDS: there a revoked phone
  may be answered for up to that long (docs/DEPLOY.md §3).

What is remembered is plain column values; each request gets its own detached User and
DeviceToken built from them (`detached`).
"""

import threading
import time
import weakref
from itertools import chain

from sqlalchemy import event
from sqlalchemy.orm import Session, make_transient_to_detached

from server.models import DeviceToken, User, UserTotp

TTL_SECONDS = 5.0
MAX_ENTRIES = 20_000  # a bound, not a tuning knob: past it the cache starts again empty
# Execution option of the writes that change nothing a token check depends on
# (last_seen_at, last_synced_at): they keep the remembered tokens.
KEEPS_TOKENS = "keeps_remembered_tokens"
_WATCHED = (User, DeviceToken, UserTotp)
_FLAG = "forget_remembered_tokens"
_CACHES: "weakref.WeakSet[TokenCache]" = weakref.WeakSet()


def values(obj) -> dict:
    """The row's column values (what is remembered)."""
    return {attr.key: getattr(obj, attr.key) for attr in obj.__mapper__.column_attrs}


def detached(user_values: dict, token_values: dict) -> tuple[User, DeviceToken]:
    """A User and a DeviceToken of the request's own, in no session: a commit does not expire
    them (no re-read after it), and the session's own objects are left alone."""
    pair = User(**user_values), DeviceToken(**token_values)
    for obj in pair:
        make_transient_to_detached(obj)  # as if loaded: never INSERTed if added to a session
    return pair


class TokenCache:
    """token hash → (deadline, user values, token values), for one app in one process."""

    def __init__(self, ttl: float = TTL_SECONDS):
        self.ttl = ttl
        self._entries: dict[str, tuple[float, dict, dict]] = {}
        self._generation = 0
        self._lock = threading.Lock()
        _CACHES.add(self)

    @property
    def generation(self) -> int:
        """Read before looking a token up in the database; hand it to `remember`."""
        return self._generation

    def recall(self, token_hash: str) -> tuple[dict, dict] | None:
        """(user values, token values), if remembered and not older than the TTL."""
        entry = self._entries.get(token_hash)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1], entry[2]

    def remember(self, token_hash: str, generation: int, user_values: dict,
                 token_values: dict) -> None:
        """Keep a token that passed, unless something was forgotten since it was read (a
        revocation committed meanwhile must not be overwritten by what was read before it)."""
        entry = (time.monotonic() + self.ttl, user_values, dict(token_values))
        with self._lock:
            if generation != self._generation:
                return
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
            self._entries[token_hash] = entry

    def update(self, token_hash: str, **token_values) -> None:
        """A column this process just wrote itself (last_seen_at, last_synced_at)."""
        entry = self._entries.get(token_hash)
        if entry is not None:
            entry[2].update(token_values)

    def forget(self, token_hash: str | None = None) -> None:
        with self._lock:
            self._generation += 1
            if token_hash is None:
                self._entries.clear()
            else:
                self._entries.pop(token_hash, None)


def forget_everywhere() -> None:
    """Every remembered token of this process, in every app (tests run several)."""
    for cache in list(_CACHES):
        cache.forget()


# ----------------------------------------------------------------- what makes it forget


@event.listens_for(Session, "after_flush")
def _note_flushed_change(session, _context):
    # After a flush the session still lists what it flushed as dirty/deleted.
    if not session.info.get(_FLAG) and any(
            isinstance(obj, _WATCHED) for obj in chain(session.dirty, session.deleted)):
        session.info[_FLAG] = True


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_change(state):
    if (state.is_update or state.is_delete) and not state.execution_options.get(KEEPS_TOKENS):
        mapper = state.bind_mapper
        if mapper is not None and mapper.class_ in _WATCHED:
            state.session.info[_FLAG] = True


@event.listens_for(Session, "after_commit")
def _forget_after_commit(session):
    if session.info.pop(_FLAG, False):
        forget_everywhere()

# A rolled-back change leaves the flag set: the session's next commit forgets once more than
# needed, which costs a few lookups and is never wrong.
