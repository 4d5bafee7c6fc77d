"""The likely-mistakes job of the app (run in a child process: ``gui/mistakes.py``): image classes judged by the
images' features (missing ones computed first), box classes by their crops' features (``core/mistakes.py``)."""

from __future__ import annotations

from ..core.jobs import JobToken
from ..core.mistakes import box_mistakes, class_mistakes, judged_boxes
from ..core.store.store import Store
from .box_features import box_features
from .features import build_extractor, compute_features


def find_mistakes(db_path: str, job: JobToken | None = None) -> dict:
    """Both reports of the project at ``db_path`` as dicts (``images``, ``boxes``), with the images that could not
    be read (``problems``: path, reason)."""
    job = job or JobToken()
    model = build_extractor()
    with Store.open(db_path) as store:
        job.status("image features")
        embedded = compute_features(store, job, model=model)
        images = class_mistakes(store)
        job.status("box features")
        found = box_features(store, judged_boxes(store), job, model)
        boxes = box_mistakes(store, found.ids, found.vectors)
    return {"images": images.as_dict(), "boxes": boxes.as_dict(),
            "problems": [[p, r] for p, r in embedded.problems + found.problems]}
