"""The health check and the one JSON error shape for every API error (DESIGN §5)."""

from flask import Blueprint

from server import create_app
from server.core.http import json_body


def assert_error_shape(response, status: int, code: str):
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]


def test_health_reports_database_and_version(client):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["version"]


def test_health_says_when_the_database_is_unreachable(tmp_path):
    # A database file inside a directory that does not exist cannot be opened.
    app = create_app(
        {"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path}/missing/dir/x.sqlite3"}
    )
    response = app.test_client().get("/api/v1/health")
    assert response.status_code == 503
    assert response.get_json()["database"] == "error"
    assert response.get_json()["status"] == "degraded"


def test_unknown_api_route_is_a_json_404(client):
    error = assert_error_shape(client.get("/api/v1/no-such-thing"), 404, "not_found")
    assert "fields" not in error


def test_wrong_method_is_a_json_405(client):
    response = client.delete("/api/v1/health")
    assert_error_shape(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]


def _app_with_probe_routes(make_app):
    app = make_app()
    probe = Blueprint("probe", __name__, url_prefix="/api/v1/probe")

    @probe.post("/echo")
    def echo():
        return {"got": json_body()}

    @probe.get("/boom")
    def boom():
        raise RuntimeError("an unexpected bug")

    app.register_blueprint(probe)
    return app


def test_invalid_json_is_a_json_400(make_app):
    client = _app_with_probe_routes(make_app).test_client()
    response = client.post(
        "/api/v1/probe/echo", data=b'{"not": json', content_type="application/json"
    )
    assert_error_shape(response, 400, "invalid_json")
    response = client.post("/api/v1/probe/echo", data=b"[1, 2]", content_type="application/json")
    assert_error_shape(response, 400, "invalid_json")
    response = client.post("/api/v1/probe/echo", data=b"{}", content_type="text/plain")
    assert_error_shape(response, 415, "unsupported_media_type")
    ok = client.post("/api/v1/probe/echo", json={"chợ": "Hôm"})
    assert ok.status_code == 200 and ok.get_json() == {"got": {"chợ": "Hôm"}}


def test_an_unexpected_exception_is_a_json_500_without_details(make_app):
    app = _app_with_probe_routes(make_app)
    app.config["TESTING"] = False  # let the handler run instead of propagating
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/api/v1/probe/boom")
    error = assert_error_shape(response, 500, "internal_error")
    assert "unexpected bug" not in error["message"]


def test_oversized_body_is_a_json_413(make_app):
    client = _app_with_probe_routes(make_app).test_client()
    response = client.post(
        "/api/v1/probe/echo",
        data=b'{"x": "' + b"a" * (6 * 1024 * 1024) + b'"}',
        content_type="application/json",
    )
    assert_error_shape(response, 413, "payload_too_large")


def test_api_responses_carry_security_headers_and_no_store(client):
    response = client.get("/api/v1/health")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"
