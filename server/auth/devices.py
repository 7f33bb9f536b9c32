"""A device's name: "Android · Chrome" read from the User-Agent at sign-in (a few rules, enough
for the phones and desks the app runs on), kept across sign-ins on the same phone, renamed by its
user (PATCH /me/devices/<device_id>), and when it last synced (its last pull answered)."""

import re
from datetime import timedelta

from sqlalchemy import select, update

from server.auth.token_cache import KEEPS_TOKENS
from server.auth.tokens import wrote
from server.core.extensions import begin_write, db
from server.core.timeutil import utcnow
from server.models import DeviceToken

# First match wins: Edge, Opera and Samsung Internet also say "Chrome"; Chrome also says "Safari".
_BROWSERS = (
    (re.compile(r"\bEdg(e|A|iOS)?/"), "Edge"),
    (re.compile(r"\bSamsungBrowser/"), "Samsung Internet"),
    (re.compile(r"\b(OPR|Opera)/"), "Opera"),
    (re.compile(r"\bcoc_coc_browser/"), "Cốc Cốc"),
    (re.compile(r"\b(Firefox|FxiOS)/"), "Firefox"),
    (re.compile(r"\b(Chrome|CriOS|HeadlessChrome|Chromium)/"), "Chrome"),
    (re.compile(r"\bVersion/[\d.]+.*\bSafari/"), "Safari"),
)
_PLATFORMS = (
    (re.compile(r"\bAndroid\b"), "Android"),
    (re.compile(r"\b(iPhone|iPod)\b"), "iPhone"),
    (re.compile(r"\biPad\b"), "iPad"),
    (re.compile(r"\bCrOS\b"), "ChromeOS"),
    (re.compile(r"\bWindows\b"), "Windows"),
    (re.compile(r"\bMacintosh\b"), "macOS"),
    (re.compile(r"\bLinux\b"), "Linux"),
)
# A sync is noted at most this often (pull pages come in bursts).
LAST_SYNC_RESOLUTION = timedelta(seconds=30)


def name_from_user_agent(user_agent: str | None) -> str | None:
    """"Android · Chrome", "iPhone · Safari", "Windows · Edge"; None when nothing is known."""
    ua = user_agent or ""
    platform = next((name for pattern, name in _PLATFORMS if pattern.search(ua)), None)
    browser = next((name for pattern, name in _BROWSERS if pattern.search(ua)), None)
    return " · ".join(part for part in (platform, browser) if part) or None


def sign_in_name(user_id: int, device_id: str, given: str | None, user_agent: str | None):
    """The name of a new token: the one the phone sent, else the name this user's phone had
    last time (a rename survives signing in again), else the User-Agent's."""
    if given and given.strip():
        return given.strip()
    previous = db.session.scalar(
        select(DeviceToken.device_name)
        .where(DeviceToken.user_id == user_id, DeviceToken.device_id == device_id,
               DeviceToken.device_name.is_not(None))
        .order_by(DeviceToken.id.desc())
        .limit(1)
    )
    return previous or name_from_user_agent(user_agent)


def rename_device(user_id: int, device_id: str, name: str) -> int:
    """Renames every sign-in of this user on that phone; the number of rows (0: not theirs)."""
    begin_write()
    result = db.session.execute(
        update(DeviceToken)
        .where(DeviceToken.user_id == user_id, DeviceToken.device_id == device_id)
        .values(device_name=name)
    )
    db.session.commit()
    return result.rowcount


def note_sync(token: DeviceToken) -> None:
    """The device synced now (a pull page answered: every sync ends with one); a short write
    of its own, at most every LAST_SYNC_RESOLUTION."""
    now = utcnow()
    if token.last_synced_at is not None and now - token.last_synced_at < LAST_SYNC_RESOLUTION:
        return
    db.session.commit()
    begin_write()
    db.session.execute(
        update(DeviceToken).where(DeviceToken.id == token.id).values(last_synced_at=now)
        .execution_options(**{KEEPS_TOKENS: True})  # no token check depends on it
    )
    db.session.commit()
    wrote(token, last_synced_at=now)
