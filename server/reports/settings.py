"""The A4 report's letterhead, set by the admin (issue #14): who issues it, its document
number's prefix ("Số: …/BC-SCT"), and whom it is addressed to. The defaults follow the plan's
chain of reporting: the Department of Industry and Trade (Sở Công Thương) reports to the
city's People's Committee, which issued Plan 293/KH-UBND; a report is never addressed to its
own issuer."""

from server.audit.record import record
from server.core.errors import ApiError
from server.core.extensions import begin_write, db
from server.core.locks import SETTINGS_LOCK, transaction_lock
from server.core.timeutil import iso_z, utcnow
from server.models import AppSetting

DEFAULTS = {
    # One line per level, the parent body first; the last line is the issuing body itself.
    "report_issuer": "UBND THÀNH PHỐ HÀ NỘI\nSỞ CÔNG THƯƠNG",
    "report_number_prefix": "BC-SCT",
    "report_recipient": "Ủy ban nhân dân Thành phố Hà Nội",
}
FIELDS = {"issuer": "report_issuer", "number_prefix": "report_number_prefix",
          "recipient": "report_recipient"}


def _same_body(issuer: str, recipient: str) -> bool:
    """'SỞ CÔNG THƯƠNG' and 'Sở Công Thương' are one body; 'UBND' is 'Ủy ban nhân dân'."""
    def norm(text: str) -> str:
        text = " ".join(text.replace("UBND", "Ủy ban nhân dân").split()).casefold()
        return text.removeprefix("kính gửi:").strip(" .")
    lines = [line for line in issuer.splitlines() if line.strip()]
    return bool(lines) and norm(lines[-1]) == norm(recipient)


def report_settings() -> dict:
    rows = {r.key: r for r in db.session.query(AppSetting).filter(
        AppSetting.key.in_(FIELDS.values()))}
    out = {name: rows[key].value if key in rows else DEFAULTS[key]
           for name, key in FIELDS.items()}
    changed = [r.updated_at for r in rows.values()]
    out["updated_at"] = iso_z(max(changed)) if changed else None
    return out


def update_report_settings(user, body: dict) -> dict:
    # One writer at a time (BEGIN IMMEDIATE on SQLite, a named lock on PostgreSQL), so two
    # admins saving at once never both insert the same key.
    begin_write()
    transaction_lock(SETTINGS_LOCK)
    current = report_settings()
    merged = {name: body.get(name, current[name]) for name in FIELDS}
    if _same_body(merged["issuer"], merged["recipient"]):
        raise ApiError(422, "validation_failed", "Some fields are not valid.", {
            "recipient": ["The report would be addressed to its own issuer."]})
    now = utcnow()
    before, after = {}, {}
    for name, value in body.items():
        value = value.strip()
        if value == current[name]:
            continue  # unchanged: neither written nor audited
        before[name], after[name] = current[name], value
        row = db.session.get(AppSetting, FIELDS[name])
        if row is None:
            db.session.add(AppSetting(key=FIELDS[name], value=value, updated_at=now,
                                      updated_by=user.id))
        else:
            row.value, row.updated_at, row.updated_by = value, now, user.id
    if after:
        record("settings.update", ("settings", None, "report"),
               {"before": before, "after": after})
    db.session.commit()
    return report_settings()
