"""`manage.py attachments migrate --to s3://…` (resumable, verified) and the orphan-photo job."""

from datetime import timedelta

import pytest

from server import create_app
from server.attachments.orphans import delete_orphan_photos
from server.attachments.stores import LocalStore, store_for_url
from server.core.extensions import db
from server.core.timeutil import utcnow
from server.models import Attachment
from tests.api.test_attachments import add_visit, jpeg, png, put, sha
from tests.factories import login

PHOTOS = [(jpeg(31), "image/jpeg"), (png(32), "image/png"), (jpeg(33), "image/jpeg")]


def upload(app, world, photos=PHOTOS):
    client = app.test_client()
    headers = login(client, "insp_hbt")
    for data, kind in photos:
        assert put(client, headers, data, kind).status_code == 201


def test_migrate_copies_verifies_resumes_and_the_bucket_then_serves(app, world, s3, tmp_path):
    upload(app, world)
    add_visit(world, "hom", "insp_hbt", sha(PHOTOS[0][0]))
    target_url = s3.url("migrate")
    target = store_for_url(target_url)
    target.put(sha(PHOTOS[1][0]), PHOTOS[1][0])  # as if an earlier run had been interrupted
    target.put(sha(PHOTOS[2][0]), b"\xff\xd8\xff truncated")  # a damaged copy (not ours)
    runner = app.test_cli_runner()

    with s3.down():
        down = runner.invoke(args=["attachments", "migrate", "--to", target_url])
    assert down.exit_code != 0 and "run the command again to resume" in down.output

    first = runner.invoke(args=["attachments", "migrate", "--to", target_url])
    assert first.exit_code == 0, first.output
    assert "1 copied, 1 already there (verified), 1 repaired, 0 failed" in first.output
    assert s3.objects(target_url) == {sha(d): d for d, _ in PHOTOS}
    again = runner.invoke(args=["attachments", "migrate", "--to", target_url])
    assert "0 copied, 3 already there (verified), 0 repaired, 0 failed" in again.output

    # the deployment switches ATTACHMENTS_URL: the same database now serves from the bucket
    db.session.remove()
    moved = create_app({"TESTING": True, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
                        "INSTANCE_DIR": str(tmp_path), "ATTACHMENTS_URL": target_url,
                        "ATTACHMENTS_DIR": str(tmp_path / "no-folder")})
    client = moved.test_client()
    response = client.get(f"/api/v1/attachments/{sha(PHOTOS[0][0])}",
                          headers=login(client, "insp_hbt"))
    with moved.app_context():
        db.engine.dispose()
    assert response.status_code == 200 and response.data == PHOTOS[0][0]


def test_migrate_refuses_an_unknown_target(runner):
    result = runner.invoke(args=["attachments", "migrate", "--to", "ftp://x/y"])
    assert result.exit_code != 0 and "s3://bucket/prefix" in result.output


@pytest.fixture
def s3_app(make_app, s3):
    def build(**config):
        app = make_app(ATTACHMENTS_URL=s3.url("orphans"), **config)
        return app
    return build


def age(data: bytes, days: int) -> None:
    db.session.get(Attachment, sha(data)).stored_at = utcnow() - timedelta(days=days)
    db.session.commit()


@pytest.mark.parametrize("days", [0, 30])
def test_orphan_photos_go_after_n_days_only_when_switched_on(s3_app, s3, days):
    app = s3_app(ORPHAN_PHOTO_DAYS=days)
    with app.app_context():
        from tests.factories import make_world

        world = make_world()
        upload(app, world)
        old_orphan, old_referenced, new_orphan = (d for d, _ in PHOTOS)
        add_visit(world, "hom", "insp_hbt", sha(old_referenced))
        age(old_orphan, 31)
        age(old_referenced, 31)
        age(new_orphan, 29)
        summary = delete_orphan_photos()
        url = app.config["ATTACHMENTS_URL"]
        left = {sha(d) for d, _ in PHOTOS} - ({sha(old_orphan)} if days else set())
        assert set(s3.objects(url)) == left
        assert {a.sha256 for a in db.session.query(Attachment)} == left
        if days:
            assert summary == {"photos_deleted": 1, "kept_referenced_meanwhile": 0}
        else:
            assert summary.startswith("off")


def test_orphan_job_on_the_local_folder(make_app):
    app = make_app(ORPHAN_PHOTO_DAYS=1)
    with app.app_context():
        from tests.factories import make_world

        upload(app, make_world(), PHOTOS[:1])
        age(PHOTOS[0][0], 2)
        assert delete_orphan_photos()["photos_deleted"] == 1
        assert list(LocalStore(app.config["ATTACHMENTS_DIR"]).shas()) == []
