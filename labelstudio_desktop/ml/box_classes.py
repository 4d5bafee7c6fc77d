"""Box classes: the class of each proposed box, seen in the box's own cut of the photo.

The detector tells classes apart on the whole photo at 160 px, where a playing card's rank or a board's make is a
few pixels: after 20 reviewed photos it names the class right for about half the cards it finds. This classifier
looks at each box alone, cut from the upright photo (no margin), resized to :data:`CROP` pixels and passed through
the shipped ImageNet MobileNetV2 (its pooled output, 1,280 numbers); a ridge regression from those to each class's
one-hot score gives the class. It is fitted when a pretrained detector is trained (``ml/train.py``) on the training
images' accepted boxes, each also moved and resized at random (``refine.jittered``) and each of both mirrored:
closed form, seconds. It is stored beside the detector's model (:data:`FILE_NAME`, NumPy arrays) when the boxes
hold two classes or more, and the proposals take its class on the images the box refinement looks at again
(``ml/refine.py``), unless the image's class is the boxes'.

It also learns what is no object at all: cuts of the training photos away from every box (:data:`EMPTY_CUTS` per
photo, sized like the photo's boxes), and the proposals the operator rejected there, are a class of their own. A box
it sees as such is no board or card to it: the proposals drop it, unless it is the best box of its photo
(``ml/second_look.py``). On detectors trained on 20, 40 and 100 photos of boards and of cards, with one box per place,
it saved the operator up to 10% of the seconds per object on the held-out photos at the cheapest threshold
(``benchmarks/proposal_cleanup.py``); in the review loop, the boards rejections after 20 photos fell from 7 to 3.

Measured with detectors trained on 20 photos (``benchmarks/detector_speed.py --images 20``): the detections an
operator accepts as they are rose from 31% to 38-39% on playing cards and from 54% to 60-61% on boards (after the
box refinement); with 100 training photos from 63% to 68-70% (cards) and 78% to 79% (boards). Cut with a margin
(15%), 54% of held-out cards got the right class against 64% cut tight and mirrored (20 training photos).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import keras
import numpy as np
from PIL import Image

from ..core.boxes.boxes import box_iou
from ..core.jobs import JobToken
from ..core.store.store import Store
from .features import build_extractor, predict_in_calls
from .refine import AT_MOST, Edges, cut, jittered, photos_with_boxes
from .ridge import fit_ridge

#: The cut's side in pixels: 160 proposed as well as 224 (boards and cards, 20 and 100 training photos: within 1.5
#: points either way) and a third faster.
CROP = 160
#: The copies of each training box: as it is and mirrored, then moved and resized at random, as it is and mirrored.
COPIES = ((False, False), (False, True), (True, False), (True, True))
MAX_CROPS = 2_000
CUTS_PER_CALL = 16
#: Cuts of each training photo away from its boxes that train the "no object" class, and how far from them: their
#: IoU with every box under :data:`EMPTY_IOU` (a cut half over an object is a poor box of it, not a place without).
EMPTY_CUTS = 3
EMPTY_IOU = 0.3
#: An empty cut's size: one of the photo's boxes scaled by a factor between these (small parts of an object, and
#: the clutter beside it, are what a detector trained on few photos proposes wrongly).
EMPTY_SCALES = (0.3, 1.2)
#: The ridge penalty, as a share of the features' mean squared length.
PENALTY = 0.3
FILE_NAME = "box_classes.npz"


@dataclass
class BoxClassifier:
    """The fitted regression: the features' mean, the weights (features x classes, and a last column for "no
    object" when ``empty`` is true), the one-hot targets' mean."""

    classes: tuple[str, ...]
    mean: np.ndarray
    weights: np.ndarray
    target_mean: np.ndarray
    boxes: int = 0
    model: keras.Model | None = None
    empty: bool = False  # whether it also tells a cut holding no object (fitted before: it does not)
    crop = CROP  # the pixels each cut is resized to (the photo is decoded large enough for them)

    def save(self, path: Path) -> None:
        np.savez(path, classes=np.array(self.classes, dtype=str), mean=self.mean.astype(np.float32),
                 weights=self.weights.astype(np.float32), target_mean=self.target_mean.astype(np.float32),
                 boxes=np.int64(self.boxes), crop=np.int64(CROP), empty=np.bool_(self.empty))

    @classmethod
    def load(cls, path: Path) -> BoxClassifier | None:
        """The classifier stored at ``path``; None when there is none, or one of another crop or shape (the
        detector's classes are then kept)."""
        try:
            with np.load(path, allow_pickle=False) as stored:
                classes = tuple(str(c) for c in stored["classes"])
                mean, weights, target_mean = stored["mean"], stored["weights"], stored["target_mean"]
                empty = bool(stored["empty"]) if "empty" in stored.files else False
                columns = len(classes) + empty
                if int(stored["crop"]) != CROP or len(classes) < 2 or weights.shape != (len(mean), columns) \
                        or target_mean.shape != (columns,):
                    return None
                return cls(classes, mean, weights, target_mean, int(stored["boxes"]), empty=empty)
        except (OSError, KeyError, ValueError):
            return None

    def classify_many(self, items: list[tuple[Image.Image, list[Edges]]]) -> list[list[Seen]]:
        """What is seen in each box of several upright images, every image's cuts through the network together."""
        cuts = [cut(image, box, CROP) for image, boxes in items for box in boxes]
        if not cuts:
            return [[] for _ in items]
        self.model = self.model or build_extractor(CROP)
        scores = (predict_in_calls(self.model, np.stack(cuts), CUTS_PER_CALL) - self.mean) @ self.weights \
            + self.target_mean
        named = len(self.classes)
        found = iter(Seen(self.classes[int(np.argmax(row[:named]))], self.empty and int(np.argmax(row)) == named)
                     for row in scores)
        return [[next(found) for _box in boxes] for _image, boxes in items]


class Seen(NamedTuple):
    """What a box classifier sees in a box: the class it names, and whether it sees no object there at all (then the
    class is the likeliest had there been one)."""

    label: str
    empty: bool = False


def empty_cuts(size: tuple[int, int], boxes: Sequence[Edges], rng: np.random.Generator, count: int) -> list[Edges]:
    """Up to ``count`` places of an image of ``size`` (width, height) away from all of its ``boxes`` (IoU under
    :data:`EMPTY_IOU` with each), each sized like one of them scaled by a factor of :data:`EMPTY_SCALES`."""
    width, height = size
    found: list[Edges] = []
    for _ in range(50 * count):
        if len(found) == count or not boxes:
            break
        x0, y0, x1, y1 = boxes[rng.integers(len(boxes))]
        scale = np.exp(rng.uniform(*np.log(EMPTY_SCALES)))
        w = min(width - 1.0, max(1.0, (x1 - x0) * scale * np.exp(rng.uniform(-0.3, 0.3))))
        h = min(height - 1.0, max(1.0, (y1 - y0) * scale * np.exp(rng.uniform(-0.3, 0.3))))
        left, top = rng.uniform(0, width - w), rng.uniform(0, height - h)
        place = (left, top, left + w, top + h)
        if clear_of(place, boxes):
            found.append(place)
    return found


def clear_of(place: Edges, boxes: Sequence[Edges]) -> bool:
    """Whether ``place`` holds no object of ``boxes``: IoU under :data:`EMPTY_IOU` with each."""
    return all(box_iou(place, box) < EMPTY_IOU for box in boxes)


def fit_box_classes(samples: Iterable[tuple[Image.Image, list[Edges], Sequence[str], Sequence[Edges]]], total: int,
                    seed: int = 0, model: keras.Model | None = None) -> BoxClassifier | None:
    """A :class:`BoxClassifier` fitted on ``samples`` (upright images, their true boxes, the boxes' classes and the
    places the operator rejected proposals at, read one at a time; ``total`` boxes in all), no object being a class
    of its own (:func:`empty_cuts`, and the rejected places away from every box); None without boxes of two classes.
    At most :data:`MAX_CROPS` cuts of boxes: fewer copies of each box, then a random share of the boxes (and of the
    empty cuts)."""
    if total < 2:
        return None
    rng = np.random.default_rng(seed)
    copies = COPIES[:max(1, min(len(COPIES), MAX_CROPS // total))]
    keep = min(1.0, MAX_CROPS / (total * len(copies)))
    model = model or build_extractor(CROP)
    features, labels = [], []
    for image, boxes, box_labels, rejected in samples:
        cuts = []
        for box, label in zip(boxes, box_labels, strict=True):
            if rng.random() >= keep:
                continue
            for moved, mirrored in copies:
                pixels = cut(image, jittered(box, rng) if moved else box, CROP)
                cuts.append(pixels[:, ::-1] if mirrored else pixels)
                labels.append(label)
        away = [place for place in rejected if clear_of(place, boxes)]
        for place in away + empty_cuts(image.size, boxes, rng, EMPTY_CUTS):
            if rng.random() >= keep:
                continue
            pixels = cut(image, place, CROP)
            cuts.extend((pixels, pixels[:, ::-1]))
            labels.extend((None, None))
        if cuts:
            features.append(predict_in_calls(model, np.stack(cuts), CUTS_PER_CALL))
    classes = tuple(sorted({label for label in labels if label is not None}))
    if len(classes) < 2:
        return None
    targets = np.array([[label == c for c in classes] + [label is None] for label in labels], np.float64)
    mean, weights, target_mean = fit_ridge(np.concatenate(features), targets, PENALTY)
    return BoxClassifier(classes, mean, weights, target_mean, total, model, empty=True)


def fit_for_run(store: Store, image_ids: list[int], path: Path, job: JobToken | None = None) -> BoxClassifier | None:
    """Fit a box classifier on the accepted boxes of ``image_ids`` and store it at ``path``; an image that cannot be
    read is left out (reported). None is fitted with fewer than two classes, nor when the images hold more boxes on
    average than the proposals look at again (``refine.AT_MOST``: blood cells by the dozen), where it would serve
    few photos and cost the training a cut per box."""
    job = job or JobToken()
    accepted = {image_id: store.boxes(image_id, states=("accepted",)) for image_id in image_ids}
    boxed = [boxes for boxes in accepted.values() if boxes]
    total = sum(len(boxes) for boxes in boxed)
    if len({b.label for boxes in boxed for b in boxes}) < 2 or total > AT_MOST * len(boxed):
        return None
    job.status("fitting the box classes")
    rejected = {image_id: [b.edges for b in store.boxes(image_id, states=("rejected",))]
                for image_id, boxes in accepted.items() if boxes}
    photos = photos_with_boxes(store, accepted, job,
                               lambda path, exc: job.status(f"box classes: left out {path}: {exc}"))
    classifier = fit_box_classes(((photo, [b.edges for b in boxes], [b.label for b in boxes],
                                   rejected[boxes[0].image_id]) for photo, boxes in photos), total)
    if classifier is not None:
        classifier.save(path)
    return classifier
