"""What re-importing a file may replace: shared by mask files (:mod:`.mask_import`) and annotation files
(:mod:`.annotation_import`).

A file is read again only when its size or modification time changed. What it gave before (boxes, masks) is
replaced only while the operator has not touched it: the image is not verified, nothing it gave was deleted,
rejected or edited (its digest, taken at import, still matches). Otherwise the change is a conflict, reported,
and the operator's work stays.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


@dataclass
class ImportedItem:
    """A box or mask as it is now, with the digest it was imported with."""

    label: str
    state: str
    edited: bool
    digest_now: str
    digest_then: str


def file_changed(row, size: int, mtime: float) -> bool:
    """True when a tracked file (a row with ``size`` and ``mtime``) is new or differs from what was read."""
    return row is None or (row["size"], row["mtime"]) != (size, mtime)


def digest(*parts: object) -> str:
    """A digest of what an imported item was (label, pixels or coordinates, flags)."""
    h = hashlib.sha256()
    for part in parts:
        h.update(part if isinstance(part, bytes) else str(part).encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


def refresh_refused(kind: str, verified: bool, expected: int, items: list[ImportedItem]) -> str | None:
    """Why the ``items`` (of ``kind``: box, mask) a changed file gave must not be replaced, or None."""
    if verified:
        return "the image is verified"
    if len(items) < expected:
        return f"a {kind} it gave was deleted in the app"
    for item in items:
        if item.state != "accepted" or item.edited or item.digest_now != item.digest_then:
            return f"its '{item.label}' {kind} was edited in the app"
    return None
