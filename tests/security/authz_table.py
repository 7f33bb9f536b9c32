"""THE authorization table: every /api/v1 route × every role, one row per (method, rule).

tests/security/test_authz_matrix.py checks that this table names exactly the routes of
app.url_map under /api/v1 (a new route without a row fails) and runs every row for every role,
against a target in the role's scope and one outside it, and with no token, a forged, an
expired and a revoked token.

ADDING A ROUTE = ADDING ONE LINE to ROWS:

    row("GET", "/api/v1/markets/overdue", "/markets/overdue", everyone(200)),

- method and rule exactly as registered (`rule.rule`, e.g. "/api/v1/visits/<visit_id>");
- the path to call, relative to /api/v1, with placeholders filled per target (see TARGETS):
  {visit} {sha} {market} {unit} {unit_code} {user} {device}; a query string may use them too;
- expectations per role: `everyone(200)`, `only("admin", ok=201)`, `reviewers(200)`, or a dict
  {role: status, …} where a status is one number (same inside and outside the role's scope) or
  a pair (inside, outside); a role left out gets 403;
- optional `body=`: a JSON value, or a function (targets, role) -> dict of client.open kwargs;
- optional `outcome=`: a function (response) -> value compared instead of the status code
  (push: "200 applied"); `public=True` for routes that need no token.

"Inside"/"outside": each scoped role acts as insp_hbt / ward_hbt (Quận Hai Bà Trưng); the
inside target is in HBT (the inspector's own visit), the outside one in Quận Ba Đình (another
inspector's visit). City officers and admins see both. Beyond the status, every answer to an
inspector or a ward officer must not contain a secret that only the outside targets hold, and
any refused request (4xx) or GET must leave every table unchanged.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ROLES = ("inspector", "ward_officer", "city_officer", "admin")
REVIEWERS = ("ward_officer", "city_officer", "admin")
CITY_WIDE = ("city_officer", "admin")


@dataclass(frozen=True)
class Row:
    method: str
    rule: str
    path: str
    expect: dict[str, Any]
    body: Any = None
    outcome: Callable | None = None
    public: bool = False
    scoped: bool = field(default=False)  # the path names a target: try inside and outside

    def expected(self, role: str, inside: bool):
        value = self.expect.get(role, 403)
        if isinstance(value, tuple):
            return value[0] if inside else value[1]
        return value


def row(method, rule, path, expect, body=None, outcome=None, public=False) -> Row:
    scoped = "{" in path or any(isinstance(v, tuple) for v in expect.values())
    return Row(method, rule, path, expect, body, outcome, public, scoped)


def everyone(status) -> dict:
    return {role: status for role in ROLES}


def only(*roles: str, ok=200) -> dict:
    return {role: ok for role in roles}


def reviewers(status) -> dict:
    return {role: status for role in REVIEWERS}


def merge(*dicts) -> dict:
    out = {}
    for d in dicts:
        out.update(d)
    return out


# --- bodies that depend on the role or the target ------------------------------------------


def push_body(t, role):
    """Inspectors record a visit at the target market; the others approve the target visit."""
    if role == "inspector":
        data = {"id": t.new_id(), "base_rev": None, "market_id": t.market,
                "form_version": "2023.1", "observed_at": "2023-03-01T08:30:00+07:00",
                "answers": {"stalls_total": 10, "stalls_using_nondegradable": 0,
                            "alternatives": ["paper_bag"], "signage_present": True,
                            "outreach_held": True},
                "location": None, "attachments": []}
        mutation = {"id": t.new_id(), "type": "visit.upsert", "data": data}
    else:
        mutation = {"id": t.new_id(), "type": "review.decide",
                    "data": {"visit_id": t.visit, "base_rev": 1, "decision": "approve",
                             "comment": None}}
    return {"json": {"device_id": "matrix-phone", "mutations": [mutation]}}


def push_outcome(response):
    if response.status_code != 200:
        return response.status_code
    return f"200 {response.get_json()['results'][0]['status']}"


def new_photo(t, role):
    data, _ = t.new_photo()
    return {"data": data, "headers": {"Content-Type": "image/png"}}


def login_body(t, role):
    return {"json": {"username": "insp_hbt", "password": t.password, "device_id": "matrix"}}


CSV_MARKET = ("code,name,org_unit_code,address,lat,lon,market_class,opened_on,closed_on\n"
              "M-MATRIX,Chợ Ma Trận,HBT-1,1 Phố Huế,21.01,105.85,2,2001-01-01,\n")
CSV_UNIT = "code,name,level,parent_code,valid_from,valid_to\nHBT-9,Phường Chín,ward,HBT,,\n"


def csv_body(text):
    return lambda t, role: {"data": text.encode(), "content_type": "text/csv"}


V = "/api/v1"
ROWS = [
    # --- open to anyone --------------------------------------------------------------------
    row("GET", V + "/health", "/health", everyone(200), public=True),
    row("GET", V + "/openapi.json", "/openapi.json", everyone(200), public=True),
    row("POST", V + "/auth/token", "/auth/token", everyone(201), body=login_body, public=True),
    # --- any signed-in user ----------------------------------------------------------------
    row("DELETE", V + "/auth/token", "/auth/token", everyone(204)),
    row("GET", V + "/me", "/me", everyone(200)),
    # two-factor sign-in of oneself: anyone may enrol; with nothing started / nothing on, the
    # confirmation and turning off answer 409 (the flows: tests/api/test_totp.py)
    row("POST", V + "/me/totp", "/me/totp", everyone(201)),
    row("POST", V + "/me/totp/confirm", "/me/totp/confirm", everyone(409),
        body={"code": "123456"}),
    row("DELETE", V + "/me/totp", "/me/totp", everyone(409), body={"code": "123456"}),
    # Only one's own phones: another inspector's phone is not found, for every role.
    row("PATCH", V + "/me/devices/<device_id>", "/me/devices/victim-insp_bd", everyone(404),
        body={"device_name": "Điện thoại của tôi"}),
    row("POST", V + "/sync/push", "/sync/push",
        {"inspector": ("200 applied", "200 rejected"), "ward_officer": ("200 applied",
         "200 rejected"), "city_officer": "200 applied", "admin": "200 applied"},
        body=push_body, outcome=push_outcome),
    row("GET", V + "/sync/pull", "/sync/pull?limit=1000", everyone(200)),
    row("HEAD", V + "/attachments/<sha256>", "/attachments/{sha}", everyone(200)),
    row("GET", V + "/attachments/<sha256>", "/attachments/{sha}",
        merge(everyone(200), {"inspector": (200, 404), "ward_officer": (200, 404)})),
    row("PUT", V + "/attachments/<sha256>", "/attachments/{new_sha}", everyone(201),
        body=new_photo),
    row("GET", V + "/visits/<visit_id>", "/visits/{visit}",
        merge(everyone(200), {"inspector": (200, 404), "ward_officer": (200, 404)})),
    # --- reviewers -------------------------------------------------------------------------
    row("GET", V + "/review/queue", "/review/queue", reviewers(200)),
    row("GET", V + "/review/decisions.csv", "/review/decisions.csv", reviewers(200)),
    # --- indicator 4.4 and its downloads: ward officers inside their subtree only ------------
    row("GET", V + "/indicator", "/indicator?period=2023&org_unit={unit}",
        {"ward_officer": (200, 403), "city_officer": 200, "admin": 200}),
    row("GET", V + "/indicator/markets", "/indicator/markets?period=2023&org_unit={unit}",
        {"ward_officer": (200, 403), "city_officer": 200, "admin": 200}),
    row("GET", V + "/indicator/trend", "/indicator/trend?year=2023&org_unit={unit}",
        {"ward_officer": (200, 403), "city_officer": 200, "admin": 200}),
    row("POST", V + "/indicator/final", "/indicator/final", only("city_officer", "admin"),
        body={"period": "2023"}),
    row("GET", V + "/reports/compliance.csv",
        "/reports/compliance.csv?period=2023&org_unit={unit}",
        {"ward_officer": (200, 403), "city_officer": 200, "admin": 200}),
    row("GET", V + "/reports/compliance.xlsx",
        "/reports/compliance.xlsx?period=2023&org_unit={unit}",
        {"ward_officer": (200, 403), "city_officer": 200, "admin": 200}),
    row("GET", V + "/reports/markets.csv",
        "/reports/markets.csv?period=2023&org_unit={unit}",
        {"ward_officer": (200, 403), "city_officer": 200, "admin": 200}),
    row("GET", V + "/reports/settings", "/reports/settings",
        only("ward_officer", "city_officer", "admin")),
    row("PUT", V + "/reports/settings", "/reports/settings", only("admin"),
        body={"number_prefix": "BC-SCT"}),
    row("GET", V + "/markets/overdue", "/markets/overdue", everyone(200)),
    # --- admins ----------------------------------------------------------------------------
    row("GET", V + "/admin/users", "/admin/users", only("admin")),
    row("GET", V + "/admin/users/<int:user_id>", "/admin/users/{user}", only("admin")),
    row("GET", V + "/admin/markets/<int:market_id>", "/admin/markets/{market}", only("admin")),
    row("GET", V + "/admin/org-units", "/admin/org-units", only("admin")),
    row("POST", V + "/admin/users", "/admin/users", only("admin", ok=201),
        body={"username": "moi", "role": "city_officer", "password": "Chợ Xanh mới 2024"}),
    row("PATCH", V + "/admin/users/<int:user_id>", "/admin/users/{user}", only("admin"),
        body={"display_name": "Tên mới"}),
    row("POST", V + "/admin/users/<int:user_id>/password", "/admin/users/{user}/password",
        only("admin"), body={"password": "Mật khẩu mới 2024"}),
    row("DELETE", V + "/admin/users/<int:user_id>/totp", "/admin/users/{user}/totp",
        only("admin", ok=204)),
    row("GET", V + "/admin/devices", "/admin/devices", only("admin")),
    row("POST", V + "/admin/devices/<int:token_id>/revoke", "/admin/devices/{device}/revoke",
        only("admin")),
    row("GET", V + "/admin/markets", "/admin/markets", only("admin")),
    row("PATCH", V + "/admin/markets/<int:market_id>", "/admin/markets/{market}", only("admin"),
        body={"address": "Địa chỉ mới"}),
    row("POST", V + "/admin/markets/import", "/admin/markets/import", only("admin"),
        body=csv_body(CSV_MARKET)),
    row("POST", V + "/admin/org-units/import", "/admin/org-units/import", only("admin"),
        body=csv_body(CSV_UNIT)),
    row("GET", V + "/admin/targets", "/admin/targets", only("admin")),
    row("GET", V + "/admin/audit", "/admin/audit?limit=5", only("admin")),
    row("GET", V + "/admin/audit.csv", "/admin/audit.csv", only("admin")),
    row("GET", V + "/admin/settings", "/admin/settings", only("admin")),
    row("PUT", V + "/admin/settings", "/admin/settings", only("admin"),
        body={"support_contact": "Chị Lan — 024 3825 1234"}),
    row("PUT", V + "/admin/targets/<period>", "/admin/targets/2024", only("admin", ok=201),
        body={"target": 0.9, "org_unit_id": None}),
]
