"""Out-of-fold detections: every reviewed image looked at by a box detector that never trained on it.

The reviewed images (the detector's training data, whatever their split) are dealt at random into :data:`FOLDS`
folds; for each fold a detector is trained in memory on the other folds with the app's defaults (no run is
recorded, nothing is written) and finds boxes on the fold's images down to :data:`SCORE_FLOOR`, one per place as
proposals keep them. Where the project is one class per image, an image's detections take its class, as proposals
do. ``core/box_places.py`` compares these detections with the recorded boxes: likely missing and misplaced boxes.
Training :data:`FOLDS` detectors takes minutes (about 3 per 100 images on two CPU cores), which is why the search is
asked for, never automatic.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..core.box_places import Edges, PlaceReport, place_mistakes
from ..core.jobs import Cancelled, JobPart, JobToken
from ..core.store.store import SPLITS, ImageRecord, Store
from .config import TrainConfig
from .data import DataError, class_per_image, collect, ensure_split
from .detector import detect
from .proposal_common import denormalise
from .second_look import one_per_place
from .train import TrainError, fit_detector

FOLDS = 3
#: Detections down to this score are kept: weak ones still show where a recorded box may belong
#: (``core/box_places.py`` sets the scores each kind of doubt needs).
SCORE_FLOOR = 0.1


@dataclass
class OutOfFold:
    """The reviewed images (id, path), their accepted boxes (box id, class, edges) and their out-of-fold detections
    (class, edges, score), in pixels of the image; the images that could not be read."""

    images: list[tuple[int, str]] = field(default_factory=list)
    recorded: dict[int, list[tuple[int, str, Edges]]] = field(default_factory=dict)
    detected: dict[int, list[tuple[str, Edges, float]]] = field(default_factory=dict)
    folds: int = 0
    problems: list[tuple[str, str]] = field(default_factory=list)


def detector_config() -> TrainConfig:
    """The detectors' settings: the app's defaults for a new detector."""
    return TrainConfig.for_task("detect")


def fold_of(count: int, folds: int, seed: int) -> np.ndarray:
    """Each of ``count`` items' fold: a seeded shuffle dealt round-robin, so the folds differ by one at most."""
    fold = np.empty(count, np.int64)
    fold[np.random.default_rng(seed).permutation(count)] = np.arange(count) % folds
    return fold


def out_of_fold_detections(store: Store, job: JobToken | None = None, folds: int = FOLDS,
                           config: TrainConfig | None = None, seed: int = 0) -> OutOfFold:
    """Train ``folds`` detectors (see the module's docstring) and return every reviewed image's detections by the
    one that did not train on it. Raises :class:`..data.DataError` when nothing is reviewed, ``Cancelled`` when
    the job is cancelled, :class:`..train.TrainError` when a detector's loss diverged."""
    job = job or JobToken()
    config = config or detector_config()
    ensure_split(store, seed=config.seed)  # as training does: the reviewed images need a split to be collected
    data = collect(store, "detect", config.size, job)
    x = np.concatenate([data.x[s] for s in SPLITS])
    items = np.concatenate([data.y[s] for s in SPLITS])
    ids = [i for s in SPLITS for i in data.ids[s]]
    records = {img.id: img for img in store.images()}
    result = OutOfFold(images=[(i, records[i].path) for i in ids], problems=data.problems,
                       folds=min(folds, len(ids)))
    judged = set(ids)
    for box in store.boxes(states=("accepted",)):
        if box.image_id in judged:
            result.recorded.setdefault(box.image_id, []).append((box.id, box.label, box.edges))
    prior = class_per_image(store)
    fold = fold_of(len(ids), result.folds, seed)
    for k in range(result.folds):
        test, train = np.flatnonzero(fold == k), np.flatnonzero(fold != k)
        if not len(train):
            continue
        job.status(f"fold {k + 1}/{result.folds}: training a detector on {len(train)} images")
        model, finished = fit_detector(config, x[train], items[train], data.classes, JobPart(job, k, result.folds),
                                       seed + k)
        if job.cancelled():
            raise Cancelled()
        if not finished:
            raise TrainError(f"fold {k + 1}: the detector's loss became NaN; check the boxes, or try a lower "
                             "learning rate")
        for n, found in zip(test, detect(model, x[test], score_threshold=SCORE_FLOOR), strict=True):
            img = records[ids[n]]
            result.detected[img.id] = image_detections(found, img, data.classes, prior)
    return result


def image_detections(found: list, img: ImageRecord, classes: list[str], class_per_image: bool) -> list:
    """An image's detections (normalised box, class index, score) as (class, edges in pixels, score), one per place
    as proposals are (``second_look.one_per_place``: the detector keeps a box per class where it is unsure, and a
    second box at the place of a better one would be listed as a missing object); the image's class when the project
    is one class per image."""
    label = img.label if class_per_image and img.label else None
    return [(label or classes[c], denormalise(box, img.width, img.height), float(score))
            for box, c, score in one_per_place(found)]


def place_report(found: OutOfFold) -> PlaceReport:
    """The likely missing and misplaced boxes of ``found``."""
    return place_mistakes(found.images, found.recorded, found.detected, found.folds)


def judge_places(store: Store, job: JobToken | None = None) -> tuple[PlaceReport, list[tuple[str, str]]]:
    """The project's likely missing and misplaced boxes (a report with a ``note`` instead when nothing could be
    judged: no reviewed boxes, a diverged detector), and the images that could not be read. ``Cancelled`` when the
    job is cancelled."""
    try:
        found = out_of_fold_detections(store, job)
    except (DataError, TrainError) as exc:
        return PlaceReport(note=str(exc)), []
    return place_report(found), found.problems
