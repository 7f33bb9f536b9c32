"""Flask serves the built PWA at / with headers that keep updates flowing (DESIGN §2, §9)."""

import pytest


@pytest.fixture
def dist(tmp_path):
    root = tmp_path / "dist"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text("<!doctype html><title>Chợ Xanh</title>", encoding="utf-8")
    (root / "sw.js").write_text("self.addEventListener('install', () => {});")
    (root / "assets" / "index-abc123.js").write_text("console.log('app');")
    return root


@pytest.fixture
def web(make_app, dist):
    return make_app(PWA_DIST=str(dist)).test_client()


def test_root_serves_the_app_shell_revalidated(web):
    response = web.get("/")
    assert response.status_code == 200
    assert "Chợ Xanh" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_app_routes_fall_back_to_the_shell(web):
    response = web.get("/markets/42")
    assert response.status_code == 200
    assert "Chợ Xanh" in response.get_data(as_text=True)


def test_service_worker_is_never_cached_and_hashed_assets_are(web):
    sw = web.get("/sw.js")
    assert sw.status_code == 200
    assert sw.headers["Cache-Control"] == "no-cache"
    assert "javascript" in sw.mimetype
    asset = web.get("/assets/index-abc123.js")
    assert "immutable" in asset.headers["Cache-Control"]


def test_a_missing_file_is_404_not_the_shell(web):
    assert web.get("/assets/missing.js").status_code == 404


def test_unbuilt_pwa_says_how_to_build_it(make_app, tmp_path):
    client = make_app(PWA_DIST=str(tmp_path / "nothing")).test_client()
    response = client.get("/")
    assert response.status_code == 503
    assert "make run" in response.get_data(as_text=True)
