"""Two gunicorn servers — separate processes, separate local folders — on one PostgreSQL and one
bucket (DESIGN §10, issue 16): a photo PUT through A is served by B with the same bytes, and
neither host writes a photo to its own disk."""

import pytest
import requests

from server import create_app
from server.core.extensions import db
from syncclient.client import SyncClient
from syncclient.simulate import fake_photo
from tests.conftest import BACKEND, empty_database
from tests.factories import GOOD_ANSWERS, PASSWORD, make_world
from tests.resilience.live import Server
from tests.resilience.test_two_servers import POSTGRES_ONLY


def small_world(database_url: str, workdir) -> int:
    """The tables and the small world of tests/factories.py (faster than the demo seed);
    returns the id of an inspector's market."""
    app = create_app({"DATABASE_URL": database_url, "INSTANCE_DIR": str(workdir)})
    with app.app_context():
        empty_database()
        db.create_all()
        market = make_world()["markets"]["hom"].id
        db.session.commit()
        db.engine.dispose()
    return market


def files_under(folder) -> list:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


@pytest.mark.postgres_only
@pytest.mark.skipif(BACKEND != "postgres", reason=POSTGRES_ONLY)
def test_a_photo_put_through_host_a_is_served_by_host_b(tmp_path, s3):
    bucket = s3.url("two-hosts")
    shared = {**s3.env, "ATTACHMENTS_URL": bucket}
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = Server(tmp_path / "a", "postgres", gunicorn_workers=1, extra_env=shared)
    b = Server(tmp_path / "b", "postgres", gunicorn_workers=1, extra_env=shared,
               database={"DATABASE_URL": a.env["DATABASE_URL"]})
    assert a.attachments_dir() != b.attachments_dir()
    try:
        market = small_world(a.env["DATABASE_URL"], tmp_path)
        a.start()
        b.start()
        phone = SyncClient(a.url, "insp_hbt", PASSWORD, store_path=tmp_path / "phone",
                           base_delay=0.05)
        photo = fake_photo("two-hosts")
        visit_id = phone.record_visit(market, dict(GOOD_ANSWERS), photos=[photo])
        report = phone.sync()  # HEAD, PUT and push, all through A
        assert report.uploaded == 1 and report.applied == 1
        digest = phone.state()[("visit", visit_id)]["attachments"][0]

        officer = requests.post(f"{b.url}/api/v1/auth/token", timeout=30, json={
            "username": "ward_hbt", "password": PASSWORD,
            "device_id": "desk"}).json()
        for host, user in ((b, officer["token"]), (a, officer["token"])):
            headers = {"Authorization": f"Bearer {user}"}
            url = f"{host.url}/api/v1/attachments/{digest}"
            assert requests.head(url, headers=headers, timeout=30).status_code == 200
            got = requests.get(url, headers=headers, timeout=30)
            assert got.status_code == 200 and got.content == photo
            assert got.headers["Cache-Control"] == "private, max-age=31536000, immutable"
        assert s3.objects(bucket) == {digest: photo}
        assert files_under(a.attachments_dir()) == [] and files_under(b.attachments_dir()) == []
        for host in (a, b):
            health = requests.get(f"{host.url}/api/v1/health", timeout=30).json()
            assert (health["status"], health["attachments"]) == ("ok", "ok")
    finally:
        b.stop(hard=True)
        a.stop(hard=True)
