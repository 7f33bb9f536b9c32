"""The audit trail as the admin reads it: newest first, filtered, a page at a time by cursor
(the id of the last event shown), or all of it as CSV (UTF-8 with BOM, the same rows)."""

import csv
import io
import json

from sqlalchemy import select

from server.audit.record import event_out
from server.core.errors import ApiError
from server.core.extensions import db
from server.core.queryparams import time_window
from server.models import AuditEvent

CSV_COLUMNS = ["id", "at", "actor_id", "actor_username", "action", "target_type", "target_id",
               "target_label", "details", "ip", "device_id"]


def _filtered(args: dict):
    if args.get("since") and args.get("until") and args["since"][0] > args["until"][0]:
        raise ApiError(400, "invalid_query", "since is after until.",
                       {"since": ["Must not be after until."]})
    conditions = time_window(AuditEvent.at, {"from_": args.get("since"),
                                             "to": args.get("until")})
    if "action" in args:
        conditions.append(AuditEvent.action == args["action"])
    if "actor" in args:
        conditions.append(AuditEvent.actor_username == args["actor"])
    if "target_type" in args:
        conditions.append(AuditEvent.target_type == args["target_type"])
    return select(AuditEvent).where(*conditions).order_by(AuditEvent.id.desc())


def list_events(args: dict) -> dict:
    query = _filtered(args)
    if "cursor" in args:
        query = query.where(AuditEvent.id < int(args["cursor"]))
    rows = list(db.session.scalars(query.limit(args["limit"] + 1)))
    has_more = len(rows) > args["limit"]
    rows = rows[: args["limit"]]
    return {"events": [event_out(e) for e in rows],
            "cursor": str(rows[-1].id) if has_more else None, "has_more": has_more}


def _cell(value) -> str:
    """Text as a spreadsheet shows it, never as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def events_csv(args: dict) -> str:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for event in db.session.scalars(_filtered(args).execution_options(yield_per=1000)):
        e = event_out(event)
        actor, target = e["actor"] or {}, e["target"]
        writer.writerow([
            e["id"], e["at"], actor.get("id", ""), _cell(actor.get("username")), e["action"],
            _cell(target["type"]), _cell(target["id"]), _cell(target["label"]),
            _cell(json.dumps(e["details"], ensure_ascii=False, sort_keys=True)),
            _cell(e.get("ip")), _cell(e.get("device_id")),
        ])
    return out.getvalue()
