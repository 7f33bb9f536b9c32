"""SyncClient: a phone, in Python. Record offline, then sync: photos → push → pull (DESIGN §5).

    client = SyncClient("http://127.0.0.1:5000", "kiemtra", "ChoXanh@2023", store_path="phone1")
    client.sync()                                  # logs in, pulls markets
    visit_id = client.record_visit(market_id, answers, photos=[jpeg_bytes])
    report = client.sync()                         # uploads, pushes, pulls
    client.state()[("visit", visit_id)]["status"]  # "submitted"
"""

import time
import uuid

from syncclient.http import AuthError, Http, SyncError
from syncclient.outbox import LocalStore
from syncclient.report import FORM_VERSION, SyncReport, image_type, observed_text

MAX_BATCH = 500  # DESIGN §5.1: at most 500 mutations per push
EDITABLE = ("market_id", "form_version", "observed_at", "answers", "location", "attachments")


class SyncClient:
    """One device of one user, with its own durable local store (see syncclient.outbox)."""

    def __init__(
        self,
        base_url: str,
        username: str,
        password: str,
        device_id: str | None = None,
        store_path=None,
        session=None,
        max_attempts: int = 8,
        base_delay: float = 0.2,
        max_delay: float = 10,
        rng=None,
        sleep=time.sleep,
        batch_size: int = 100,
        pull_limit: int = 500,
        device_name: str | None = None,
        timeout: float | tuple[float, float] = (10, 60),
    ):
        if not 1 <= batch_size <= MAX_BATCH:
            raise ValueError(f"batch_size must be 1..{MAX_BATCH}")
        self.username, self.password = username, password
        self.store = LocalStore(store_path, device_id)
        self.http = Http(base_url, session, max_attempts, base_delay, max_delay, rng, sleep,
                         timeout)
        self.http.relogin = self.login
        self.batch_size, self.pull_limit = batch_size, pull_limit
        self.device_name = device_name or f"syncclient {self.store.device_id[:8]}"
        self.user: dict | None = None

    @property
    def device_id(self) -> str:
        return self.store.device_id

    @property
    def outbox(self) -> list[dict]:
        """Mutations not yet settled by the server, oldest first."""
        return self.store.pending()

    @property
    def problems(self) -> list[dict]:
        """Mutations the server answered with conflict/rejected, with its error and record."""
        return list(self.store.problems)

    # --- auth ----------------------------------------------------------------------------

    def login(self) -> dict:
        """POST /auth/token; keeps the token in memory. Wrong credentials raise AuthError."""
        body = {"username": self.username, "password": self.password,
                "device_id": self.device_id, "device_name": self.device_name}
        try:
            answer = self.http.json("POST", "/auth/token", auth=False, ok=(200, 201), json=body)
        except SyncError as exc:
            if exc.status == 401:
                raise AuthError(f"login as {self.username!r} refused: {exc}", 401,
                                exc.body) from None
            raise
        self.http.token, self.user = answer["token"], answer.get("user")
        return answer

    # --- recording (offline) -------------------------------------------------------------

    def record_visit(self, market_id, answers: dict, observed_at=None, location=None,
                     photos=None, visit_id: str | None = None,
                     form_version: str = FORM_VERSION) -> str:
        """Queue a new visit (base_rev None); photos are kept locally until uploaded."""
        visit_id = visit_id or str(uuid.uuid4())
        data = {
            "id": visit_id,
            "base_rev": None,
            "market_id": market_id,
            "form_version": form_version,
            "observed_at": observed_text(observed_at),
            "answers": answers,
            "location": location,
            "attachments": [self.store.put_blob(photo) for photo in photos or []],
        }
        self.store.add("visit.upsert", data)
        return visit_id

    def edit_visit(self, visit_id: str, base_rev: int | None = None, photos=None,
                   **changes) -> str:
        """Queue an edit of a visit; the fields not changed come from the local copy.

        The local copy is the latest upsert of this visit still in the outbox (an offline
        edit of an offline edit), else the replica. `base_rev` None means the rev that copy
        will have on the server. `photos` are added to the attachments. Returns the
        mutation id.
        """
        unknown = set(changes) - set(EDITABLE)
        if unknown:
            raise TypeError(f"edit_visit: cannot change {sorted(unknown)}")
        queued = [m["data"] for m in self.store.pending()
                  if m["type"] == "visit.upsert" and m["data"].get("id") == visit_id]
        if queued:
            base, expected_rev = queued[-1], (queued[-1].get("base_rev") or 0) + 1
        else:
            held = self.store.record("visit", visit_id)
            if held is None:
                raise ValueError(f"visit {visit_id} is unknown here: record it or sync first")
            base, expected_rev = held["data"], held["rev"]
        data = {name: base.get(name) for name in EDITABLE}
        data.update(changes)
        data["attachments"] = list(data.get("attachments") or [])
        data["attachments"] += [self.store.put_blob(photo) for photo in photos or []]
        data.update(id=visit_id, base_rev=expected_rev if base_rev is None else base_rev)
        if "observed_at" in changes:
            data["observed_at"] = observed_text(changes["observed_at"])
        return self.store.add("visit.upsert", data)["id"]

    def decide(self, visit_id: str, base_rev: int | None, decision: str,
               comment: str | None = None) -> str:
        """Queue a review decision (approve, return, reject, reopen); returns the mutation id."""
        if base_rev is None:
            held = self.store.record("visit", visit_id)
            if held is None:
                raise ValueError(f"visit {visit_id} is not in the local replica yet: sync first")
            base_rev = held["rev"]
        data = {"visit_id": visit_id, "base_rev": base_rev, "decision": decision,
                "comment": comment}
        return self.store.add("review.decide", data)["id"]

    # --- sync ----------------------------------------------------------------------------

    def sync(self) -> SyncReport:
        """Upload missing photos, push the outbox, pull until up to date."""
        report = SyncReport()
        before = (self.http.requests, self.http.retries, self.http.relogins)
        problems_before = len(self.store.problems)
        try:
            if self.http.token is None:
                self.login()
            pending = self.store.pending()
            report.uploaded = self._upload_photos(pending)
            self._push(pending, report)
            self._pull(report)
        finally:
            report.requests = self.http.requests - before[0]
            report.retries = self.http.retries - before[1]
            report.relogins = self.http.relogins - before[2]
            report.problems = list(self.store.problems[problems_before:])
        return report

    def _upload_photos(self, pending: list[dict]) -> int:
        uploaded, seen = 0, set()
        for mutation in pending:
            if mutation["type"] != "visit.upsert":
                continue
            for sha in mutation["data"].get("attachments") or []:
                content = None if sha in seen else self.store.get_blob(sha)
                seen.add(sha)
                if content is None:  # not ours (the server has it already), or done
                    continue
                head = self.http.request("HEAD", f"/attachments/{sha}", ok=(200, 404))
                if head.status_code == 200:
                    continue
                self.http.request("PUT", f"/attachments/{sha}", ok=(200, 201), data=content,
                                  headers={"Content-Type": image_type(content)})
                uploaded += 1
        return uploaded

    def _push(self, pending: list[dict], report: SyncReport) -> None:
        batches = [pending[i : i + self.batch_size]
                   for i in range(0, len(pending), self.batch_size)]
        while batches:
            batch = batches.pop(0)
            body = {"device_id": self.device_id,
                    "mutations": [{k: m[k] for k in ("id", "type", "data")} for m in batch]}
            try:
                answer = self.http.json("POST", "/sync/push", json=body)
            except SyncError as exc:
                if exc.status == 413 and len(batch) > 1:  # too big: split, same ids
                    half = len(batch) // 2
                    batches[:0] = [batch[:half], batch[half:]]
                    continue
                raise
            counts = self.store.settle(answer.get("results") or [])
            for status, number in counts.items():
                setattr(report, status, getattr(report, status) + number)

    def _pull(self, report: SyncReport) -> None:
        restarts = 0
        while True:
            params = {"limit": self.pull_limit}
            if self.store.cursor:
                params["cursor"] = self.store.cursor
            else:
                self.store.reset_replica()  # a pull without cursor lists the whole visible set
            try:
                answer = self.http.json("GET", "/sync/pull", params=params)
            except SyncError as exc:
                if exc.status == 410 and "cursor" in params and restarts < 3:
                    restarts += 1
                    report.restarts += 1
                    self.store.reset_replica()
                    continue
                raise
            changes = answer.get("changes") or []
            self.store.apply_page(changes, answer["cursor"])
            report.pulled += len(changes)
            if not answer.get("has_more"):
                return

    # --- reading -------------------------------------------------------------------------

    def state(self) -> dict[tuple[str, str], dict]:
        """The replica: {(entity, str(id)): data} as of the last sync."""
        return self.store.state()

    def records(self, entity: str) -> list[dict]:
        return [data for (kind, _), data in self.state().items() if kind == entity]

    def logout(self) -> None:
        """Revoke this device's token (DELETE /auth/token)."""
        if self.http.token:
            self.http.request("DELETE", "/auth/token", ok=(204, 200, 401), relogin=False)
            self.http.token = None


__all__ = ["AuthError", "SyncClient", "SyncError", "SyncReport"]
