"""The photo API with its bytes in an S3-compatible bucket (a real S3-protocol server on
loopback, tests/s3.py): the same guarantees as the local folder, and what happens while the
store is down (DESIGN §5 attachments, §10)."""

import threading
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from server.core.extensions import db
from server.models import Attachment, Visit
from server.web import CSP
from syncclient import SyncClient, SyncError
from tests.api.test_attachments import add_visit, jpeg, png, put, sha
from tests.api.test_health_and_errors import assert_error_shape
from tests.factories import GOOD_ANSWERS, PASSWORD, login


@pytest.fixture
def bucket(s3):
    return s3.url("api")


@pytest.fixture
def s3_app(make_app, bucket):
    app = make_app(ATTACHMENTS_URL=bucket)
    with app.app_context():
        yield app


@pytest.fixture
def client(s3_app):
    return s3_app.test_client()


def local_folder(app) -> Path:
    return Path(app.config["ATTACHMENTS_DIR"])


def test_put_head_get_go_through_the_bucket_and_nothing_touches_the_disk(
        s3_app, client, world, s3, bucket):
    headers, data = login(client, "insp_hbt"), jpeg(11)
    url = f"/api/v1/attachments/{sha(data)}"
    assert client.head(url, headers=headers).status_code == 404
    first = put(client, headers, data, "image/jpeg")
    assert first.status_code == 201 and first.get_json()["size"] == len(data)
    assert put(client, headers, data, "image/jpeg").status_code == 200  # no second write
    assert s3.objects(bucket) == {sha(data): data}  # key <prefix>/<sha256>, exactly the bytes
    assert client.head(url, headers=login(client, "insp_bd")).status_code == 200

    add_visit(world, "hom", "insp_hbt", sha(data))
    response = client.get(url, headers=headers)
    assert response.status_code == 200 and response.data == data
    assert response.mimetype == "image/jpeg"
    assert response.headers["Cache-Control"] == "private, max-age=31536000, immutable"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"] == "inline"
    assert response.headers["Content-Security-Policy"] == CSP
    assert response.headers["ETag"] == f'"{sha(data)}"'
    cached = client.get(url, headers={**headers, "If-None-Match": f'"{sha(data)}"'})
    assert cached.status_code == 304 and cached.data == b""
    assert client.get(url, headers=login(client, "insp_bd")).status_code == 404  # scope
    assert not local_folder(s3_app).exists()


@pytest.mark.parametrize("data, content_type, digest, code", [
    (png(1), "image/png", sha(b"other"), "hash_mismatch"),
    (b"<svg onload=alert(1)>", "image/jpeg", None, "unsupported_media_type"),
], ids=["wrong-hash", "not-an-image"])
def test_bad_bytes_store_nothing_in_the_bucket(s3_app, client, world, s3, bucket, data,
                                               content_type, digest, code):
    response = put(client, login(client, "insp_hbt"), data, content_type, digest=digest)
    assert response.get_json()["error"]["code"] == code
    assert s3.objects(bucket) == {} and db.session.query(Attachment).count() == 0


def test_a_row_whose_object_is_gone_is_404_and_a_put_repairs_it(s3_app, client, world, s3,
                                                                 bucket):
    headers, data = login(client, "insp_hbt"), png(12)
    put(client, headers, data)
    s3.client().delete_object(Bucket=s3.bucket, Key=f"{bucket.split('/', 3)[3]}/{sha(data)}")
    url = f"/api/v1/attachments/{sha(data)}"
    assert client.head(url, headers=headers).status_code == 404
    assert put(client, headers, data).status_code == 201
    assert s3.objects(bucket) == {sha(data): data}


def push_visit(client, headers, *photos: str) -> dict:
    body = {"device_id": str(uuid.uuid4()), "mutations": [{
        "id": str(uuid.uuid4()), "type": "visit.upsert", "data": {
            "id": str(uuid.uuid4()), "base_rev": None, "market_id": 1, "form_version": "2023.1",
            "observed_at": "2023-03-01T08:30:00+07:00", "answers": dict(GOOD_ANSWERS),
            "location": None, "attachments": list(photos)}}]}
    response = client.post("/api/v1/sync/push", json=body, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["results"][0]


def test_store_down_photos_are_503_everything_else_works(s3_app, client, world, s3, bucket):
    headers, stored, new = login(client, "insp_hbt"), jpeg(13), jpeg(14)
    put(client, headers, stored, "image/jpeg")
    add_visit(world, "hom", "insp_hbt", sha(stored))
    with s3.down():
        health = client.get("/api/v1/health")
        assert health.status_code == 200  # a load balancer keeps the host
        assert health.get_json()["status"] == "degraded"
        assert health.get_json()["attachments"] == "unavailable"
        assert health.get_json()["database"] == "ok"
        assert_error_shape(put(client, headers, new, "image/jpeg"), 503, "storage_unavailable")
        # HEAD: a photo without a row is simply not stored (404, the phone then PUTs); one
        # with a row cannot be confirmed (503, asked again later)
        assert client.head(f"/api/v1/attachments/{sha(new)}", headers=headers).status_code \
            == 404
        assert client.head(f"/api/v1/attachments/{sha(stored)}",
                           headers=headers).status_code == 503
        assert_error_shape(client.get(f"/api/v1/attachments/{sha(stored)}", headers=headers),
                           503, "storage_unavailable")
        # a push that brings no new photo is applied; one naming a photo not yet uploaded
        # is applied too, the photo listed as missing until it arrives (DESIGN §5.1)
        assert push_visit(client, headers)["status"] == "applied"
        result = push_visit(client, headers, sha(stored))
        assert result["status"] == "applied" and result["record"]["missing_attachments"] == []
        assert client.get("/api/v1/sync/pull", headers=headers).status_code == 200
    assert s3.objects(bucket) == {sha(stored): stored}  # nothing half-written of `new`
    assert db.session.get(Attachment, sha(new)) is None
    assert client.get("/api/v1/health").get_json()["attachments"] == "ok"
    assert put(client, headers, new, "image/jpeg").status_code == 201


@pytest.fixture
def live_url(s3_app, world):
    server = make_server("127.0.0.1", 0, s3_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


def test_the_phone_keeps_its_photo_while_the_store_is_down_and_its_retry_succeeds(
        live_url, world, s3, bucket, tmp_path):
    """syncclient: the store stops; the phone's sync gives up (503 storage_unavailable) and
    keeps visit and photo; another phone's push without photo is applied; the store comes
    back during the phone's next backoff, and that retry stores the photo and pushes."""
    hom = world["markets"]["hom"].id
    phone = SyncClient(live_url, "insp_hbt", PASSWORD, store_path=tmp_path / "phone",
                       max_attempts=2, base_delay=0.01, max_delay=0.05)
    other = SyncClient(live_url, "insp_hbt", PASSWORD, store_path=tmp_path / "other",
                       base_delay=0.01)
    phone.sync()
    other.sync()
    photo = jpeg(15)
    with s3.down():
        visit_id = phone.record_visit(hom, dict(GOOD_ANSWERS), photos=[photo])
        with pytest.raises(SyncError) as failed:
            phone.sync()
        assert failed.value.status == 503 and failed.value.code == "storage_unavailable"
        assert len(phone.outbox) == 1 and phone.store.get_blob(sha(photo)) == photo
        other.record_visit(hom, dict(GOOD_ANSWERS))
        assert other.sync().applied == 1

        phone.http.max_attempts = 8
        phone.http.sleep = lambda delay: s3.start() if s3._server is None else None
        report = phone.sync()  # the first request is refused; the store is back at the retry
    assert report.retries >= 1 and report.uploaded == 1 and report.applied == 1
    assert phone.outbox == [] and phone.problems == []
    assert phone.state()[("visit", visit_id)]["missing_attachments"] == []
    assert s3.objects(bucket) == {sha(photo): photo}
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 2


def test_health_answers_quickly_when_the_store_answers_nothing(make_app, s3, monkeypatch):
    """A store that accepts connections and never answers (a black hole): health still
    answers within a load balancer's usual 5 s, 200 and degraded."""
    import socket
    import time

    with socket.socket() as hole:
        hole.bind(("127.0.0.1", 0))
        hole.listen(16)  # never accepted: the kernel completes the handshake, nothing answers
        monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{hole.getsockname()[1]}")
        app = make_app(ATTACHMENTS_URL=s3.url("black-hole"))
        start = time.monotonic()
        health = app.test_client().get("/api/v1/health")
        took = time.monotonic() - start
    assert health.status_code == 200 and health.get_json()["attachments"] == "unavailable"
    assert took < 4.5
