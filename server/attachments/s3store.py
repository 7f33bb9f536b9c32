"""Photo bytes in an S3-compatible bucket (AWS S3, MinIO, Ceph, Garage, R2…), through boto3.

Configured only by boto3's standard environment: AWS_ENDPOINT_URL or AWS_ENDPOINT_URL_S3 for
a store other than AWS, AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION. The
object key is `<prefix>/<sha256>` (no prefix: `<sha256>`).

A PutObject is atomic in S3: a reader sees the old state or the whole new object, never a
part, and a failed upload leaves nothing. Each upload carries Content-MD5, so the store itself
refuses bytes damaged on the way. Timeouts are short and retries few: a store that does not
answer makes the API answer 503 storage_unavailable quickly, and the phone retries later.
"""

import base64
import hashlib
import io
import os
import threading
from collections.abc import Iterator
from typing import BinaryIO

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from server.attachments.stores import AttachmentStore, StoreUnavailable, _checked, is_sha256

_CONFIG = Config(connect_timeout=3, read_timeout=20, retries={"max_attempts": 2,
                                                               "mode": "standard"})
# The health check answers within a load balancer's usual timeout, even when the store is a
# black hole (packets dropped, not refused): one attempt, short timeouts.
_CHECK_CONFIG = Config(connect_timeout=1, read_timeout=2, retries={"max_attempts": 1,
                                                                   "mode": "standard"})
_MISSING = {"404", "NoSuchKey", "NotFound"}
_ALREADY_THERE = {"PreconditionFailed", "412", "ConditionalRequestConflict", "409"}
_NO_CONDITIONAL_WRITES = {"NotImplemented", "501"}


_CLIENTS: dict[tuple, object] = {}
_CLIENTS_LOCK = threading.Lock()


def shared_client(config: Config = _CONFIG):
    """One boto3 client per process, endpoint settings and config (making one costs ~0.5 s;
    a client is thread-safe, but not to be carried across a fork)."""
    key = (os.getpid(), id(config), *(os.environ.get(name) for name in (
        "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ACCESS_KEY_ID", "AWS_DEFAULT_REGION")))
    with _CLIENTS_LOCK:
        if key not in _CLIENTS:
            _CLIENTS[key] = boto3.session.Session().client("s3", config=config)
        return _CLIENTS[key]


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


class S3Store(AttachmentStore):
    def __init__(self, bucket: str, prefix: str = "", client=None):
        if not bucket:
            raise ValueError("ATTACHMENTS_URL s3://… needs a bucket name")
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.url = f"s3://{bucket}/{self.prefix}".rstrip("/")
        self.client = client or shared_client()
        self.check_client = client or shared_client(_CHECK_CONFIG)

    def key(self, sha: str) -> str:
        sha = _checked(sha)
        return f"{self.prefix}/{sha}" if self.prefix else sha

    def _fail(self, action: str, exc: Exception) -> StoreUnavailable:
        return StoreUnavailable(f"{action} on {self.url}: {type(exc).__name__}: {exc}")

    def exists(self, sha: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self.key(sha))
        except ClientError as exc:
            if _code(exc) in _MISSING:
                return False
            raise self._fail("HEAD", exc) from exc
        except BotoCoreError as exc:
            raise self._fail("HEAD", exc) from exc
        return True

    def put(self, sha: str, data: bytes) -> bool:
        if self.exists(sha):
            return False
        md5 = base64.b64encode(hashlib.md5(data).digest()).decode()  # noqa: S324 (integrity)
        request = {"Bucket": self.bucket, "Key": self.key(sha), "Body": data,
                   "ContentMD5": md5, "ContentType": "application/octet-stream"}
        try:
            # Conditional write: a concurrent upload of the same photo (another host) that
            # landed first makes this one a no-op (412), never a second write.
            self.client.put_object(**request, IfNoneMatch="*")
        except ClientError as exc:
            if _code(exc) in _ALREADY_THERE:
                return False
            if _code(exc) not in _NO_CONDITIONAL_WRITES:
                raise self._fail("PUT", exc) from exc
            try:  # a store without conditional writes: the same bytes, written again
                self.client.put_object(**request)
            except (ClientError, BotoCoreError) as exc2:
                raise self._fail("PUT", exc2) from exc2
        except BotoCoreError as exc:
            raise self._fail("PUT", exc) from exc
        return True

    def open(self, sha: str) -> BinaryIO:
        """The whole object in memory (photos are at most 5 MB): the app then answers with a
        seekable body, so ETag/conditional and Range requests work as for a file."""
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self.key(sha))
            return io.BytesIO(answer["Body"].read())
        except ClientError as exc:
            if _code(exc) in _MISSING:
                raise KeyError(sha) from None
            raise self._fail("GET", exc) from exc
        except BotoCoreError as exc:
            raise self._fail("GET", exc) from exc

    def delete(self, sha: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self.key(sha))
        except (ClientError, BotoCoreError) as exc:
            raise self._fail("DELETE", exc) from exc

    def shas(self) -> Iterator[str]:
        start = f"{self.prefix}/" if self.prefix else ""
        try:
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=start)
            for page in pages:
                for item in page.get("Contents", []):
                    name = item["Key"][len(start):]
                    if is_sha256(name):
                        yield name
        except (ClientError, BotoCoreError) as exc:
            raise self._fail("LIST", exc) from exc

    def check(self) -> None:
        try:
            self.check_client.head_bucket(Bucket=self.bucket)
        except (ClientError, BotoCoreError) as exc:
            raise self._fail("HEAD bucket", exc) from exc
