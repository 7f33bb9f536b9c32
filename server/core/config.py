"""One configuration, read from the environment (see README, "Configuration")."""

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
INSTANCE_DIR = REPO_ROOT / "instance"


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever spelling the operator gave."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


# The development key, which anyone can read here: a real server sets its own SECRET_KEY.
DEV_SECRET_KEY = "dev-only-not-secret"


def from_env(environ=None) -> dict:
    env = os.environ if environ is None else environ
    instance_dir = Path(env.get("INSTANCE_DIR", INSTANCE_DIR))
    default_db = f"sqlite:///{instance_dir / 'cho_xanh.sqlite3'}"
    return {
        "INSTANCE_DIR": str(instance_dir),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(env.get("DATABASE_URL", default_db)),
        "SECRET_KEY": env.get("SECRET_KEY", DEV_SECRET_KEY),
        # Earlier SECRET_KEYs, comma-separated, while the secrets they sealed are re-sealed
        # (server/core/sealing.py).
        "SECRET_KEY_PREVIOUS": env.get("SECRET_KEY_PREVIOUS", ""),
        "ATTACHMENTS_DIR": env.get("ATTACHMENTS_DIR", str(instance_dir / "attachments")),
        # Unset or file:///path: the local folder; s3://bucket/prefix: an S3-compatible store,
        # configured by boto3's AWS_* variables (server/attachments/stores.py).
        "ATTACHMENTS_URL": env.get("ATTACHMENTS_URL", ""),
        "PWA_DIST": env.get("PWA_DIST", str(REPO_ROOT / "pwa" / "dist")),
        # Push bodies and photos are both capped at 5 MB (DESIGN §5); Flask answers 413 above.
        "MAX_CONTENT_LENGTH": int(env.get("MAX_CONTENT_LENGTH", 5 * 1024 * 1024)),
        "TOKEN_TTL_DAYS": int(env.get("TOKEN_TTL_DAYS", 30)),
        # Who to call when locked out or the password is forgotten, as the sign-in screen shows
        # it before anyone signs in (GET /health support_contact): name, phone, e-mail as text.
        "SUPPORT_CONTACT": env.get("SUPPORT_CONTACT", "").strip()[:300],
        # Connections each process keeps: at least its threads (gunicorn.conf.py sets it), so a
        # request never waits for one; 10 more may open in a burst.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True,
                                      "pool_size": int(env.get("DB_POOL_SIZE", 5)),
                                      "max_overflow": 10},
        "JSON_SORT_KEYS": False,
    }
