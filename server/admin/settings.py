"""The help contact on the sign-in screen (issue #14): who a locked-out user or one who forgot
the password should ask. The admin sets it in the app (Cài đặt); until then, or once cleared,
the deployment's SUPPORT_CONTACT is shown."""

from flask import current_app

from server.audit.record import record
from server.core.extensions import begin_write, db
from server.core.locks import SETTINGS_LOCK, transaction_lock
from server.core.timeutil import iso_z, utcnow
from server.models import AppSetting
from server.models.settings import SUPPORT_CONTACT_KEY


def support_contact() -> str:
    """What the sign-in screen shows: the admin's text, else SUPPORT_CONTACT, else ''."""
    row = db.session.get(AppSetting, SUPPORT_CONTACT_KEY)
    return row.value if row is not None else current_app.config.get("SUPPORT_CONTACT", "")


def support_settings() -> dict:
    row = db.session.get(AppSetting, SUPPORT_CONTACT_KEY)
    return {"support_contact": support_contact(),
            "default_support_contact": current_app.config.get("SUPPORT_CONTACT", ""),
            "updated_at": iso_z(row.updated_at) if row is not None else None}


def update_support_contact(user, text: str) -> dict:
    """Set the help contact; a blank one gives the deployment's back. Audited when it changes."""
    begin_write()
    transaction_lock(SETTINGS_LOCK)
    before = support_contact()
    text = " ".join(text.split())
    row = db.session.get(AppSetting, SUPPORT_CONTACT_KEY)
    if not text:
        if row is not None:
            db.session.delete(row)
    elif row is None:
        db.session.add(AppSetting(key=SUPPORT_CONTACT_KEY, value=text, updated_at=utcnow(),
                                  updated_by=user.id))
    elif row.value != text:
        row.value, row.updated_at, row.updated_by = text, utcnow(), user.id
    db.session.flush()
    after = support_contact()
    if after != before:
        record("settings.update", ("settings", None, "support_contact"),
               {"before": {"support_contact": before}, "after": {"support_contact": after}})
    db.session.commit()
    return support_settings()
