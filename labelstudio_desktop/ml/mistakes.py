"""The likely-mistakes job of the app (run in a child process: ``gui/mistakes.py``): image classes judged by the
images' features (missing ones computed first) or, with boxes, by their boxes' crops, box classes by their crops'
features (``core/mistakes.py``), and, when asked (it trains a detector per fold: minutes), boxes likely missing or
misplaced (``ml/out_of_fold.py``)."""

from __future__ import annotations

from ..core.jobs import JobToken
from ..core.mistakes import box_mistakes, class_mistakes, judged_boxes
from ..core.store.store import Store
from .box_features import box_features
from .features import build_extractor, compute_features
from .out_of_fold import judge_places


def find_mistakes(db_path: str, job: JobToken | None = None, places: bool = False) -> dict:
    """The reports of the project at ``db_path`` as dicts (``images``, ``boxes``; ``places`` with ``places``: None
    otherwise; its ``note`` says why when nothing could be judged), with the images that could not be read
    (``problems``: path, reason)."""
    job = job or JobToken()
    model = build_extractor()
    with Store.open(db_path) as store:
        job.status("image features")
        embedded = compute_features(store, job, model=model)
        job.status("box features")
        found = box_features(store, judged_boxes(store), job, model)
        images = class_mistakes(store, boxes=(found.ids, found.vectors))
        boxes = box_mistakes(store, found.ids, found.vectors)
        problems = embedded.problems + found.problems
        placed = None
        if places:
            report, missed = judge_places(store, job)
            placed = report.as_dict()
            problems += missed
    return {"images": images.as_dict(), "boxes": boxes.as_dict(), "places": placed,
            "problems": [[p, r] for p, r in problems]}

