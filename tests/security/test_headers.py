"""Security headers on every kind of response (DESIGN §9): the API's JSON, its errors (401, 404,
405, 413, 500), CSV and photo downloads, the PWA shell, its scripts and service worker, a
missing static file, the not-built page, a 204."""

import pytest
from werkzeug.exceptions import InternalServerError

from tests.api.test_attachments import png, sha
from tests.factories import login, push, upsert, visit_data


@pytest.fixture
def dist(tmp_path):
    root = tmp_path / "dist"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text("<!doctype html><title>Chợ Xanh</title>", encoding="utf-8")
    (root / "sw.js").write_text("self.addEventListener('install', () => {});")
    (root / "assets" / "index-abc123.js").write_text("console.log('app');")
    (root / "manifest.webmanifest").write_text("{}")
    return root


@pytest.fixture
def site(make_app, dist):
    app = make_app(PWA_DIST=str(dist))

    def boom():
        raise RuntimeError("a bug")

    def boom_page():
        raise InternalServerError()

    app.add_url_rule("/api/v1/test-boom", "test_boom", boom)
    app.add_url_rule("/test-boom-page", "test_boom_page", boom_page)
    with app.app_context():
        from tests.factories import make_world

        world = make_world()
        yield app.test_client(), world


def responses(client, world) -> dict:
    inspector, ward = login(client, "insp_hbt"), login(client, "ward_hbt")
    photo = png(7)
    client.put(f"/api/v1/attachments/{sha(photo)}", data=photo,
               headers={**inspector, "Content-Type": "image/png"})
    push(client, inspector, upsert(visit_data(world["markets"]["hom"], attachments=[sha(photo)])))
    spare = login(client, "insp_hbt", device_id="spare")
    return {
        "json": client.get("/api/v1/me", headers=inspector),
        "json list": client.get("/api/v1/sync/pull", headers=ward),
        "json 401": client.get("/api/v1/me"),
        "json 404": client.get("/api/v1/nothing-here"),
        "json 405": client.put("/api/v1/health"),
        "json 413": client.post("/api/v1/sync/push", data=b"x" * (6 * 1024 * 1024),
                                headers={**inspector, "Content-Type": "application/json"}),
        "json 500": client.get("/api/v1/test-boom"),
        "204": client.delete("/api/v1/auth/token", headers=spare),
        "photo": client.get(f"/api/v1/attachments/{sha(photo)}", headers=ward),
        "csv": client.get("/api/v1/review/decisions.csv", headers=ward),
        "openapi": client.get("/api/v1/openapi.json"),
        "pwa shell": client.get("/"),
        "pwa route": client.get("/visits/new"),
        "script": client.get("/assets/index-abc123.js"),
        "service worker": client.get("/sw.js"),
        "manifest": client.get("/manifest.webmanifest"),
        "missing file": client.get("/assets/missing.js"),
        "page 500": client.get("/test-boom-page"),
    }


def test_every_kind_of_response_carries_the_headers(site):
    client, world = site
    seen = responses(client, world)
    expected_status = {"json 401": 401, "json 404": 404, "json 405": 405, "json 413": 413,
                       "json 500": 500, "204": 204, "missing file": 404, "page 500": 500}
    for kind, response in seen.items():
        assert response.status_code == expected_status.get(kind, 200), (kind, response.data[:200])
        headers = response.headers
        csp = headers.get("Content-Security-Policy", "")
        directives = dict(
            (part.split(" ", 1) + [""])[:2] for part in (p.strip() for p in csp.split(";")) if part
        )
        assert directives.get("script-src") == "'self'", kind
        assert directives.get("default-src") == "'self'", kind
        assert directives.get("frame-ancestors") == "'none'", kind
        assert directives.get("object-src") == "'none'", kind
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, kind
        assert headers.get("X-Content-Type-Options") == "nosniff", kind
        assert headers.get("X-Frame-Options") == "DENY", kind
        assert headers.get("Referrer-Policy") == "no-referrer", kind
        if kind.startswith("json") or kind in ("csv", "openapi"):
            assert headers.get("Cache-Control") == "no-store", kind
    # Downloads are never rendered by the browser as a page of ours.
    assert seen["csv"].headers["Content-Disposition"].startswith("attachment")
    assert seen["photo"].mimetype == "image/png"
    assert seen["script"].mimetype == "text/javascript"
    # An error never shows a traceback or the exception's text.
    assert b"a bug" not in seen["json 500"].data and b"Traceback" not in seen["json 500"].data
    assert seen["json 500"].get_json()["error"]["code"] == "internal_error"
