"""What the operator's reviewed work in a project is, so one-click Retrain and Propose act on it: boxes (the box
detector), masks (the U-Net) or neither yet."""

from __future__ import annotations

from ..store.runs import list_runs
from ..store.store import Store

WORK_TASKS = {"boxes": "detect", "masks": "segment"}


def annotation_work(store: Store) -> str | None:
    """``boxes`` when the project has accepted boxes, ``masks`` when it has accepted masks, None when neither.
    With both, the kind whose model was trained last (the detector's or the U-Net's); boxes when neither was."""
    has_boxes = store.conn.execute("SELECT 1 FROM boxes WHERE state='accepted' LIMIT 1").fetchone() is not None
    has_masks = store.conn.execute("SELECT 1 FROM masks WHERE state='accepted' LIMIT 1").fetchone() is not None
    if has_boxes and has_masks:
        last = [r.task for r in list_runs(store) if r.task in WORK_TASKS.values()]
        return "masks" if last and last[-1] == "segment" else "boxes"
    return "boxes" if has_boxes else ("masks" if has_masks else None)


def images_with_pending_masks(store: Store) -> set[int]:
    return {r[0] for r in store.conn.execute("SELECT DISTINCT image_id FROM masks WHERE state='pending'")}


def mask_counts(store: Store) -> dict[str, int]:
    """Masks by state (pending, accepted, rejected) and how many accepted ones the operator corrected (edited)."""
    counts = {"pending": 0, "accepted": 0, "rejected": 0}
    counts.update(dict(store.conn.execute("SELECT state, COUNT(*) FROM masks GROUP BY state").fetchall()))
    edited = store.conn.execute("SELECT COUNT(*) FROM masks WHERE state='accepted' AND edited=1").fetchone()
    counts["edited"] = edited[0]
    return counts
