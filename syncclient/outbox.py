"""The phone's local storage: outbox, problems, replica, pull cursor and photo blobs.

With a `path` (a folder) everything is durable: `outbox.json` (device id, pending mutations,
problems), `replica.json` (records and pull cursor) and `blobs/<sha256>`; each file is written
to a temporary file, fsynced and moved into place with os.replace, so a crash leaves either the
old or the new version, never a torn one. Without a path everything lives in memory.

A mutation leaves the outbox only when the server answered `applied` or `duplicate`;
`conflict` and `rejected` move it, with the server's error and record, to `problems`.
"""

import contextlib
import copy
import hashlib
import json
import os
import tempfile
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path

FORMAT_VERSION = 1
SETTLED = ("applied", "duplicate")
PROBLEMS = ("conflict", "rejected")


def atomic_write(path: Path, payload: bytes) -> None:
    """Write `payload` to `path` so that readers see the old or the new bytes, never a mix."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable (POSIX)
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def key_of(entity: str, entity_id) -> tuple[str, str]:
    return (entity, str(entity_id))


class LocalStore:
    """Outbox + problems + replica + cursor + blobs, durable when `path` is given."""

    def __init__(self, path: str | os.PathLike | None = None, device_id: str | None = None):
        self.path = Path(path) if path is not None else None
        self._lock = threading.RLock()
        self.outbox: list[dict] = []
        self.problems: list[dict] = []
        self.replica: dict[tuple[str, str], dict] = {}
        self.cursor: str | None = None
        self._blobs: dict[str, bytes] = {}
        self.device_id = None
        if self.path is not None:
            (self.path / "blobs").mkdir(parents=True, exist_ok=True)
            self._load()
        if device_id is not None and device_id != self.device_id:
            self.device_id = device_id
            self.save_outbox()
        elif self.device_id is None:
            self.device_id = str(uuid.uuid4())
            self.save_outbox()

    # --- persistence ---------------------------------------------------------------------

    def _read(self, name: str) -> dict | None:
        try:
            document = json.loads((self.path / name).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        if document.get("version") != FORMAT_VERSION:
            raise ValueError(f"{self.path / name}: unknown format {document.get('version')!r}")
        return document

    def _load(self) -> None:
        outbox = self._read("outbox.json")
        if outbox:
            self.device_id = outbox["device_id"]
            self.outbox, self.problems = outbox["outbox"], outbox["problems"]
        replica = self._read("replica.json")
        if replica:
            self.cursor = replica["cursor"]
            self.replica = {
                key_of(r["entity"], r["id"]): {"rev": r["rev"], "data": r["data"]}
                for r in replica["records"]
            }

    def _write(self, name: str, document: dict) -> None:
        if self.path is not None:
            body = json.dumps({"version": FORMAT_VERSION, **document}, ensure_ascii=False)
            atomic_write(self.path / name, body.encode("utf-8"))

    def save_outbox(self) -> None:
        with self._lock:
            self._write(
                "outbox.json",
                {"device_id": self.device_id, "outbox": self.outbox, "problems": self.problems},
            )

    def save_replica(self) -> None:
        with self._lock:
            records = [
                {"entity": entity, "id": entity_id, "rev": item["rev"], "data": item["data"]}
                for (entity, entity_id), item in self.replica.items()
            ]
            self._write("replica.json", {"cursor": self.cursor, "records": records})

    # --- the outbox ----------------------------------------------------------------------

    def add(self, mutation_type: str, data: dict) -> dict:
        """Queue a mutation with a fresh id; durable before this returns."""
        mutation = {
            "id": str(uuid.uuid4()),
            "type": mutation_type,
            "data": copy.deepcopy(data),
            "queued_at": _now(),
        }
        with self._lock:
            self.outbox.append(mutation)
            self.save_outbox()
        return copy.deepcopy(mutation)

    def pending(self) -> list[dict]:
        with self._lock:
            return copy.deepcopy(self.outbox)

    def settle(self, results: list[dict]) -> dict[str, int]:
        """Apply the server's answers: drop settled mutations, move refused ones to problems.

        Returns how many of each status were seen. Records the server sent are kept in the
        replica when they are at least as new as what it holds.
        """
        counts = dict.fromkeys(SETTLED + PROBLEMS, 0)
        with self._lock:
            by_id = {m["id"]: m for m in self.outbox}
            done: set[str] = set()
            for result in results:
                mutation = by_id.get(result.get("id"))
                status = result.get("status")
                if mutation is None or status not in counts or mutation["id"] in done:
                    continue
                counts[status] += 1
                done.add(mutation["id"])
                record = result.get("record")
                if status in PROBLEMS:
                    self.problems.append(
                        {
                            "mutation": mutation,
                            "status": status,
                            "error": result.get("error"),
                            "record": record,
                            "at": _now(),
                        }
                    )
                if isinstance(record, dict) and "id" in record and "rev" in record:
                    self.put_record("visit", record["id"], record["rev"], record, only_newer=True)
            if done:
                self.outbox = [m for m in self.outbox if m["id"] not in done]
                self.save_replica()
                self.save_outbox()
        return counts

    # --- the replica ---------------------------------------------------------------------

    def put_record(self, entity, entity_id, rev, data, only_newer: bool = False) -> None:
        with self._lock:
            key = key_of(entity, entity_id)
            held = self.replica.get(key)
            if only_newer and held is not None and (held["rev"] or 0) > (rev or 0):
                return
            self.replica[key] = {"rev": rev, "data": data}

    def apply_page(self, changes: list[dict], cursor: str) -> None:
        """Apply one pull page and remember its cursor, in one durable write."""
        with self._lock:
            for change in changes:
                key = key_of(change["entity"], change["id"])
                if change["op"] == "delete":
                    self.replica.pop(key, None)
                else:
                    self.replica[key] = {"rev": change.get("rev"), "data": change.get("data")}
            self.cursor = cursor
            self.save_replica()

    def reset_replica(self) -> None:
        """Forget every record and the cursor: the next pull lists the whole visible set."""
        with self._lock:
            self.replica, self.cursor = {}, None
            self.save_replica()

    def record(self, entity: str, entity_id) -> dict | None:
        with self._lock:
            held = self.replica.get(key_of(entity, entity_id))
            return copy.deepcopy(held) if held else None

    def state(self) -> dict[tuple[str, str], dict]:
        with self._lock:
            return {key: copy.deepcopy(item["data"]) for key, item in self.replica.items()}

    # --- photo blobs ---------------------------------------------------------------------

    def put_blob(self, content: bytes) -> str:
        sha = hashlib.sha256(content).hexdigest()
        if self.path is None:
            self._blobs[sha] = bytes(content)
        elif not (self.path / "blobs" / sha).exists():
            atomic_write(self.path / "blobs" / sha, bytes(content))
        return sha

    def get_blob(self, sha: str) -> bytes | None:
        if self.path is None:
            return self._blobs.get(sha)
        try:
            return (self.path / "blobs" / sha).read_bytes()
        except FileNotFoundError:
            return None
