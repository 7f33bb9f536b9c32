"""Photos (DESIGN §5 attachments, §9): content-addressed, checked by content, stored atomically,
and readable only through a visit the caller may see."""

import hashlib
import struct
import threading
import uuid
import zlib
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import pytest
import requests
from werkzeug.serving import make_server

from server.attachments import storage, stores
from server.core.extensions import db
from server.models import Attachment, Visit, VisitAttachment
from tests.api.test_health_and_errors import assert_error_shape
from tests.factories import GOOD_ANSWERS, login


def png(seed: int = 0) -> bytes:
    """A valid 1×1 grey PNG (the seed changes the pixel, hence the hash)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(
            ">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    pixels = zlib.compress(bytes([0, seed % 256]))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(
        b"IEND", b"")


def jpeg(seed: int = 0) -> bytes:
    return (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
            + bytes([seed % 256]) * 32 + b"\xff\xd9")


def webp() -> bytes:
    body = b"WEBPVP8L" + struct.pack("<I", 5) + b"\x2f\x00\x00\x00\x00"
    return b"RIFF" + struct.pack("<I", len(body)) + body


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def put(client, headers, data: bytes, content_type="image/png", digest=None):
    return client.put(f"/api/v1/attachments/{digest or sha(data)}", data=data,
                      headers={**headers, "Content-Type": content_type})


def stored_files(app) -> list[Path]:
    root = Path(app.config["ATTACHMENTS_DIR"])
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def assert_nothing_stored(app):
    assert db.session.query(Attachment).count() == 0
    assert stored_files(app) == []  # neither a final file nor a temp file


def test_upload_is_201_then_200_and_stored_once(app, client, world):
    headers, data = login(client, "insp_hbt"), png()
    first = put(client, headers, data)
    assert first.status_code == 201
    assert first.get_json() == {"sha256": sha(data), "content_type": "image/png",
                                "size": len(data)}
    assert first.headers["Location"] == f"/api/v1/attachments/{sha(data)}"
    again = put(client, headers, data)
    assert again.status_code == 200 and again.get_json() == first.get_json()
    assert db.session.query(Attachment).count() == 1
    row = db.session.get(Attachment, sha(data))
    assert row.uploaded_by == world["users"]["insp_hbt"].id
    assert stored_files(app) == [storage.path_for(sha(data))]


def test_file_holds_exactly_the_bytes_under_the_fanout_and_no_temp_file(app, client, world):
    data = jpeg(7)
    assert put(client, login(client, "insp_hbt"), data, "image/jpeg").status_code == 201
    root, digest = Path(app.config["ATTACHMENTS_DIR"]), sha(data)
    path = storage.path_for(digest)
    assert path == root / digest[:2] / digest[2:4] / digest
    assert path.read_bytes() == data
    assert list((root / "tmp").iterdir()) == []


@pytest.mark.parametrize("make, content_type", [(png, "image/png"), (jpeg, "image/jpeg"),
                                                (webp, "image/webp")])
def test_each_accepted_type(client, world, make, content_type):
    data = make()
    response = put(client, login(client, "insp_hbt"), data, f"{content_type}; charset=binary")
    assert response.status_code == 201 and response.get_json()["content_type"] == content_type


def test_head_is_404_until_uploaded_then_200_for_any_user(client, world):
    data = png(3)
    url = f"/api/v1/attachments/{sha(data)}"
    assert client.head(url, headers=login(client, "insp_bd")).status_code == 404
    put(client, login(client, "insp_hbt"), data)
    for user in ("insp_bd", "ward_bd", "city"):
        assert client.head(url, headers=login(client, user)).status_code == 200


def test_head_is_404_when_the_row_exists_but_the_file_is_gone_and_put_repairs_it(
        app, client, world):
    headers, data = login(client, "insp_hbt"), png(4)
    put(client, headers, data)
    storage.path_for(sha(data)).unlink()
    url = f"/api/v1/attachments/{sha(data)}"
    assert client.head(url, headers=headers).status_code == 404
    assert put(client, headers, data).status_code == 201  # the bytes are back: stored now
    assert client.head(url, headers=headers).status_code == 200
    assert storage.path_for(sha(data)).read_bytes() == data
    assert db.session.query(Attachment).count() == 1


def test_a_file_left_without_its_row_is_404_until_put_inserts_the_row(app, client, world):
    """A crash between writing the bytes and inserting the row leaves a file and no row."""
    headers, data = login(client, "insp_hbt"), jpeg(11)
    stores.LocalStore(app.config["ATTACHMENTS_DIR"]).put(sha(data), data)
    url = f"/api/v1/attachments/{sha(data)}"
    assert client.head(url, headers=headers).status_code == 404
    assert put(client, headers, data, "image/jpeg").status_code == 201
    assert client.head(url, headers=headers).status_code == 200
    assert db.session.query(Attachment).count() == 1


def test_wrong_hash_is_422_and_stores_nothing(app, client, world):
    response = put(client, login(client, "insp_hbt"), png(), digest=sha(b"something else"))
    assert_error_shape(response, 422, "hash_mismatch")
    assert_nothing_stored(app)


@pytest.mark.parametrize("data, content_type", [
    (b"<script>alert(1)</script>", "image/jpeg"),  # text pretending to be a photo
    (png(), "image/jpeg"),  # a real image, but not the declared type
    (jpeg(), "image/webp"),
    (b"RIFF\x00\x00\x00\x00WAVEfmt ", "image/webp"),  # RIFF, but not WebP
])
def test_bytes_that_are_not_the_declared_image_type_are_415(app, client, world, data,
                                                            content_type):
    response = put(client, login(client, "insp_hbt"), data, content_type)
    error = assert_error_shape(response, 415, "unsupported_media_type")
    assert "are not a" in error["message"]
    assert_nothing_stored(app)


@pytest.mark.parametrize("content_type", ["text/plain", "image/gif", "image/svg+xml",
                                          "application/octet-stream"])
def test_a_type_we_do_not_take_is_415(app, client, world, content_type):
    response = put(client, login(client, "insp_hbt"), png(), content_type)
    assert_error_shape(response, 415, "unsupported_media_type")
    assert_nothing_stored(app)


def test_empty_body_is_422(app, client, world):
    response = put(client, login(client, "insp_hbt"), b"", "image/png")
    assert assert_error_shape(response, 422, "validation_failed")["fields"] == {
        "body": ["Must not be empty."]}
    assert_nothing_stored(app)


def test_a_body_over_5_mb_is_413(app, client, world):
    data = jpeg() + b"\x00" * (6 * 1024 * 1024)
    response = put(client, login(client, "insp_hbt"), data, "image/jpeg")
    assert_error_shape(response, 413, "payload_too_large")
    assert_nothing_stored(app)


@pytest.mark.parametrize("bad", ["A" * 64, sha(png()).upper(), "a" * 63, "a" * 65, "g" * 64,
                                 "..", "%2e%2e"])
def test_malformed_sha_is_rejected(app, client, world, bad):
    headers = login(client, "insp_hbt")
    response = put(client, headers, png(), digest=bad)
    assert assert_error_shape(response, 422, "validation_failed")["fields"].keys() == {"sha256"}
    assert client.head(f"/api/v1/attachments/{bad}", headers=headers).status_code == 404
    assert_error_shape(client.get(f"/api/v1/attachments/{bad}", headers=headers), 404,
                       "not_found")
    assert_nothing_stored(app)


@pytest.mark.parametrize("bad", ["../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "a/b", "%00"])
def test_path_like_sha_is_a_json_error_and_touches_nothing(app, client, world, bad):
    headers = login(client, "insp_hbt")
    for response in (put(client, headers, png(), digest=bad),
                     client.get(f"/api/v1/attachments/{bad}", headers=headers)):
        assert 400 <= response.status_code < 500
        assert set(response.get_json()) == {"error"}
    assert_nothing_stored(app)
    assert not (Path(app.config["ATTACHMENTS_DIR"]).parent / "etc").exists()


def test_every_route_needs_a_token(app, client, world):
    data = png()
    url = f"/api/v1/attachments/{sha(data)}"
    assert_error_shape(client.put(url, data=data, content_type="image/png"), 401, "unauthorized")
    assert_error_shape(client.get(url), 401, "unauthorized")
    assert client.head(url).status_code == 401
    bad = {"Authorization": "Bearer not-a-token"}
    assert_error_shape(client.put(url, data=data, content_type="image/png", headers=bad), 401,
                       "invalid_token")
    assert_nothing_stored(app)


def add_visit(world, market: str, inspector: str, *shas: str) -> Visit:
    visit = Visit(
        id=str(uuid.uuid4()), rev=1, market_id=world["markets"][market].id,
        inspector_id=world["users"][inspector].id, device_id="d", form_version="2023.1",
        observed_at=datetime(2023, 3, 1, 1, 30), answers=dict(GOOD_ANSWERS),
        status="submitted", compliant=True,
    )
    db.session.add(visit)
    db.session.flush()
    for position, digest in enumerate(shas):
        db.session.add(VisitAttachment(visit_id=visit.id, position=position, sha256=digest))
    db.session.commit()
    return visit


def fetch(client, user: str, digest: str):
    return client.get(f"/api/v1/attachments/{digest}", headers=login(client, user))


def test_get_only_through_a_visit_the_caller_may_see(client, world):
    data = jpeg(1)
    put(client, login(client, "insp_hbt"), data, "image/jpeg")
    add_visit(world, "hom", "insp_hbt", sha(png(9)), sha(data))
    expected = {"insp_hbt": 200, "insp_hbt2": 404, "insp_bd": 404, "ward_hbt": 200,
                "ward_hbt1": 200, "ward_bd": 404, "city": 200, "admin": 200}
    for user, status in expected.items():
        response = fetch(client, user, sha(data))
        assert response.status_code == status, user
        if status == 404:  # the same answer whether it does not exist or is not theirs
            assert_error_shape(response, 404, "not_found")
            assert response.get_json() == fetch(client, user, "0" * 64).get_json()
    response = fetch(client, "insp_hbt", sha(data))
    assert response.data == data
    assert response.mimetype == "image/jpeg"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "private, max-age=31536000, immutable"
    assert response.headers["Content-Disposition"] == "inline"


def test_a_photo_referenced_in_another_district_is_visible_there_only(client, world):
    data = png(5)
    put(client, login(client, "insp_bd"), data)
    add_visit(world, "ngocha", "insp_bd", sha(data))
    assert fetch(client, "ward_bd", sha(data)).status_code == 200
    assert fetch(client, "ward_hbt", sha(data)).status_code == 404
    assert fetch(client, "ward_hbt1", sha(data)).status_code == 404


def test_an_unreferenced_photo_is_404_for_everyone_even_its_uploader(client, world):
    # Decision: only a visit makes a photo readable; uploading alone grants nothing.
    data = png(6)
    assert put(client, login(client, "insp_hbt"), data).status_code == 201
    for user in ("insp_hbt", "ward_hbt", "city", "admin"):
        assert_error_shape(fetch(client, user, sha(data)), 404, "not_found")


def test_a_referenced_photo_whose_bytes_never_arrived_is_404(client, world):
    add_visit(world, "hom", "insp_hbt", sha(png(8)))
    assert_error_shape(fetch(client, "insp_hbt", sha(png(8))), 404, "not_found")


def test_a_concurrent_upload_that_wins_the_insert_makes_this_one_a_200(
        app, client, world, monkeypatch):
    headers, data = login(client, "insp_hbt"), png(2)
    put(client, headers, data)
    db.session.expunge_all()  # as a separate request would see it
    # This upload looks before the other one's row is visible; its insert then finds the row.
    monkeypatch.setattr(storage, "_row_exists", lambda digest: False)
    response = put(client, headers, data)
    assert response.status_code == 200
    assert response.get_json() == {"sha256": sha(data), "content_type": "image/png",
                                   "size": len(data)}
    assert db.session.query(Attachment).count() == 1
    assert stored_files(app) == [storage.path_for(sha(data))]


def test_a_row_deleted_after_the_look_is_inserted_again(app, client, world, monkeypatch):
    """The orphan job deletes an unreferenced photo's row, then its file, while an upload of
    the same photo runs: the upload still leaves the photo stored (row and file)."""
    headers, data = login(client, "insp_hbt"), png(9)
    put(client, headers, data)
    real_put = stores.LocalStore.put

    def orphan_job_meanwhile(store, digest, body):
        db.session.execute(db.delete(Attachment).where(Attachment.sha256 == digest))
        db.session.commit()
        store.delete(digest)
        return real_put(store, digest, body)

    storage.path_for(sha(data)).unlink()  # so that this upload writes the file
    monkeypatch.setattr(stores.LocalStore, "put", orphan_job_meanwhile)
    assert put(client, headers, data).status_code == 201
    url = f"/api/v1/attachments/{sha(data)}"
    assert client.head(url, headers=headers).status_code == 200
    assert storage.path_for(sha(data)).read_bytes() == data


def test_the_same_photo_from_8_threads_at_once_is_stored_once(app, world):
    """Real requests on their own connections (threaded server), released together."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        client = app.test_client()
        headers, data = login(client, "insp_hbt"), jpeg(42)
        url = f"http://127.0.0.1:{server.server_port}/api/v1/attachments/{sha(data)}"
        barrier = threading.Barrier(8)

        def upload(_):
            barrier.wait(timeout=30)
            return requests.put(url, data=data, timeout=30,
                                headers={**headers, "Content-Type": "image/jpeg"}).status_code

        with ThreadPoolExecutor(8) as pool:
            statuses = sorted(pool.map(upload, range(8)))
    finally:
        server.shutdown()
    assert statuses == [200] * 7 + [201]
    db.session.rollback()  # a fresh snapshot: the writes happened on other connections
    assert db.session.query(Attachment).count() == 1
    assert stored_files(app) == [storage.path_for(sha(data))]
    assert storage.path_for(sha(data)).read_bytes() == data


def test_a_failed_write_is_503_and_leaves_no_temp_file_and_no_row(app, client, world,
                                                                  monkeypatch):
    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(stores.os, "replace", broken_replace)
    response = put(client, login(client, "insp_hbt"), png())
    assert_error_shape(response, 503, "storage_unavailable")  # the phone keeps it, retries
    assert_nothing_stored(app)


def test_sniffing_and_sha_format():
    assert storage.sniff_image_type(png()) == "image/png"
    assert storage.sniff_image_type(jpeg()) == "image/jpeg"
    assert storage.sniff_image_type(webp()) == "image/webp"
    assert storage.sniff_image_type(b"GIF89a") is None
    assert storage.sniff_image_type(b"") is None
    assert storage.is_sha256(sha(b"x"))
    assert not storage.is_sha256(sha(b"x").upper())
    assert not storage.is_sha256(sha(b"x") + "\n")
    assert not storage.is_sha256(None)
