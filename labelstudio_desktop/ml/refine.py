"""Box refinement: a second look at each detected box, at the photo's own resolution.

The detector sees the photo at 160 px, where one pixel is 2-3% of a sizeable object's side: its boxes land near the
objects but rarely within the 5% an operator lets pass, so most are corrected rather than accepted. The refiner cuts
each box from the upright photo with a margin of :data:`CONTEXT` of its size on every side, resizes the cut to
:data:`CROP` pixels and passes it through the shipped ImageNet MobileNetV2 up to :data:`LAYER` (stride 16: an 8 x 8
map of 576 features, where an edge still shows); a ridge regression from those features to the true box's edges
(as fractions of the cut) gives the refined box. It looks again, cut around its last answer, while that answer
moved an edge by more than :data:`SETTLED` of the side: one to :data:`PASSES` looks per box.

It is fitted when a detector is trained (``ml/train.py``), on the training images' accepted boxes, each cut around
:data:`JITTERS` copies of the box moved by up to :data:`SHIFT` of its size and resized by up to ``exp(SCALE)``
(:data:`MAX_CROPS` cuts at most): closed form, seconds. Measured on 129 held-out board photos with a detector trained
on 20: the detections an operator would accept as they are rose from 25% to 37% of the objects (mean best IoU 0.283
to 0.318); on playing cards, whose detections are wrong about the card more than about its edges, it changed
little (26% to 25%).

It is stored beside the detector's model (:data:`FILE_NAME`, NumPy arrays: no code) and used by the proposals
(``ml/propose.py``) when it is there, on images with at most :data:`AT_MOST` proposals; the same photo, decoded once,
gives the box classifier (``ml/box_classes.py``) its cuts of the refined boxes (:func:`refined_in_files`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import keras
import numpy as np
from PIL import Image

from ..core.images import ImageProblem, open_upright
from ..core.jobs import JobToken
from ..core.store.records import BoxRecord
from ..core.store.store import Store
from .features import predict_in_calls
from .models import transfer_base
from .ridge import fit_ridge

CROP = 128
CONTEXT = 0.4
LAYER = "block_13_expand_relu"
JITTERS = 16
SHIFT = 0.2
SCALE = 0.3
MAX_CROPS = 1_500
#: Cuts the network takes at once (always this many: :func:`.features.predict_in_calls`).
CUTS_PER_CALL = 16
#: The ridge penalty, as a share of the features' mean squared length.
PENALTY = 0.5
#: A box is looked at again while its last look moved an edge by more than :data:`SETTLED` of its side, at most
#: :data:`PASSES` looks in all. Against two looks for every box, on the held-out photos of detectors trained on 20
#: and 100 photos (docs/benchmarks.md): boards 67.8% -> 70.4% and 82.8% -> 86.2% accepted as is, cards 49.6% ->
#: 49.9% and 73.5% -> 73.9%, with 14-36% fewer looks (a look at a box already in place only moves it about).
PASSES = 3
SETTLED = 0.1
#: Images with more proposals keep the detector's boxes: many small objects (blood cells) are what the detector does
#: best (on BCCD refining left 71% of the boxes acceptable as they were, 72% before) and each box costs one to three
#: looks (with two looks for every box, proposals at 5 images/s instead of 72).
AT_MOST = 6
FILE_NAME = "refiner.npz"

Edges = tuple[float, float, float, float]


def build_refiner_features() -> keras.Model:
    """The shipped MobileNetV2 from a :data:`CROP`-pixel cut to :data:`LAYER`, flattened."""
    inputs = keras.Input((CROP, CROP, 3), name="cut")
    base = transfer_base(inputs)
    return keras.Model(inputs, keras.layers.Flatten()(base.get_layer(LAYER).output), name="refiner_features")


def reduction(boxes: list[Edges], crop: int = CROP, context: float = CONTEXT) -> int:
    """How much smaller (1, 2, 4 or 8) a photo may be decoded for cutting ``boxes`` (each with ``context`` of its
    size on every side) and still give every cut at least ``crop`` pixels of the photo (the resolution it was
    fitted on)."""
    side = min(min(x1 - x0, y1 - y0) for x0, y0, x1, y1 in boxes) * (1 + 2 * context)
    k = 1
    while k < 8 and side / (2 * k) >= crop:
        k *= 2
    return k


def region(box: Edges) -> Edges:
    """The part of the photo cut around ``box``: the box with :data:`CONTEXT` of its size on every side."""
    x0, y0, x1, y1 = box
    mx, my = CONTEXT * (x1 - x0), CONTEXT * (y1 - y0)
    return x0 - mx, y0 - my, x1 + mx, y1 + my


def cut(image: Image.Image, area: Edges, size: int = CROP) -> np.ndarray:
    """``area`` of ``image`` (outside the photo: black) resized to ``size`` pixels square. An area reaching further
    than the photo's own size beyond it (a received project's box a million pixels wide) is cut at that distance:
    the crop never holds more than nine photos' worth of pixels."""
    width, height = image.size
    x0, x1 = (round(min(max(v, -width), 2 * width)) for v in (area[0], area[2]))
    y0, y1 = (round(min(max(v, -height), 2 * height)) for v in (area[1], area[3]))
    return np.asarray(image.crop((x0, y0, max(x1, x0 + 1), max(y1, y0 + 1))).resize((size, size), Image.BILINEAR))


def as_fractions(box: Edges, area: Edges) -> np.ndarray:
    x0, y0, x1, y1 = area
    w, h = max(x1 - x0, 1e-6), max(y1 - y0, 1e-6)
    return np.array([(box[0] - x0) / w, (box[1] - y0) / h, (box[2] - x0) / w, (box[3] - y0) / h], np.float32)


def from_fractions(values: np.ndarray, area: Edges) -> Edges:
    x0, y0, x1, y1 = area
    w, h = x1 - x0, y1 - y0
    return (x0 + float(values[0]) * w, y0 + float(values[1]) * h, x0 + float(values[2]) * w,
            y0 + float(values[3]) * h)


def moved_share(before: Edges, after: Edges) -> float:
    """How far the edges moved from ``before`` to ``after``: the largest, as a share of ``before``'s side along its
    axis."""
    w, h = max(before[2] - before[0], 1e-6), max(before[3] - before[1], 1e-6)
    return max(abs(after[0] - before[0]) / w, abs(after[2] - before[2]) / w, abs(after[1] - before[1]) / h,
               abs(after[3] - before[3]) / h)


def jittered(box: Edges, rng: np.random.Generator) -> Edges:
    """``box`` moved by up to :data:`SHIFT` of its size and each side scaled by up to ``exp(SCALE)``."""
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    cx, cy = (x0 + x1) / 2 + rng.uniform(-SHIFT, SHIFT) * w, (y0 + y1) / 2 + rng.uniform(-SHIFT, SHIFT) * h
    w, h = w * np.exp(rng.uniform(-SCALE, SCALE)), h * np.exp(rng.uniform(-SCALE, SCALE))
    return cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2


@dataclass
class Refiner:
    """The fitted regression: the features' mean, the weights (features x 4) and the targets' mean."""

    mean: np.ndarray
    weights: np.ndarray
    target_mean: np.ndarray
    boxes: int = 0  # how many boxes it was fitted on
    model: keras.Model | None = None

    def save(self, path: Path) -> None:
        np.savez(path, mean=self.mean.astype(np.float32), weights=self.weights.astype(np.float32),
                 target_mean=self.target_mean.astype(np.float32), boxes=np.int64(self.boxes),
                 crop=np.int64(CROP), context=np.float32(CONTEXT), layer=np.array(LAYER))

    @classmethod
    def load(cls, path: Path) -> Refiner | None:
        """The refiner stored at ``path``; None when there is none, or one of other settings or shape (made by
        another version: the detector's boxes are then used as they are)."""
        try:
            with np.load(path, allow_pickle=False) as stored:
                if (int(stored["crop"]) != CROP or str(stored["layer"]) != LAYER
                        or stored["weights"].ndim != 2 or stored["weights"].shape[1] != 4
                        or stored["mean"].shape != (stored["weights"].shape[0],)):
                    return None
                return cls(stored["mean"], stored["weights"], stored["target_mean"], int(stored["boxes"]))
        except (OSError, KeyError, ValueError):
            return None

    def features(self, cuts: np.ndarray) -> np.ndarray:
        self.model = self.model or build_refiner_features()
        return predict_in_calls(self.model, cuts, CUTS_PER_CALL)

    @staticmethod
    def worth_it(count: int) -> bool:
        """Whether an image's ``count`` proposals are refined (:data:`AT_MOST`)."""
        return 0 < count <= AT_MOST

    def refine(self, image: Image.Image, boxes: list[Edges]) -> list[Edges]:
        """``boxes`` of the upright ``image`` refined (:meth:`refine_many`)."""
        return self.refine_many([(image, boxes)])[0]

    def refine_many(self, items: list[tuple[Image.Image, list[Edges]]]) -> list[list[Edges]]:
        """The boxes of several upright images refined (looked at until settled, :data:`PASSES` looks at most; every
        image's cuts of a look through the network together), each kept inside its photo and at least a pixel wide."""
        owners = [n for n, (_image, boxes) in enumerate(items) for _box in boxes]
        boxes = [tuple(float(v) for v in box) for _image, image_boxes in items for box in image_boxes]
        moving = list(range(len(boxes)))
        for _ in range(PASSES):
            if not moving:
                break
            areas = [region(boxes[k]) for k in moving]
            found = self.features(np.stack([cut(items[owners[k]][0], area) for k, area in zip(moving, areas,
                                                                                               strict=True)]))
            values = (found - self.mean) @ self.weights + self.target_mean
            looked = [from_fractions(v, area) for v, area in zip(values, areas, strict=True)]
            still = [k for k, box in zip(moving, looked, strict=True) if moved_share(boxes[k], box) > SETTLED]
            for k, box in zip(moving, looked, strict=True):
                boxes[k] = box
            moving = still
        out: list[list[Edges]] = [[] for _ in items]
        for n, (x0, y0, x1, y1) in zip(owners, boxes, strict=True):
            w, h = items[n][0].size
            x0, x1 = sorted((min(max(x0, 0.0), w - 1.0), min(max(x1, 1.0), float(w))))
            y0, y1 = sorted((min(max(y0, 0.0), h - 1.0), min(max(y1, 1.0), float(h))))
            out[n].append((x0, y0, max(x1, x0 + 1.0), max(y1, y0 + 1.0)))
        return out


class Looked(NamedTuple):
    """A box after the second look, the class a box classifier (``ml/box_classes.py``) sees in it (None without
    one), and whether it sees no object there."""

    box: Edges
    label: str | None
    empty: bool = False


def refined_in_files(refiner: Refiner, items: list[tuple[Path, list[Edges], tuple[int, int]]],
                     classifier=None) -> list:
    """Each item's boxes (edges in its upright image of the given size) refined in the photo at its path, decoded as
    small as the cuts allow (:func:`reduction`), every photo's cuts through the network together; with
    ``classifier`` (a ``box_classes.BoxClassifier``), what it sees in each refined box. A list of
    :class:`Looked` per item; None for a photo that cannot be read now."""
    read: dict[int, tuple[Image.Image, float, float]] = {}
    for n, (path, boxes, (width, height)) in enumerate(items):
        k = reduction(boxes) if classifier is None else min(reduction(boxes), reduction(boxes, classifier.crop, 0))
        try:
            photo = open_upright(path, k)
        except (ImageProblem, OSError):
            continue
        read[n] = (photo, photo.width / width, photo.height / height)
    found = refiner.refine_many([(photo, [(x0 * sx, y0 * sy, x1 * sx, y1 * sy) for x0, y0, x1, y1 in items[n][1]])
                                 for n, (photo, sx, sy) in read.items()])
    labels = classifier.classify_many([(photo, boxes) for (photo, _sx, _sy), boxes in zip(read.values(), found,
                                                                                           strict=True)]) \
        if classifier is not None else [[(None, False)] * len(boxes) for boxes in found]
    out: list = [None] * len(items)
    for (n, (_photo, sx, sy)), boxes, seen in zip(read.items(), found, labels, strict=True):
        out[n] = [Looked((x0 / sx, y0 / sy, x1 / sx, y1 / sy), label, empty)
                  for (x0, y0, x1, y1), (label, empty) in zip(boxes, seen, strict=True)]
    return out


def fit_refiner(samples: Iterable[tuple[Image.Image, list[Edges]]], total: int, seed: int = 0,
                model: keras.Model | None = None) -> Refiner | None:
    """A :class:`Refiner` fitted on ``samples`` (upright images with their true boxes, read one at a time; ``total``
    boxes in all); None without boxes."""
    if total < 1:
        return None
    jitters = max(2, min(JITTERS, MAX_CROPS // total))
    rng = np.random.default_rng(seed)
    model = model or build_refiner_features()
    features, targets = [], []
    for image, boxes in samples:
        cuts = []
        for box in boxes:
            for _ in range(jitters):
                area = region(jittered(box, rng))
                cuts.append(cut(image, area))
                targets.append(as_fractions(box, area))
        if cuts:
            features.append(predict_in_calls(model, np.stack(cuts), CUTS_PER_CALL))
    if not features:
        return None
    mean, weights, target_mean = fit_ridge(np.concatenate(features), np.stack(targets), PENALTY)
    return Refiner(mean, weights, target_mean, total, model)


def photos_with_boxes(store: Store, accepted: dict[int, list[BoxRecord]], job: JobToken,
                      unreadable: Callable[[str, Exception], None]):
    """``(upright photo, its boxes)`` for each image of ``accepted`` (image id -> its accepted boxes) that has boxes,
    read one at a time; an image that cannot be read is left out, and ``unreadable(path, error)`` told."""
    for image_id, boxes in accepted.items():
        if not boxes:
            continue
        job.check()
        img = store.image(image_id)
        try:
            photo = open_upright(store.abs_path(img))
        except (ImageProblem, OSError) as exc:
            unreadable(img.path, exc)
            continue
        yield photo, boxes


def fit_for_run(store: Store, image_ids: list[int], path: Path, job: JobToken | None = None) -> Refiner | None:
    """Fit a refiner on the accepted boxes of ``image_ids`` and store it at ``path``; an image that cannot be read
    is left out (reported), a run without boxes gets none."""
    job = job or JobToken()
    accepted = {image_id: store.boxes(image_id, states=("accepted",)) for image_id in image_ids}
    job.status("fitting the box refinement")
    refiner = fit_refiner(((photo, [b.edges for b in boxes])
                           for photo, boxes in photos_with_boxes(
                               store, accepted, job,
                               lambda path, exc: job.status(f"box refinement: left out {path}: {exc}"))),
                          sum(len(boxes) for boxes in accepted.values()))
    if refiner is not None:
        refiner.save(path)
    return refiner
