"""Crash points for fault-injection tests (DESIGN §5.1: "a server killed between commit and
response").

`fault_point(name)` is placed at a moment the tests want to crash at, e.g. right after a push
mutation's commit. It is inert unless the environment variable CHOXANH_FAULTS is set: with
CHOXANH_FAULTS unset or empty (always, in production) it only reads the environment and returns.
When CHOXANH_FAULTS, a comma-separated list of names, contains `name`, the process sends itself
SIGKILL: no exception, no cleanup, no response, no atexit handlers — exactly like a crash or an
OOM kill. Used by tests/sync/test_crash.py.
"""

import os
import signal

ENV_VAR = "CHOXANH_FAULTS"


def active_faults() -> set[str]:
    return {name.strip() for name in os.environ.get(ENV_VAR, "").split(",") if name.strip()}


def fault_point(name: str) -> None:
    """Kill this process with SIGKILL if CHOXANH_FAULTS names `name`; otherwise do nothing."""
    if os.environ.get(ENV_VAR) and name in active_faults():
        os.kill(os.getpid(), signal.SIGKILL)
