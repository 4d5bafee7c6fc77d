"""The likely-mistakes job of the app (run in a child process: ``gui/mistakes.py``): image classes judged by the
images' features (missing ones computed first), box classes by their crops' features (``core/mistakes.py``), and,
when asked (it trains a detector per fold: minutes), boxes likely missing or misplaced (``ml/out_of_fold.py``)."""

from __future__ import annotations

from ..core.jobs import JobToken
from ..core.mistakes import box_mistakes, class_mistakes, judged_boxes
from ..core.store.store import Store
from .box_features import box_features
from .data import DataError
from .features import build_extractor, compute_features


def find_mistakes(db_path: str, job: JobToken | None = None, places: bool = False) -> dict:
    """The reports of the project at ``db_path`` as dicts (``images``, ``boxes``; ``places`` with ``places``: None
    otherwise, and a ``note`` instead when nothing is reviewed), with the images that could not be read
    (``problems``: path, reason)."""
    job = job or JobToken()
    model = build_extractor()
    with Store.open(db_path) as store:
        job.status("image features")
        embedded = compute_features(store, job, model=model)
        images = class_mistakes(store)
        job.status("box features")
        found = box_features(store, judged_boxes(store), job, model)
        boxes = box_mistakes(store, found.ids, found.vectors)
        problems = embedded.problems + found.problems
        placed = None
        if places:
            placed, missed = box_places(store, job)
            problems += missed
    return {"images": images.as_dict(), "boxes": boxes.as_dict(), "places": placed,
            "problems": [[p, r] for p, r in problems]}


def box_places(store: Store, job: JobToken) -> tuple[dict, list[tuple[str, str]]]:
    """The likely missing and misplaced boxes as a dict (``note`` when nothing could be judged: no reviewed boxes, a
    diverged detector), and the images that could not be read."""
    from .out_of_fold import out_of_fold_detections, place_report
    from .train import TrainError

    try:
        found = out_of_fold_detections(store, job)
    except (DataError, TrainError) as exc:
        return {"likely": [], "note": str(exc), "images": 0, "boxes": 0, "confirmed": 0, "folds": 0,
                "agreement": None}, []
    return place_report(found).as_dict(), found.problems
