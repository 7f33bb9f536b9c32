"""Every accepted version of a visit (append-only, table visit_version) and a visit's history:
the inspector's submission and edits interleaved with the review decisions (DESIGN §6).

The push writes one row per accepted version (`version_row`: one INSERT each, or all of a
set-wise push's in one statement); what changed is worked out only when someone reads the
history, by comparing each version with the one before.
"""

from sqlalchemy import insert, select

from server.core.extensions import db
from server.core.timeutil import iso_z, utcnow
from server.models import ReviewDecision, User, VisitVersion

# The version's parts compared field by field; answers are compared per answer (their names
# are the form's field names, which never clash with these).
TOP_LEVEL = ("market_id", "observed_at", "location", "attachments", "form_version")


def snapshot(fields: dict, market_id: int) -> dict:
    """What the phone sent, as kept in visit_version.data (observed_at with its offset)."""
    return {
        "market_id": market_id,
        "form_version": fields["form_version"],
        "observed_at": fields["observed_at"].isoformat(),
        "answers": fields["answers"],
        "location": fields["location"],
        "attachments": list(fields["attachments"]),
    }


def version_row(visit_id: str, rev: int, user_id: int, device_id: str, fields: dict,
                market_id: int, now) -> dict:
    return {
        "visit_id": visit_id, "rev": rev, "inspector_id": user_id, "device_id": device_id,
        "received_at": now, "data": snapshot(fields, market_id),
    }


def record_version(visit_id: str, rev: int, user_id: int, device_id: str, fields: dict,
                   market_id: int) -> None:
    db.session.execute(insert(VisitVersion.__table__),
                       version_row(visit_id, rev, user_id, device_id, fields, market_id, utcnow()))


def changes(old: dict, new: dict) -> dict:
    """{field: [old, new]} for every answer and top-level part that differs."""
    out = {}
    for name in TOP_LEVEL:
        if old.get(name) != new.get(name):
            out[name] = [old.get(name), new.get(name)]
    old_answers, new_answers = old.get("answers") or {}, new.get("answers") or {}
    for name in sorted(set(old_answers) | set(new_answers)):
        if old_answers.get(name) != new_answers.get(name):
            out[name] = [old_answers.get(name), new_answers.get(name)]
    return out


def _person(user_id: int, username: str, display_name: str | None) -> dict:
    return {"id": user_id, "name": display_name or username, "username": username}


def _version_items(visit_id: str) -> list[dict]:
    rows = db.session.execute(
        select(VisitVersion, User.username, User.display_name)
        .join(User, User.id == VisitVersion.inspector_id)
        .where(VisitVersion.visit_id == visit_id)
        .order_by(VisitVersion.rev, VisitVersion.id)
    )
    items, previous = [], None
    for version, username, display_name in rows:
        item = {
            "event": "submit" if previous is None else "edit",
            "at": iso_z(version.received_at),
            "rev": version.rev,
            "by": _person(version.inspector_id, username, display_name),
        }
        if previous is not None:
            item["changes"] = changes(previous, version.data)
        items.append(item)
        previous = version.data
    return items


def _decision_items(visit_id: str) -> list[dict]:
    rows = db.session.execute(
        select(ReviewDecision, User.username, User.display_name)
        .join(User, User.id == ReviewDecision.reviewer_id)
        .where(ReviewDecision.visit_id == visit_id)
        .order_by(ReviewDecision.id)
    )
    return [
        {
            "event": "decision",
            "decision": d.decision,
            "comment": d.comment,
            "reviewer_id": d.reviewer_id,
            "reviewer_username": username,
            "reviewer_name": display_name,
            "decided_at": iso_z(d.decided_at),
            "visit_rev": d.visit_rev,
            "at": iso_z(d.decided_at),
            "rev": d.visit_rev,
            "by": _person(d.reviewer_id, username, display_name),
        }
        for d, username, display_name in rows
    ]


def history(visit_id: str) -> list[dict]:
    """Versions and decisions, oldest first. Each one produced the next rev of the visit, so
    ordering by rev is their order in time (the version first on a tie: older data kept
    before this table existed has rev 1)."""
    items = _version_items(visit_id) + _decision_items(visit_id)
    order = {"submit": 0, "edit": 0, "decision": 1}
    return sorted(items, key=lambda i: (i["rev"], order[i["event"]], i["at"]))
