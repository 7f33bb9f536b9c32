"""Flask serves the built PWA at / with headers that keep updates flowing (DESIGN §2, §9)."""

import gzip
import os

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


# ---------------------------------------------------------------- served compressed (issue #15)

SCRIPT = ("console.log('Chợ Xanh');\n" * 200).encode()


@pytest.fixture
def packed_dist(dist):
    """A build as `npm run build` leaves it: brotli and gzip copies beside the text files
    (pwa/vite-plugins/precompress.js). The .br stands for brotli's bytes: only the server's
    choice is tested here, and the test client decodes nothing."""
    script = dist / "assets" / "index-abc123.js"
    script.write_bytes(SCRIPT)
    (dist / "assets" / "index-abc123.js.gz").write_bytes(gzip.compress(SCRIPT))
    (dist / "assets" / "index-abc123.js.br").write_bytes(b"brotli:" + SCRIPT[:50])
    shell = (dist / "index.html").read_bytes()
    (dist / "index.html.gz").write_bytes(gzip.compress(shell))
    return dist


@pytest.fixture
def packed(make_app, packed_dist):
    return make_app(PWA_DIST=str(packed_dist)).test_client()


def test_a_browser_that_takes_brotli_gets_the_brotli_copy(packed, packed_dist):
    response = packed.get("/assets/index-abc123.js", headers={"Accept-Encoding": "gzip, br"})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "br"
    assert response.data == (packed_dist / "assets" / "index-abc123.js.br").read_bytes()
    assert response.mimetype == "text/javascript"
    assert "Accept-Encoding" in response.headers["Vary"]
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_gzip_when_brotli_is_not_taken_and_the_file_itself_when_nothing_is(packed):
    gz = packed.get("/assets/index-abc123.js", headers={"Accept-Encoding": "gzip, br;q=0"})
    assert gz.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(gz.data) == SCRIPT
    plain = packed.get("/assets/index-abc123.js")
    assert "Content-Encoding" not in plain.headers
    assert plain.data == SCRIPT
    assert "Accept-Encoding" in plain.headers["Vary"]


def test_the_app_shell_comes_compressed_on_every_app_route(packed):
    for path in ("/", "/markets"):
        response = packed.get(path, headers={"Accept-Encoding": "gzip"})
        assert response.headers["Content-Encoding"] == "gzip", path
        assert "Chợ Xanh" in gzip.decompress(response.data).decode()
        assert response.headers["Cache-Control"] == "no-cache"
        assert response.mimetype == "text/html"


def test_a_copy_older_than_its_file_is_never_served(packed, packed_dist):
    script = packed_dist / "assets" / "index-abc123.js"
    changed = SCRIPT + b"// patched after the build\n"
    script.write_bytes(changed)
    later = script.stat().st_mtime + 10
    os.utime(script, (later, later))
    response = packed.get("/assets/index-abc123.js", headers={"Accept-Encoding": "gzip, br"})
    assert "Content-Encoding" not in response.headers
    assert response.data == changed
