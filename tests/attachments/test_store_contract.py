"""The attachment-store contract (tests/attachments/contract.py) against both stores: the local
folder and an S3-compatible bucket on a real S3-protocol server (moto, tests/s3.py)."""

import pytest

from server.attachments.s3store import S3Store
from server.attachments.stores import LocalStore, store_for_url
from tests.attachments.contract import AttachmentStoreContract, photo
from tests.s3 import free_port


class TestLocalStore(AttachmentStoreContract):
    @pytest.fixture
    def store(self, tmp_path):
        return LocalStore(tmp_path / "attachments")

    @pytest.fixture
    def unreachable(self, tmp_path):
        (tmp_path / "not-a-dir").write_text("a file where the folder should be")
        return LocalStore(tmp_path / "not-a-dir" / "attachments")

    def test_files_are_fanned_out_and_no_temp_file_stays(self, store):
        sha, data = photo(8)
        store.put(sha, data)
        assert (store.root / sha[:2] / sha[2:4] / sha).read_bytes() == data
        assert list((store.root / "tmp").iterdir()) == []


class TestS3Store(AttachmentStoreContract):
    @pytest.fixture
    def store(self, s3):
        return store_for_url(s3.url("contract"))

    @pytest.fixture
    def unreachable(self, s3, monkeypatch):
        monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")
        return S3Store(s3.bucket, "nowhere")

    def test_objects_are_named_prefix_slash_sha256(self, s3):
        url = s3.url("layout")
        store = store_for_url(url)
        sha, data = photo(9)
        store.put(sha, data)
        assert s3.objects(url) == {sha: data}


def test_attachments_url_names_the_store(tmp_path):
    assert isinstance(store_for_url("", tmp_path / "a"), LocalStore)
    assert store_for_url("", tmp_path / "a").root == tmp_path / "a"
    assert store_for_url(f"file://{tmp_path}/b").root == tmp_path / "b"
    s3 = store_for_url("s3://photos/choxanh/prod/")
    assert (s3.bucket, s3.prefix) == ("photos", "choxanh/prod")
    assert s3.key("a" * 64) == "choxanh/prod/" + "a" * 64
    assert store_for_url("s3://photos").key("a" * 64) == "a" * 64
    for bad in ("ftp://x/y", "s3:///no-bucket", "file://otherhost/x", "/just/a/path"):
        with pytest.raises(ValueError):
            store_for_url(bad, tmp_path)
