"""HTTP with retries: exponential backoff with full jitter, one re-login on 401.

Retried: connection errors, timeouts, 5xx and 429. Each retry resends the very same request,
so a push carries the same mutation ids again and the server answers `duplicate` for those it
had already applied (DESIGN §5.1). Any other 4xx raises SyncError with the server's error body.
"""

import random
import time
from collections.abc import Callable

import requests

RETRYABLE_EXCEPTIONS = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
)


class SyncError(Exception):
    """The server refused a request, or it could not be reached after every retry.

    `status` is the HTTP status (None when no answer came), `body` the server's JSON error
    body `{"error": {"code", "message", "fields"?}}` when there was one.
    """

    def __init__(self, message: str, status: int | None = None, body: dict | None = None):
        super().__init__(message)
        self.status = status
        self.body = body
        error = (body or {}).get("error") if isinstance(body, dict) else None
        error = error if isinstance(error, dict) else {}
        self.code: str | None = error.get("code")
        self.server_message: str | None = error.get("message")
        self.fields: dict | None = error.get("fields")


class AuthError(SyncError):
    """Wrong credentials, or still 401 after logging in again. Nothing local is lost."""


def backoff_delay(attempt: int, base_delay: float, max_delay: float, rng) -> float:
    """Full jitter: uniform in [0, min(max_delay, base_delay * 2**attempt)]."""
    return rng.uniform(0, min(max_delay, base_delay * 2**attempt))


def _body(response) -> dict | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _describe(method: str, path: str, response, body: dict | None) -> str:
    error = (body or {}).get("error") or {}
    if isinstance(error, dict) and error.get("code"):
        detail = f"{error['code']}: {error.get('message', '')}"
        if error.get("fields"):
            detail += f" {error['fields']}"
    else:
        detail = (getattr(response, "text", "") or "")[:200]
    return f"{method} {path} → {response.status_code} {detail}".rstrip()


class Http:
    """One API base URL, a bearer token, and the retry policy."""

    def __init__(
        self,
        base_url: str,
        session=None,
        max_attempts: int = 8,
        base_delay: float = 0.2,
        max_delay: float = 10,
        rng=None,
        sleep: Callable[[float], None] = time.sleep,
        timeout: float | tuple[float, float] = (10, 60),
    ):
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        base_url = base_url.rstrip("/")
        self.api = base_url if base_url.endswith("/api/v1") else base_url + "/api/v1"
        self.session = session if session is not None else requests.Session()
        self.max_attempts, self.base_delay, self.max_delay = max_attempts, base_delay, max_delay
        self.rng = rng if rng is not None else random.Random()
        self.sleep, self.timeout = sleep, timeout
        self.token: str | None = None
        self.relogin: Callable[[], None] | None = None  # set by the client
        self.requests = 0  # every HTTP request sent, retries included
        self.retries = 0
        self.relogins = 0
        self.delays: list[float] = []  # every backoff slept, in order (tests, benchmarks)

    def request(self, method: str, path: str, auth: bool = True, ok=(200,), relogin=True,
                **kwargs):
        """Send, retrying what is worth retrying; return the response whose status is in `ok`."""
        base_headers = kwargs.pop("headers", None) or {}
        relogged = False
        attempt = 0
        while True:
            headers = dict(base_headers)
            if auth and self.token:
                headers["Authorization"] = f"Bearer {self.token}"
            self.requests += 1
            try:
                response = self.session.request(
                    method, self.api + path, headers=headers, timeout=self.timeout, **kwargs
                )
            except RETRYABLE_EXCEPTIONS as exc:
                failure, response = f"{method} {path}: {type(exc).__name__}: {exc}", None
            else:
                status = response.status_code
                if status in ok:
                    return response
                body = _body(response)
                can_relogin = auth and relogin and self.relogin is not None
                if status == 401 and can_relogin and not relogged:
                    relogged = True
                    self.relogins += 1
                    self.relogin()  # raises AuthError when the password no longer works
                    continue
                if status == 401:
                    raise AuthError(_describe(method, path, response, body), status, body)
                if status != 429 and status < 500:
                    raise SyncError(_describe(method, path, response, body), status, body)
                failure = _describe(method, path, response, body)
            if attempt + 1 >= self.max_attempts:
                status = response.status_code if response is not None else None
                body = _body(response) if response is not None else None
                raise SyncError(f"gave up after {self.max_attempts} attempts: {failure}",
                                status, body)
            delay = backoff_delay(attempt, self.base_delay, self.max_delay, self.rng)
            self.delays.append(delay)
            self.retries += 1
            self.sleep(delay)
            attempt += 1

    def json(self, method: str, path: str, **kwargs) -> dict:
        response = self.request(method, path, **kwargs)
        body = _body(response)
        if body is None:
            raise SyncError(f"{method} {path}: the server did not answer with a JSON object",
                            response.status_code)
        return body
