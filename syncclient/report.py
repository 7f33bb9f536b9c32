"""Small shared pieces: the sync report, phone time, image types."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

FORM_VERSION = "2023.1"
HANOI = timezone(timedelta(hours=7))
IMAGE_TYPES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


def image_type(content: bytes) -> str:
    """The Content-Type of an upload, from its first bytes (as the server checks it)."""
    for magic, content_type in IMAGE_TYPES:
        if content.startswith(magic):
            return content_type
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return "application/octet-stream"


def observed_text(value) -> str:
    """observed_at as sent: phone time with its offset; None means now, in Hanoi (+07:00)."""
    if value is None:
        return datetime.now(HANOI).isoformat(timespec="seconds")
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("observed_at needs a UTC offset (phone time, e.g. +07:00)")
        return value.isoformat()
    return str(value)


@dataclass
class SyncReport:
    """What one sync() did."""

    applied: int = 0
    duplicate: int = 0
    conflict: int = 0
    rejected: int = 0
    pulled: int = 0  # changes received from pull
    retries: int = 0  # requests retried after a network error, timeout, 5xx or 429
    uploaded: int = 0  # photos sent (HEAD said the server did not have them)
    requests: int = 0  # HTTP requests sent, retries included
    relogins: int = 0
    restarts: int = 0  # full re-pulls after 410 cursor_expired
    problems: list[dict] = field(default_factory=list)  # conflicts/rejections of this sync
