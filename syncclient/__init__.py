"""A Python sync client that behaves like a Chợ Xanh phone (DESIGN §5).

Used by tests, benchmarks and load tests; `syncclient.simulate` drives many of them at once.
"""

from syncclient.client import SyncClient, SyncReport
from syncclient.http import AuthError, SyncError
from syncclient.outbox import LocalStore

__all__ = ["AuthError", "LocalStore", "SyncClient", "SyncError", "SyncReport"]
