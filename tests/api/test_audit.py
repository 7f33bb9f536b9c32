"""The audit trail (issue #17): each administrative act writes exactly one event, in its own
transaction, with actor, time, target and details; a refused act writes none; the CSV holds
the rows of the API; no password, token or secret ever reaches an event."""

import csv
import hashlib
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from server.core.extensions import db
from server.models import AuditEvent, DeviceToken
from tests.api.admin import MARKETS_CSV, UNITS_CSV, A
from tests.factories import PASSWORD, login

NEW_PASSWORD = "Mật khẩu mới 2024 rất dài"
CREATE_PASSWORD = "Chợ Xanh mới 2024"
WRONG_PASSWORD = "Sai-mật-khẩu-x7Q"


def events(client, headers, **query) -> list[dict]:
    response = client.get(f"{A}/audit", headers=headers, query_string={"limit": 500, **query})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["events"]


def count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


def token_of(client, device_id):
    return db.session.scalar(select(DeviceToken.id).where(DeviceToken.device_id == device_id))


# Each act: (action, a function doing it and returning the response, expected status,
# expected target type, target label, a check of the details)
def _create(client, w, h):
    return client.post(f"{A}/users", headers=h, json={
        "username": "moi", "role": "inspector", "org_unit_id": w["units"]["BD"].id,
        "password": CREATE_PASSWORD, "display_name": "Người Mới"})


def _role(client, w, h):
    return client.patch(f"{A}/users/{w['users']['insp_hbt'].id}", headers=h,
                        json={"role": "ward_officer", "org_unit_id": w["units"]["HBT-1"].id})


def _deactivate(client, w, h):
    return client.patch(f"{A}/users/{w['users']['insp_bd'].id}", headers=h,
                        json={"active": False})


def _password(client, w, h):
    login(client, "insp_hbt", device_id="phone-hbt")
    return client.post(f"{A}/users/{w['users']['insp_hbt'].id}/password", headers=h,
                       json={"password": NEW_PASSWORD, "revoke_devices": True})


def _revoke(client, w, h):
    login(client, "insp_bd", device_id="phone-bd")
    return client.post(f"{A}/devices/{token_of(client, 'phone-bd')}/revoke", headers=h)


def _market(client, w, h):
    return client.patch(f"{A}/markets/{w['markets']['hom'].id}", headers=h,
                        json={"name": "Chợ Hôm mới", "closed_on": "2030-01-01"})


def _import(path, text):
    return lambda client, w, h: client.post(f"{A}/{path}", headers=h, data=text.encode(),
                                            content_type="text/csv")


def _target(client, w, h):
    return client.put(f"{A}/targets/2024-Q2", headers=h,
                      json={"target": 0.8, "org_unit_id": w["units"]["HBT"].id})


def _finalize(client, w, h):
    return client.post("/api/v1/indicator/final", headers=h, json={"period": "2023"})


def _sha(text):
    return hashlib.sha256(text.encode()).hexdigest()


ACTS = [
    ("user.create", _create, 201, "user", "moi",
     {"role": "inspector", "display_name": "Người Mới"}),
    ("user.update", _role, 200, "user", "insp_hbt",
     lambda w: {"before": {"role": "inspector", "org_unit_id": w["units"]["HBT"].id},
                "after": {"role": "ward_officer", "org_unit_id": w["units"]["HBT-1"].id}}),
    ("user.password_reset", _password, 200, "user", "insp_hbt", {"revoked_devices": 1}),
    ("device.revoke", _revoke, 200, "device", "insp_bd · phone-bd",
     {"username": "insp_bd", "device_id": "phone-bd"}),
    ("user.update", _deactivate, 200, "user", "insp_bd",
     {"before": {"active": True}, "after": {"active": False}}),
    ("market.update", _market, 200, "market", "M-HOM – Chợ Hôm",
     {"before": {"name": "Chợ Hôm", "closed_on": None},
      "after": {"name": "Chợ Hôm mới", "closed_on": "2030-01-01"}}),
    ("markets.import", _import("markets/import", MARKETS_CSV), 200, "markets", None,
     {"rows": 2, "created": 1, "updated": 1, "sha256": _sha(MARKETS_CSV)}),
    ("org_units.import", _import("org-units/import", UNITS_CSV), 200, "org_units", None,
     {"rows": 2, "created": 1, "updated": 1, "sha256": _sha(UNITS_CSV)}),
    ("target.set", _target, 201, "target", "2024-Q2 · Quận Hai Bà Trưng",
     {"period": "2024-Q2", "before": None, "after": 0.8}),
    ("indicator.finalize", _finalize, 200, "period", "2023", {"markets_total": 4}),
]


@pytest.mark.parametrize(("action", "act", "status", "target_type", "label", "details"), ACTS,
                         ids=[f"{a[0]}-{a[1].__name__}" for a in ACTS])
def test_each_act_writes_exactly_one_event(client, world, action, act, status, target_type,
                                           label, details):
    admin = login(client, "admin", device_id="admin-desk")
    started = datetime.now(UTC).replace(tzinfo=None)
    before = count()
    response = act(client, world, admin)
    assert response.status_code == status, response.get_json()
    assert count() == before + 1
    event = events(client, admin)[0]
    assert event["action"] == action
    assert event["actor"] == {"id": world["users"]["admin"].id, "username": "admin"}
    at = datetime.fromisoformat(event["at"].replace("Z", ""))
    assert started - timedelta(seconds=1) <= at <= datetime.now(UTC).replace(tzinfo=None)
    assert event["target"]["type"] == target_type
    assert event["target"]["label"] == label
    assert event["ip"] == "127.0.0.1" and event["device_id"] == "admin-desk"
    if callable(details):
        details = details(world)
    assert details.items() <= event["details"].items(), event["details"]
    assert "via" not in event["details"]


def test_a_change_to_nothing_and_a_second_revoke_are_no_acts(client, world):
    admin = login(client, "admin")
    user = world["users"]["insp_hbt"]
    before = count()
    assert client.patch(f"{A}/users/{user.id}", headers=admin,
                        json={"role": "inspector"}).status_code == 200
    assert count() == before
    login(client, "insp_hbt", device_id="p")
    assert client.post(f"{A}/devices/{token_of(client, 'p')}/revoke",
                       headers=admin).status_code == 200
    assert client.post(f"{A}/devices/{token_of(client, 'p')}/revoke",
                       headers=admin).status_code == 200
    assert count() == before + 1


def test_the_targets_before_and_after(client, world):
    admin = login(client, "admin")
    client.put(f"{A}/targets/2025", headers=admin, json={"target": 0.5, "org_unit_id": None})
    client.put(f"{A}/targets/2025", headers=admin, json={"target": 0.7, "org_unit_id": None})
    latest = events(client, admin, action="target.set")
    assert [e["details"]["after"] for e in latest] == [0.7, 0.5]
    assert latest[0]["details"]["before"] == 0.5
    assert latest[0]["target"] == {"type": "target", "id": "2025/city",
                                   "label": "2025 · Toàn thành phố"}


REFUSED = [
    ("inspector creates a user", "insp_hbt", "POST", "/users",
     {"username": "x", "role": "admin", "password": CREATE_PASSWORD}, 403),
    ("city officer changes a role", "city", "PATCH", "/users/{insp}", {"role": "admin"}, 403),
    ("weak password", "admin", "POST", "/users/{insp}/password", {"password": "short"}, 422),
    ("unknown unit", "admin", "PATCH", "/users/{insp}", {"org_unit_id": 99999}, 422),
    ("last admin", "admin", "PATCH", "/users/{admin}", {"role": "city_officer"}, 409),
    ("bad market dates", "admin", "PATCH", "/markets/{hom}", {"closed_on": "1900-01-01"}, 422),
    ("bad target", "admin", "PUT", "/targets/2024-Q9", {"target": 0.5, "org_unit_id": None},
     422),
    ("ward officer finalises", "ward_hbt", "POST", "/api/v1/indicator/final",
     {"period": "2023"}, 403),
    ("no such device", "admin", "POST", "/devices/99999/revoke", None, 404),
]


@pytest.mark.parametrize(("who", "method", "path", "body", "status"),
                         [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED])
def test_a_refused_act_writes_no_event(client, world, who, method, path, body, status):
    headers = login(client, who)
    path = path.format(insp=world["users"]["insp_hbt"].id, admin=world["users"]["admin"].id,
                       hom=world["markets"]["hom"].id)
    before = count()
    url = path if path.startswith("/api/") else A + path
    response = client.open(url, method=method, json=body, headers=headers)
    assert response.status_code == status, response.get_json()
    assert count() == before


def test_a_bad_import_and_a_dry_run_write_no_event(client, world):
    admin = login(client, "admin")
    before = count()
    bad = client.post(f"{A}/markets/import", headers=admin, content_type="text/csv",
                      data=(MARKETS_CSV + "M-X,Chợ X,NOWHERE,,,,,,\n").encode())
    assert bad.status_code == 422
    dry = client.post(f"{A}/markets/import?dry_run=1", headers=admin, content_type="text/csv",
                      data=MARKETS_CSV.encode())
    assert dry.status_code == 200
    assert count() == before


def test_failed_logins_and_the_lock_are_audited(client, world):
    body = {"username": "insp_hbt", "password": WRONG_PASSWORD, "device_id": "thief"}
    for _ in range(5):
        assert client.post("/api/v1/auth/token", json=body).status_code == 401
    assert client.post("/api/v1/auth/token", json=body).status_code == 429  # no event
    unknown = {"username": "nobody", "password": WRONG_PASSWORD, "device_id": "thief"}
    assert client.post("/api/v1/auth/token", json=unknown).status_code == 401
    admin = login(client, "admin")
    failed = events(client, admin, action="auth.login_failed")
    assert len(failed) == 6
    assert failed[0]["target"] == {"type": "user", "id": None, "label": "nobody"}
    user = {"type": "user", "id": str(world["users"]["insp_hbt"].id), "label": "insp_hbt"}
    assert all(e["target"] == user and e["actor"] is None for e in failed[1:])
    assert failed[1]["details"] == {"reason": "invalid_credentials"}
    locked = events(client, admin, action="auth.locked")
    assert len(locked) == 1 and locked[0]["target"] == user
    assert locked[0]["details"] == {"failures": 5, "minutes": 15}


def test_filters_and_cursor_pages_newest_first(client, world):
    admin = login(client, "admin")
    for n in range(7):
        client.put(f"{A}/targets/20{10 + n}", headers=admin,
                   json={"target": 0.5, "org_unit_id": None})
    client.patch(f"{A}/users/{world['users']['insp_hbt'].id}", headers=admin,
                 json={"display_name": "Tên mới"})
    every = events(client, admin)
    ids = [e["id"] for e in every]
    assert ids == sorted(ids, reverse=True) and len(ids) == 8
    seen, cursor = [], None
    while True:
        query = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = client.get(f"{A}/audit", headers=admin, query_string=query).get_json()
        seen += [e["id"] for e in page["events"]]
        cursor = page["cursor"]
        assert page["has_more"] is (cursor is not None)
        if not cursor:
            break
    assert seen == ids
    assert [e["action"] for e in events(client, admin, target_type="user")] == ["user.update"]
    assert len(events(client, admin, action="target.set", actor="admin")) == 7
    assert events(client, admin, actor="city") == []
    today = datetime.now(UTC).date().isoformat()
    assert len(events(client, admin, since="2000-01-01", until="2999-12-31")) == 8
    assert events(client, admin, until="2000-01-01") == []
    assert len(events(client, admin, since=today + "T00:00:00+00:00")) == 8
    for bad in ({"action": "user.delete"}, {"since": "yesterday"}, {"limit": 0},
                {"cursor": "abc"}, {"since": "2024-02-01", "until": "2024-01-01"}):
        response = client.get(f"{A}/audit", headers=admin, query_string=bad)
        assert response.status_code == 400
        assert response.get_json()["error"]["code"] == "invalid_query"


def test_the_csv_holds_the_rows_of_the_api(client, world):
    admin = login(client, "admin")
    for act in (_create, _role, _market, _target, _import("markets/import", MARKETS_CSV)):
        assert act(client, world, admin).status_code in (200, 201)
    client.post("/api/v1/auth/token", json={"username": "=cmd()", "password": "x" * 10,
                                            "device_id": "d"})
    for query in ({}, {"target_type": "user"}, {"action": "market.update"}):
        api = events(client, admin, **query)
        response = client.get(f"{A}/audit.csv", headers=admin, query_string=query)
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert response.data.startswith("\ufeff".encode())
        rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
        assert len(rows) == len(api) > 0
        for row, event in zip(rows, api, strict=True):
            actor = event["actor"] or {}
            label = event["target"]["label"]
            assert row == {
                "id": str(event["id"]), "at": event["at"], "actor_id": str(actor.get("id", "")),
                "actor_username": actor.get("username") or "", "action": event["action"],
                "target_type": event["target"]["type"], "target_id": event["target"]["id"] or "",
                # a cell that a spreadsheet would run as a formula is quoted
                "target_label": ("'" + label if label and label[0] == "=" else label or ""),
                "details": json.dumps(event["details"], ensure_ascii=False, sort_keys=True),
                "ip": event.get("ip", ""), "device_id": event.get("device_id", ""),
            }


def test_no_password_token_or_secret_in_any_event(client, world):
    admin = login(client, "admin", device_id="admin-desk")
    tokens = [admin["Authorization"].split()[1]]
    for act, *_ in [(a[1],) for a in ACTS]:
        assert act(client, world, admin).status_code in (200, 201)
    for _ in range(6):
        client.post("/api/v1/auth/token", json={"username": "city", "password": WRONG_PASSWORD,
                                                "device_id": "x"})
    tokens.append(login(client, "ward_bd")["Authorization"].split()[1])
    secrets = [PASSWORD, NEW_PASSWORD, CREATE_PASSWORD, WRONG_PASSWORD, *tokens]
    hashes = list(db.session.scalars(select(DeviceToken.token_hash)))
    assert count() == len(ACTS) + 6  # five failures, the lock; the sixth try is refused (429)
    shown = json.dumps(events(client, admin), ensure_ascii=False)
    shown += client.get(f"{A}/audit.csv", headers=admin).data.decode("utf-8-sig")
    db.session.expire_all()
    for event in db.session.scalars(select(AuditEvent)):  # what is stored, column by column
        shown += " ".join(str(getattr(event, c.name)) for c in AuditEvent.__table__.columns)
    for secret in secrets + hashes:
        assert secret not in shown
    assert "password_hash" not in shown and "pbkdf2" not in shown


def test_record_refuses_details_that_name_a_secret(app):
    from server.audit.record import record

    for details in ({"password": "x"}, {"new_token": "x"}, {"after": {"totp_secret": "x"}},
                    {"otp": "123456"}, {"recovery_codes": []}):
        with pytest.raises(ValueError):
            record("user.update", ("user", 1, "x"), details, actor=None)
    with pytest.raises(ValueError):
        record("user.delete", ("user", 1, "x"), {}, actor=None)
    db.session.rollback()
