"""Likely mistakes in image classes: images whose class the other images' features disagree with, found out of fold.

Each labelled image with current features (:mod:`.features`, the ``views`` vector: the mean over the whole picture
and its centre in four quarter turns; it finds more of the planted flips than the upright picture's ``pooled`` alone)
is scored by a linear classifier that never saw it: the images are dealt into :data:`FOLDS` folds (stratified by
class, seeded), and a multinomial logistic regression fitted on the other folds gives each image of a fold its class
probabilities. An image is
*doubted* when that model gives its recorded class less than :data:`DOUBT_BELOW`; its *doubt* is one minus that
probability, and the model's favourite class is the suggested fix. The features are standardised on the training
folds, and above :data:`REDUCE_ABOVE` images reduced to :data:`COMPONENTS` principal components, so a fit stays
within seconds at 100,000 images. Nothing here imports Qt or TensorFlow.

An image with accepted boxes is judged by its objects instead when their crops' features are given (the mean of
its boxes' crop features, ``ml/box_features.py``; never their classes): a board on a tenth of a desk photo, or a card's
rank, is lost in the whole picture's features and plain in its box's. Those images are judged among themselves, the
images without boxes by their whole features; the two rankings are merged by doubt.

Classes with fewer than :data:`MIN_PER_CLASS` images cannot be judged (a fold would hold none of them to learn
from): their images are left out and named in the report. ``benchmarks/likely_mistakes.py`` plants flipped classes
in real photo sets and measures how many land at the top of the ranking, against a random ranking.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .dataset_map import principal_axes
from .store.features import load_features
from .store.records import BoxRecord
from .store.store import Store

FOLDS = 5
MIN_PER_CLASS = 3
COMPONENTS = 128
#: Above this many training images the features are reduced to :data:`COMPONENTS` principal components first (fewer
#: images than dimensions would leave most components unmeasured).
REDUCE_ABOVE = 4_000
#: The L2 penalty of the logistic regression (on standardised features) and its steps.
PENALTY = 1e-2
STEPS = 300
#: An image is doubted when the model gives its class less than this probability.
DOUBT_BELOW = 0.5


@dataclass
class Doubt:
    """An image's recorded class (``label``, probability ``p_label`` out of fold) and the model's favourite
    (``suggested``, ``p_suggested``); ``doubt`` = 1 - p_label."""

    image_id: int
    path: str
    label: str
    suggested: str
    p_label: float
    p_suggested: float
    box_id: int | None = None  # a box's class, or the image's (None)

    @property
    def doubt(self) -> float:
        return 1.0 - self.p_label

    def as_dict(self) -> dict:
        return {"image": self.image_id, "box": self.box_id, "path": self.path, "label": self.label,
                "suggested": self.suggested, "p_label": round(self.p_label, 4),
                "p_suggested": round(self.p_suggested, 4), "doubt": round(self.doubt, 4)}


@dataclass
class MistakeReport:
    """Every judged image's :class:`Doubt`, most doubted first (``scored``); the doubted ones are those under
    :data:`DOUBT_BELOW` (:attr:`likely`). Also what could not be judged: classes with too few images, and labelled
    images without current features."""

    scored: list[Doubt] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)
    too_few: dict[str, int] = field(default_factory=dict)
    without_features: int = 0
    by_objects: int = 0  # images judged by their boxes' crops (:func:`class_mistakes`)

    @property
    def agreement(self) -> float | None:
        """The share of judged items whose recorded class is the model's favourite: how far to trust the judge
        (None when nothing was judged)."""
        if not self.scored:
            return None
        return sum(d.suggested == d.label for d in self.scored) / len(self.scored)

    @property
    def likely(self) -> list[Doubt]:
        return [d for d in self.scored if d.p_label < DOUBT_BELOW]

    def merged(self, other: MistakeReport) -> MistakeReport:
        """This report and ``other`` (judged apart, on other items) as one: their doubts in one ranking, the images
        each could not judge for too few of a class counted together."""
        classes = sorted(set(self.classes) | set(other.classes))
        too_few = {label: self.too_few.get(label, 0) + other.too_few.get(label, 0)
                   for label in sorted(set(self.too_few) | set(other.too_few))}
        scored = sorted(self.scored + other.scored, key=lambda d: (-d.doubt, d.path, d.box_id or 0))
        return MistakeReport(scored, classes, too_few, self.without_features + other.without_features,
                             self.by_objects + other.by_objects)

    def as_dict(self) -> dict:
        return {"likely": [d.as_dict() for d in self.likely], "judged": len(self.scored), "classes": self.classes,
                "agreement": None if self.agreement is None else round(self.agreement, 4),
                "too_few": self.too_few, "without_features": self.without_features,
                "by_objects": self.by_objects, "folds": FOLDS}


def stratified_folds(labels: np.ndarray, folds: int, seed: int) -> np.ndarray:
    """Each item's fold (0..folds-1): every class dealt round-robin over the folds after a seeded shuffle."""
    rng = np.random.default_rng(seed)
    fold = np.empty(len(labels), np.int64)
    start = 0
    for cls in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == cls))
        fold[members] = (start + np.arange(len(members))) % folds
        start += len(members)  # the next class starts where this one ended: folds stay even
    return fold


def fit_softmax(x: np.ndarray, y: np.ndarray, classes: int) -> tuple[np.ndarray, np.ndarray]:
    """Weights and biases of a multinomial logistic regression of ``y`` (0..classes-1) on ``x`` with an L2 penalty
    (:data:`PENALTY`), by :data:`STEPS` steps of Nesterov's accelerated gradient descent. The step is the inverse of
    the loss's curvature bound (half the largest eigenvalue of ``x``'s second moments, found by power iteration, plus
    the penalty): it never diverges, however correlated the features are."""
    n, d = x.shape
    w = np.zeros((d + 1, classes), np.float32)  # the last row: the biases
    xb = np.hstack([x, np.ones((n, 1), np.float32)])
    target = np.eye(classes, dtype=np.float32)[y]
    step = 1.0 / (0.5 * _largest_eigenvalue(xb) + PENALTY)
    previous, ahead = w.copy(), w.copy()
    for t in range(1, STEPS + 1):
        grad = xb.T @ ((softmax(xb @ ahead) - target) / n)
        grad[:-1] += PENALTY * ahead[:-1]
        w = ahead - step * grad
        ahead = w + (t - 1) / (t + 2) * (w - previous)
        previous = w
    return w[:-1], w[-1]


def _largest_eigenvalue(x: np.ndarray, iterations: int = 30) -> float:
    """The largest eigenvalue of ``x.T @ x / n``, by power iteration (from a fixed start)."""
    v = np.ones(x.shape[1], np.float32) / np.sqrt(x.shape[1])
    value = 1.0
    for _ in range(iterations):
        u = x.T @ (x @ v) / len(x)
        value = float(np.linalg.norm(u))
        v = u / max(value, 1e-12)
    return value * 1.05  # a margin over the iteration's estimate from below


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def out_of_fold_probabilities(x: np.ndarray, y: np.ndarray, classes: int, folds: int = FOLDS,
                              seed: int = 0) -> np.ndarray:
    """Class probabilities (N x classes) of each row from a model fitted on the other folds only (the
    standardisation and the principal components too)."""
    fold = stratified_folds(y, folds, seed)
    probabilities = np.zeros((len(x), classes), np.float32)
    for k in range(folds):
        test, train = fold == k, fold != k
        if not test.any():
            continue
        mean = x[train].mean(axis=0)
        scale = x[train].std(axis=0) + 1e-6
        learn, judge = (x[train] - mean) / scale, (x[test] - mean) / scale
        if len(learn) > REDUCE_ABOVE:  # many images: fit in fewer dimensions (not whitened: noise stays small)
            basis = principal_axes(learn, min(COMPONENTS, x.shape[1]), seed).T
            learn, judge = learn @ basis, judge @ basis
        w, b = fit_softmax(learn, y[train], classes)
        probabilities[test] = softmax(judge @ w + b)
    return probabilities


def judge(items: list[tuple[int, int | None, str, str]], vectors: np.ndarray, seed: int = 0) -> MistakeReport:
    """Judge ``items`` (image id, box id or None, image path, class), each with its row of ``vectors``, out of fold
    (see the module's docstring): every judged item's :class:`Doubt`, most doubted first."""
    report = MistakeReport()
    counts: dict[str, int] = {}
    for item in items:
        counts[item[3]] = counts.get(item[3], 0) + 1
    report.too_few = {label: n for label, n in sorted(counts.items()) if n < MIN_PER_CLASS}
    report.classes = sorted(label for label in counts if label not in report.too_few)
    if len(report.classes) < 2:
        return report
    keep = [k for k, item in enumerate(items) if item[3] in report.classes]
    index = {label: n for n, label in enumerate(report.classes)}
    y = np.array([index[items[k][3]] for k in keep], np.int64)
    folds = min(FOLDS, int(np.bincount(y).min()))
    p = out_of_fold_probabilities(np.asarray(vectors, np.float32)[keep], y, len(report.classes), folds, seed)
    for row, k in enumerate(keep):
        image_id, box_id, path, label = items[k]
        best = int(np.argmax(p[row]))
        report.scored.append(Doubt(image_id, path, label, report.classes[best], float(p[row, y[row]]),
                                   float(p[row, best]), box_id))
    report.scored.sort(key=lambda d: (-d.doubt, d.path, d.box_id or 0))
    return report


def class_mistakes(store: Store, seed: int = 0,
                   boxes: tuple[list[int], np.ndarray] | None = None) -> MistakeReport:
    """Image classes judged out of fold: every labelled, usable image, by its objects where ``boxes`` (box ids and
    their crop features) covers its accepted boxes, by its whole stored features otherwise (see the module's
    docstring)."""
    images = [img for img in store.images(include_excluded=False) if img.label and not img.missing]
    by_id = {img.id: img for img in images}
    objects = object_features(store, *boxes) if boxes else {}
    boxed = [i for i in by_id if i in objects]
    by_objects = judge([(i, None, by_id[i].path, by_id[i].label) for i in boxed],
                       np.stack([objects[i] for i in boxed]) if boxed else np.zeros((0, 1)), seed)
    rest = [img for img in images if img.id not in objects]
    ids, vectors = load_features(store, rest, kind="views")
    report = judge([(i, None, by_id[i].path, by_id[i].label) for i in ids], vectors, seed)
    report.without_features = len(rest) - len(ids)
    report.by_objects = len(by_objects.scored)
    return report.merged(by_objects)


def object_features(store: Store, box_ids: list[int], vectors: np.ndarray) -> dict[int, np.ndarray]:
    """Each image's mean crop feature over its judged boxes (:func:`judged_boxes`) among ``box_ids``; an image with a
    judged box left out of ``box_ids`` (its crop could not be cut) is left out."""
    boxes = {box.id: box for box in judged_boxes(store)}
    rows: dict[int, list[int]] = {}
    for k, box_id in enumerate(box_ids):
        if box_id in boxes:
            rows.setdefault(boxes[box_id].image_id, []).append(k)
    complete = {image_id for image_id, found in rows.items()
                if len(found) == sum(box.image_id == image_id for box in boxes.values())}
    vectors = np.asarray(vectors, np.float32)
    return {image_id: vectors[found].mean(axis=0) for image_id, found in rows.items() if image_id in complete}


def judged_boxes(store: Store) -> list[BoxRecord]:
    """The boxes whose class is judged: accepted boxes of usable images."""
    usable = {img.id for img in store.images(include_excluded=False) if not img.missing}
    return [box for box in store.boxes(states=("accepted",)) if box.image_id in usable]


def box_mistakes(store: Store, box_ids: list[int], vectors: np.ndarray, seed: int = 0) -> MistakeReport:
    """Box classes judged by the features of their crops (``box_ids`` and ``vectors``: ``ml/box_features.py``)."""
    boxes = {box.id: box for box in judged_boxes(store)}
    rows = [k for k, box_id in enumerate(box_ids) if box_id in boxes]
    paths = store.paths_of({boxes[box_ids[k]].image_id for k in rows})
    items = [(boxes[box_ids[k]].image_id, box_ids[k], paths[boxes[box_ids[k]].image_id], boxes[box_ids[k]].label)
             for k in rows]
    report = judge(items, np.asarray(vectors)[rows] if rows else np.zeros((0, 1)), seed)
    report.without_features = len(boxes) - len(rows)
    return report


#: The kinds of likely mistakes, in the order of the list's rows: an image's class, a box's class, a box likely
#: missing, a box likely misplaced (``core/box_places.py``).
MISTAKE_KINDS = ("image class", "box class", "missing box", "misplaced box")


def mistake_kind(row: dict) -> str:
    """The kind (one of :data:`MISTAKE_KINDS`) of a likely mistake as a dict (:meth:`Doubt.as_dict`, or a place's)."""
    if row.get("kind"):
        return f"{row['kind']} box"
    return "box class" if row.get("box") else "image class"


def flagged_images(rows: list[dict]) -> dict[int, str]:
    """Each image of ``rows`` (likely mistakes as dicts, any order) with the kind of its most doubted row."""
    flagged: dict[int, tuple[float, str]] = {}
    for row in rows:
        if row["image"] not in flagged or row["doubt"] > flagged[row["image"]][0]:
            flagged[row["image"]] = (row["doubt"], mistake_kind(row))
    return {image_id: kind for image_id, (_doubt, kind) in flagged.items()}
