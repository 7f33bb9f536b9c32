"""A real S3-protocol server on loopback for the tests: moto's standalone server
(`moto[server]`), run in a thread of the test process, one per session, with one bucket.

Each test takes its own key prefix (`s3.url()`), so tests share the server without seeing each
other's objects. `stop()` closes the listening socket (clients get "connection refused", as
from a store that is down) and `start()` brings it back on the same port with its objects
(moto keeps them in this process)."""

import os
import socket
import uuid
from contextlib import contextmanager

import boto3

BUCKET = "choxanh-test"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
               "AWS_DEFAULT_REGION": "us-east-1"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class S3Server:
    def __init__(self):
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.bucket = BUCKET
        self._server = None

    @property
    def env(self) -> dict:
        """boto3's standard variables, for this process and for server subprocesses."""
        return {**CREDENTIALS, "AWS_ENDPOINT_URL": self.endpoint}

    def start(self) -> "S3Server":
        from moto.server import ThreadedMotoServer

        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port,
                                          verbose=False)
        self._server.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server._server.server_close()  # stop() leaves the socket listening
            self._server = None

    @contextmanager
    def down(self):
        """The store is down inside the block, and back (same port, same objects) after."""
        self.stop()
        try:
            yield
        finally:
            if self._server is None:  # (a test may have brought it back itself)
                self.start()

    def client(self):
        return boto3.client("s3", endpoint_url=self.endpoint, region_name="us-east-1",
                            aws_access_key_id="testing", aws_secret_access_key="testing")

    def url(self, name: str = "t") -> str:
        """A fresh s3://bucket/prefix of its own (an empty store)."""
        return f"s3://{self.bucket}/{name}-{uuid.uuid4().hex[:12]}"

    def objects(self, url: str) -> dict[str, bytes]:
        """{key after the prefix: bytes} of every object under the URL's prefix."""
        prefix = url.removeprefix(f"s3://{self.bucket}/").strip("/") + "/"
        client, found = self.client(), {}
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket,
                                                                     Prefix=prefix):
            for item in page.get("Contents", []):
                body = client.get_object(Bucket=self.bucket, Key=item["Key"])["Body"].read()
                found[item["Key"][len(prefix):]] = body
        return found


def start_session_server():
    """Started, with the bucket, and boto3's variables set in os.environ (restored by stop)."""
    server = S3Server().start()
    saved = {name: os.environ.get(name) for name in server.env}
    os.environ.update(server.env)
    server.client().create_bucket(Bucket=server.bucket)

    def stop():
        server.stop()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value

    return server, stop
