"""`manage.py backup` / `restore` with the photos in a bucket: restored into an empty database
and an empty bucket, every table and every object comes back, compared object by object; a
backup of a local folder restores into a bucket too (how a deployment can also move)."""

import json
from pathlib import Path

from server.core.extensions import db
from tests.api.test_attachments import add_visit, jpeg, png, put, sha
from tests.cli.test_backup import manage, restore_target, tables
from tests.factories import login


def upload_world(app, world, photos) -> None:
    client = app.test_client()
    headers = login(client, "insp_hbt")
    for data, kind in photos:
        assert put(client, headers, data, kind).status_code == 201
    add_visit(world, "hom", "insp_hbt", *(sha(data) for data, _ in photos[:2]))
    db.session.remove()


def source_env(app, tmp_path, url="") -> dict:
    return {"DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "INSTANCE_DIR": str(tmp_path),
            "ATTACHMENTS_DIR": app.config["ATTACHMENTS_DIR"], "ATTACHMENTS_URL": url}


def test_backup_of_a_bucket_restores_into_an_empty_database_and_an_empty_bucket(
        make_app, s3, tmp_path):
    source = s3.url("backup-source")
    app = make_app(ATTACHMENTS_URL=source)
    photos = [(jpeg(21), "image/jpeg"), (png(22), "image/png"), (jpeg(23), "image/jpeg")]
    with app.app_context():
        from tests.factories import make_world

        upload_world(app, make_world(), photos)
    env = source_env(app, tmp_path, source)
    done = manage(env, "backup", "--output", str(tmp_path / "backup"))
    assert done.returncode == 0, done.stderr
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert sorted(p["sha256"] for p in manifest["attachments"]) == sorted(
        sha(data) for data, _ in photos)
    live = tables(env["DATABASE_URL"])

    target = {**restore_target("sqlite" if "sqlite" in env["DATABASE_URL"] else "postgres",
                               tmp_path / "target"), "ATTACHMENTS_URL": s3.url("restored")}
    assert s3.objects(target["ATTACHMENTS_URL"]) == {}
    restored = manage(target, "restore", "--input", str(tmp_path / "backup"))
    assert restored.returncode == 0, restored.stderr
    assert tables(target["DATABASE_URL"]) == live
    assert s3.objects(target["ATTACHMENTS_URL"]) == s3.objects(source)  # object by object
    assert {k: len(v) for k, v in s3.objects(source).items()} == {
        p["sha256"]: p["size"] for p in manifest["attachments"]}
    assert not Path(target["ATTACHMENTS_DIR"]).exists()  # nothing went to a local folder


def test_a_photo_missing_from_the_bucket_fails_the_backup(make_app, s3, tmp_path):
    source = s3.url("backup-missing")
    app = make_app(ATTACHMENTS_URL=source)
    with app.app_context():
        from tests.factories import make_world

        upload_world(app, make_world(), [(jpeg(24), "image/jpeg")])
    s3.client().delete_object(Bucket=s3.bucket,
                              Key=f"{source.split('/', 3)[3]}/{sha(jpeg(24))}")
    failed = manage(source_env(app, tmp_path, source), "backup", "--output",
                    str(tmp_path / "b"))
    assert failed.returncode != 0 and "is not in s3://" in failed.stderr


def test_a_local_folder_backup_restores_into_a_bucket(make_app, s3, tmp_path):
    app = make_app()
    photos = [(jpeg(25), "image/jpeg"), (png(26), "image/png")]
    with app.app_context():
        from tests.factories import make_world

        upload_world(app, make_world(), photos)
    env = source_env(app, tmp_path)
    assert manage(env, "backup", "--output", str(tmp_path / "backup")).returncode == 0
    target = {**restore_target("sqlite" if "sqlite" in env["DATABASE_URL"] else "postgres",
                               tmp_path / "target"), "ATTACHMENTS_URL": s3.url("from-disk")}
    restored = manage(target, "restore", "--input", str(tmp_path / "backup"))
    assert restored.returncode == 0, restored.stderr
    assert s3.objects(target["ATTACHMENTS_URL"]) == {sha(d): d for d, _ in photos}
