"""Copy every photo of one store into another (`manage.py attachments migrate --to s3://…`), so a
deployment can move its photos from a local folder into a bucket without stopping.

Resumable: an object the target already holds is not copied again, but it is still read back and
checked; every copied object is read back and its sha256 compared with its name. Run it again
after switching ATTACHMENTS_URL to copy what arrived in the meantime (docs/DEPLOY.md)."""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from server.attachments.stores import AttachmentStore, StoreUnavailable


@dataclass
class MigrateReport:
    copied: int = 0
    already_there: int = 0
    repaired: int = 0
    failed: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (f"{self.copied} copied, {self.already_there} already there (verified), "
                f"{self.repaired} repaired, {len(self.failed)} failed")


def _sound(store: AttachmentStore, sha: str) -> bool:
    try:
        return hashlib.sha256(store.get(sha)).hexdigest() == sha
    except KeyError:
        return False


def migrate(source: AttachmentStore, target: AttachmentStore,
            progress: Callable[[str, str], None] = lambda sha, what: None) -> MigrateReport:
    """Copy source → target, verifying each object; StoreUnavailable stops the run (run it
    again: it resumes). A damaged source object is reported and skipped."""
    report = MigrateReport()
    for sha in source.shas():
        data = source.get(sha)
        if hashlib.sha256(data).hexdigest() != sha:
            report.failed.append(f"{sha}: damaged in the source (does not hash to its name)")
            progress(sha, "damaged in the source")
            continue
        if target.exists(sha):
            if _sound(target, sha):
                report.already_there += 1
                progress(sha, "already there")
                continue
            target.delete(sha)  # damaged or partial (a store without atomic writes): again
            report.repaired += 1
        else:
            report.copied += 1
        target.put(sha, data)
        if not _sound(target, sha):
            report.failed.append(f"{sha}: reads back different from the target")
            progress(sha, "FAILED verification")
            continue
        progress(sha, "copied")
    return report


__all__ = ["MigrateReport", "StoreUnavailable", "migrate"]
