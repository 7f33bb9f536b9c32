"""Who may call what, on whose data (DESIGN §9: scope is checked on every read and write).

Every row of tests/security/authz_table.py × every role × a target inside and outside the
role's scope, plus no token / forged / expired / revoked. Besides the status: answers to scoped
roles never carry a secret held only by data outside their scope, and a refused request or a
GET changes no row of any table.
"""

import secrets
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from server.core.extensions import db
from server.core.timeutil import utcnow
from server.models import DeviceToken
from tests.api.test_attachments import png, sha
from tests.factories import PASSWORD, login, push, upsert, visit_data
from tests.security.authz_table import ROLES, ROWS

ACTOR = {"inspector": "insp_hbt", "ward_officer": "ward_hbt", "city_officer": "city",
         "admin": "admin"}
SECRET_OUTSIDE = "BÍ-MẬT-BA-ĐÌNH-7f3a"  # notes of the visit in Ba Đình
SECRET_PEER = "BÍ-MẬT-ĐỒNG-NGHIỆP-91c2"  # notes of another inspector's visit in HBT
# What an inspector / ward officer of Hai Bà Trưng must never receive.
SECRETS = {
    "inspector": [SECRET_OUTSIDE, SECRET_PEER, "Chợ Ngọc Hà", "Chợ Kim Mã"],
    "ward_officer": [SECRET_OUTSIDE, "Chợ Ngọc Hà", "Chợ Kim Mã"],
}


class Targets:
    """The ids a row's path may name, inside or outside the scope of the HBT users."""

    password = PASSWORD

    def __init__(self, client, world):
        self.client, self.world = client, world
        self.photo_seed = 100
        photo_in, photo_out = self.upload(login(client, "insp_hbt")), self.upload(
            login(client, "insp_bd"))
        m, u = world["markets"], world["units"]
        notes = lambda text_: {"answers": {**visit_data(m["hom"])["answers"], "notes": text_}}  # noqa: E731
        v_in = visit_data(m["hom"], attachments=[photo_in])
        v_out = visit_data(m["ngocha"], attachments=[photo_out], **notes(SECRET_OUTSIDE))
        v_peer = visit_data(m["mo"], **notes(SECRET_PEER))
        for owner, data in (("insp_hbt", v_in), ("insp_bd", v_out), ("insp_hbt2", v_peer)):
            [result] = push(client, login(client, owner), upsert(data))
            assert result["status"] == "applied", result
        devices = {name: login(client, name, device_id=f"victim-{name}")
                   for name in ("insp_hbt", "insp_bd")}
        token_ids = {name: db.session.scalar(select(DeviceToken.id).where(
            DeviceToken.device_id == f"victim-{name}")) for name in devices}
        users = world["users"]
        self.sides = {
            True: {"visit": v_in["id"], "sha": photo_in, "market": m["hom"].id,
                   "unit": u["HBT"].id, "unit_code": "HBT", "user": users["insp_hbt"].id,
                   "device": token_ids["insp_hbt"]},
            False: {"visit": v_out["id"], "sha": photo_out, "market": m["ngocha"].id,
                    "unit": u["BD"].id, "unit_code": "BD", "user": users["insp_bd"].id,
                    "device": token_ids["insp_bd"]},
        }
        self.inside = True
        self.new_sha = None

    def upload(self, headers) -> str:
        data, digest = self.new_photo()
        response = self.client.put(f"/api/v1/attachments/{digest}", data=data,
                                   headers={**headers, "Content-Type": "image/png"})
        assert response.status_code == 201, response.get_json()
        return digest

    def new_photo(self) -> tuple[bytes, str]:
        self.photo_seed += 1
        data = png(self.photo_seed)
        self.new_sha = sha(data)
        return data, self.new_sha

    @staticmethod
    def new_id() -> str:
        return str(uuid.uuid4())

    def __getattr__(self, name):
        sides = self.__dict__.get("sides")
        if sides and name in sides[True]:
            return sides[self.inside][name]
        raise AttributeError(name)

    def fill(self, path: str) -> str:
        return path.format(**self.sides[self.inside], new_sha=self.new_sha)


# The indicator's snapshots are a cache of figures derived from visits and decisions: a read
# computes one when it is missing. They hold nothing anyone recorded.
DERIVED = ("indicator_snapshot", "indicator_snapshot_item", "indicator_dirty_period")


def fingerprint(ignore=()) -> dict:
    """Every row of every table (last_seen_at and last_synced_at aside: reads may note when a
    device was seen or pulled; derived caches aside)."""
    db.session.expire_all()
    tables = {}
    for table in db.metadata.sorted_tables:
        if table.name in ignore or table.name in DERIVED:
            continue
        columns = [c for c in table.columns if c.name not in ("last_seen_at", "last_synced_at")]
        rows = db.session.execute(select(*columns).order_by(*table.primary_key.columns))
        tables[table.name] = [tuple(r) for r in rows]
    db.session.rollback()
    return tables


def call(client, row, targets, role, headers):
    kwargs = {}
    if callable(row.body):
        kwargs = row.body(targets, role)
    elif row.body is not None:
        kwargs = {"json": row.body}
    path = "/api/v1" + targets.fill(row.path)
    extra = kwargs.pop("headers", {})
    return client.open(path, method=row.method, headers={**(headers or {}), **extra}, **kwargs)


def outcome(row, response):
    return row.outcome(response) if row.outcome else response.status_code


def assert_error_shape(response):
    body = response.get_json(silent=True)
    assert isinstance(body, dict) and set(body) == {"error"}, response.data[:200]
    assert isinstance(body["error"]["code"], str) and isinstance(body["error"]["message"], str)


def check(client, row, targets, role, headers, inside: bool):
    targets.inside = inside
    before = fingerprint()
    response = call(client, row, targets, role, headers)
    expected = row.expected(role, inside)
    got = outcome(row, response)
    where = "inside" if inside else "outside"
    assert got == expected, (
        f"{row.method} {row.path} as {role} ({where}): {got}, expected {expected}; "
        f"{response.get_data(as_text=True)[:300]}")
    if response.status_code >= 400 and row.method != "HEAD":
        assert_error_shape(response)
    if response.status_code >= 400 or row.method in ("GET", "HEAD"):
        assert fingerprint() == before, f"{row.method} {row.path} as {role} changed the database"
    body = response.get_data()
    for secret in SECRETS.get(role, []):
        assert secret.encode() not in body, f"{row.method} {row.path} leaked {secret!r} to {role}"


def rules_of(app) -> set[tuple[str, str]]:
    found = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        methods = set(rule.methods) - {"OPTIONS"}
        if "GET" in methods:
            methods.discard("HEAD")  # implied by GET, not a route of its own
        found |= {(method, rule.rule) for method in methods}
    return found


def test_every_api_route_has_exactly_one_row(app):
    table = [(r.method, r.rule) for r in ROWS]
    assert len(table) == len(set(table)), "a route has two rows"
    missing = rules_of(app) - set(table)
    assert not missing, f"routes without a row in tests/security/authz_table.py: {sorted(missing)}"
    stale = set(table) - rules_of(app)
    assert not stale, f"rows for routes that do not exist: {sorted(stale)}"


def row_id(row) -> str:
    return f"{row.method} {row.rule.removeprefix('/api/v1')}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("row", ROWS, ids=row_id)
def test_role_inside_and_outside_its_scope(client, world, row, role):
    targets = Targets(client, world)
    headers = login(client, ACTOR[role], device_id=f"matrix-{role}")
    check(client, row, targets, role, headers, inside=True)
    if row.scoped:
        check(client, row, targets, role, headers, inside=False)


def bad_tokens(client) -> dict[str, dict]:
    """The admin's own tokens, spoiled three ways, and no token at all."""
    expired = login(client, "admin", device_id="expired-phone")
    db.session.execute(update(DeviceToken).where(DeviceToken.device_id == "expired-phone")
                       .values(expires_at=utcnow() - timedelta(seconds=1)))
    revoked = login(client, "admin", device_id="revoked-phone")
    assert client.delete("/api/v1/auth/token", headers=revoked).status_code == 204
    db.session.commit()
    return {
        "unauthorized": {},
        "invalid_token": {"Authorization": f"Bearer {secrets.token_urlsafe(32)}"},
        "token_expired": expired,
        "token_revoked": revoked,
    }


@pytest.mark.parametrize("row", ROWS, ids=row_id)
def test_no_forged_expired_or_revoked_token(client, world, row):
    targets = Targets(client, world)
    for code, headers in bad_tokens(client).items():
        for inside in (True, False) if row.scoped else (True,):
            targets.inside = inside
            before = fingerprint()
            response = call(client, row, targets, "admin", headers)
            if row.public:
                assert outcome(row, response) == row.expected("admin", inside), code
                continue
            assert response.status_code == 401, (row.method, row.path, code, response.data)
            if row.method != "HEAD":
                assert response.get_json()["error"]["code"] == code
            assert fingerprint() == before, f"{row.method} {row.path} with {code} wrote"
