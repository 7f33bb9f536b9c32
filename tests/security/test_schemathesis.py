"""Property-based hostile input from the OpenAPI document (schemathesis, in process over WSGI):
for every documented operation, generated requests never get a 500, answers conform to the
documented schema and content type, and a refused request (4xx) changes no row of any table."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from server.auth.tokens import issue_token
from server.core.extensions import db
from server.models import User
from tests.factories import make_world
from tests.security.test_authz_matrix import fingerprint

EXAMPLES = 15  # per operation, ~25 operations: a minute or two on a busy machine
THROTTLE = ("login_failure",)  # a failed login is recorded on purpose (throttling)
LOGIN_FAILED = THROTTLE + ("audit_event",)  # and audited (auth.login_failed), at login only
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture
def api_schema(app):
    make_world()
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


def fresh_admin_token() -> dict:
    """Each example runs as an admin holding a valid token: generated requests may have
    revoked the last one, or changed the admin's password."""
    admin = db.session.scalar(db.select(User).where(User.username == "admin"))
    admin.active, admin.role = True, "admin"
    token, _ = issue_token(admin, "schemathesis", None)
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_generated_requests(case, app):
    headers = fresh_admin_token()
    ignore = LOGIN_FAILED if case.formatted_path.endswith("/auth/token") else THROTTLE
    before = fingerprint(ignore=ignore)
    response = case.call(headers=headers)
    case.validate_response(response, checks=CHECKS)
    if 400 <= response.status_code < 500:
        after = fingerprint(ignore=ignore)
        assert after == before, f"{case.method} {case.formatted_path} refused but wrote"
