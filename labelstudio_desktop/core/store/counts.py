"""The project's counts: the status bar's after every edit (from indexes: a million images cost milliseconds), boxes
and masks by state, and the summary of ``info``. Functions of a connection; :class:`.store.Store` has them as
methods."""

from __future__ import annotations

import sqlite3
from typing import Any

from .records import BOX_STATES, NAMED, STATUSES

#: SQL: the ids of the images reviewed: verified, or with an accepted box or mask (what the detector and the U-Net
#: train on). Read through the indexes of schema v10, not image by image.
REVIEWED_IDS = ("SELECT id FROM images WHERE status = 'verified' UNION SELECT image_id FROM boxes WHERE state = "
                "'accepted' UNION SELECT image_id FROM masks WHERE state = 'accepted'")
#: SQL: the ids of the images with box or mask proposals to review.
TO_REVIEW_IDS = ("SELECT image_id FROM boxes WHERE state = 'pending' UNION SELECT image_id FROM masks WHERE state = "
                 "'pending'")


def review_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """What the status bar shows after every edit, from indexes (schema v10): images by status, boxes by state
    and edited boxes, images reviewed and images with proposals to review (excluded images left out of these two,
    counted from the verified images and the boxes and masks in a state: a million images with few boxes cost a few
    milliseconds)."""
    counts = {s: 0 for s in (*STATUSES, *BOX_STATES, "edited")}
    counts.update({r[0]: r[1] for r in conn.execute("SELECT status, COUNT(*) FROM images GROUP BY status")})
    for state, n, edited in conn.execute("SELECT state, COUNT(*), SUM(edited) FROM boxes GROUP BY state"):
        counts[state] = n
        counts["edited"] += edited or 0
    for key, ids in (("reviewed", REVIEWED_IDS), ("to_review", TO_REVIEW_IDS)):
        counts[key] = conn.execute(f"SELECT COUNT(*) FROM images WHERE excluded = 0 AND id IN ({ids})").fetchone()[0]
    return counts


def box_counts(conn: sqlite3.Connection) -> dict[str, int]:
    rows = conn.execute("SELECT state, COUNT(*) FROM boxes GROUP BY state")
    counts = {s: 0 for s in BOX_STATES}
    counts.update({r[0]: r[1] for r in rows})
    return counts


def mask_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Masks by state, and how many of them came from mask files (``imported``)."""
    counts = {s: 0 for s in BOX_STATES}
    counts.update({r[0]: r[1] for r in conn.execute("SELECT state, COUNT(*) FROM masks GROUP BY state")})
    counts["imported"] = conn.execute("SELECT COUNT(*) FROM masks WHERE source='imported'").fetchone()[0]
    return counts


def summary(c: sqlite3.Connection) -> dict[str, Any]:
    """The counts of ``info --json`` (:meth:`.store.Store.summary` adds the project's places and refusals)."""
    total = c.execute("SELECT COUNT(*) FROM images").fetchone()[0]
    by_class = {r[0] if r[0] is not None else "": r[1] for r in c.execute(
        f"SELECT CASE WHEN {NAMED} THEN label END, COUNT(*) FROM images WHERE excluded=0 GROUP BY 1 ORDER BY 1")}
    by_split = {r[0] if r[0] is not None else "": r[1] for r in c.execute(
        "SELECT split, COUNT(*) FROM images WHERE excluded=0 GROUP BY split ORDER BY split")}
    by_status = {r[0]: r[1] for r in c.execute("SELECT status, COUNT(*) FROM images GROUP BY status")}
    with_warnings = c.execute("SELECT COUNT(*) FROM images WHERE warnings != '[]'").fetchone()[0]
    box_labels = {r[0]: r[1] for r in c.execute(
        f"SELECT label, COUNT(*) FROM boxes WHERE state='accepted' AND {NAMED} GROUP BY label ORDER BY label")}
    return {
        "images": total,
        "excluded": c.execute("SELECT COUNT(*) FROM images WHERE excluded=1").fetchone()[0],
        "missing": c.execute("SELECT COUNT(*) FROM images WHERE missing=1").fetchone()[0],
        "classes": by_class,
        "splits": by_split,
        "status": {s: by_status.get(s, 0) for s in STATUSES},
        "values": c.execute("SELECT COUNT(*) FROM images WHERE value IS NOT NULL").fetchone()[0],
        "boxes": box_counts(c),
        "box_labels": box_labels,
        "masks": c.execute("SELECT COUNT(*) FROM masks").fetchone()[0],
        "mask_states": mask_counts(c),
        "images_with_warnings": with_warnings,
        "import_problems": c.execute("SELECT COUNT(*) FROM import_problems").fetchone()[0],
    }
