"""What the proposals make of a detector's detections, in the detector's coordinates (0..1 of the image): for the
Training dock's evaluation and the benchmarks, which score what the operator will be shown.

One box per place whatever its class (:func:`one_per_place`); an image where no detection reaches the threshold
keeps its best one (:func:`sure_or_best`); then, on the images with few detections, the second look of
``ml/propose.py``: the edges refined in the photo (``ml/refine.py``) and the class the run's box classifier sees in
each box (``ml/box_classes.py``), one box per class and place, the boxes where it sees no object left out but for the
image's best.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image

from ..core.boxes.review_cost import ACCEPT_IOU

if TYPE_CHECKING:  # the networks are imported when a look is taken: ``propose`` imports this module without them
    from .box_classes import BoxClassifier
    from .refine import Refiner

#: Photos read and looked at together (as the proposals' batches).
BATCH = 32
#: An image where no detection reaches the threshold still gets the best one scoring at least this much: a missed
#: object costs the operator a drawing (7 s), a wrong guess a rejection (1 s; ``core/boxes/review_cost.py``). A
#: detector trained on a few images scores its objects low: after 20 board photos it proposed 3 boxes for 21 objects.
BEST_GUESS_FLOOR = 0.05
#: Two boxes overlapping this much are one to the operator (a proposal at this IoU with an object is accepted as it
#: is): the proposals keep one of them, the better scored, whatever the classes.
SAME_PLACE_IOU = ACCEPT_IOU


def sure_or_best(boxes: list, threshold: float) -> list:
    """An image's detections (best score first) scoring ``threshold`` or more, or else its best one when it scores
    :data:`BEST_GUESS_FLOOR` or more."""
    sure = [b for b in boxes if b[2] >= threshold]
    return sure or [b for b in boxes[:1] if b[2] >= BEST_GUESS_FLOOR]


Detection = tuple[tuple[float, float, float, float], int, float]


@dataclass
class SecondLook:
    """A detector run's refiner and box classifier (either may be None)."""

    refiner: Refiner | None
    classifier: BoxClassifier | None

    @classmethod
    def of_run(cls, folder: Path) -> SecondLook:
        """What is stored beside the run's model in ``folder``."""
        from . import box_classes, refine

        return cls(refine.Refiner.load(folder / refine.FILE_NAME),
                   box_classes.BoxClassifier.load(folder / box_classes.FILE_NAME))

    def warm_up(self) -> None:
        """Build and trace the networks (once per proposal job: not what a timing of the look should count)."""
        from .refine import CROP

        if self.refiner is not None:
            self.refiner.features(np.zeros((1, CROP, CROP, 3), np.uint8))
        if self.classifier is not None:
            self.classifier.classify_many([(Image.new("RGB", (8, 8)), [(0.0, 0.0, 8.0, 8.0)])])

    def apply(self, classes: list[str], photos: list[tuple[Path, tuple[int, int]]],
              detections: list[list[Detection]]) -> tuple[list[list[Detection]], list[list[Detection]]]:
        """Each image's detections (``(box, class index, score)``, box in 0..1; its photo's path and upright size in
        ``photos``) after the second look: with the refined edges and the detector's classes, and with the box
        classifier's classes too (the same without one). As they were without a refiner, on images of many
        detections, and where a photo cannot be read now."""
        looks = self._looks(classes, photos, [found if self._takes(found) else [] for found in detections])
        return _shown(detections, looks)

    def at_thresholds(self, classes: list[str], photos: list[tuple[Path, tuple[int, int]]],
                      found: list[list[Detection]], thresholds) -> dict[float, tuple[list, list]]:
        """For each score threshold, what :meth:`apply` makes of the detections the proposals keep at it
        (:func:`sure_or_best` of each image's ``found``, best score first): (edges, classed), as the operator would
        review them (``ml/calibrate.py`` picks the threshold on these). Every threshold keeps a first part of an
        image's list, so each box is looked at once, in the longest part a look takes."""
        kept = {t: [sure_or_best(f, t) for f in found] for t in thresholds}
        longest = [max((kept[t][n] for t in thresholds if self._takes(kept[t][n])), key=len, default=[])
                   for n in range(len(found))]
        looks = self._looks(classes, photos, longest)
        return {t: _shown(kept[t], [looked[:len(mine)] if looked and self._takes(mine) else None
                                    for mine, looked in zip(kept[t], looks, strict=True)])
                for t in thresholds}

    def _takes(self, found: list[Detection]) -> bool:
        """Whether the look takes an image of these detections (a refiner, and few of them)."""
        return self.refiner is not None and self.refiner.worth_it(len(found))

    def _looks(self, classes: list[str], photos: list[tuple[Path, tuple[int, int]]],
               detections: list[list[Detection]]) -> list[list[tuple[Detection, Detection, bool]] | None]:
        """Per image, each detection after the look: (refined with the detector's class, refined with the box
        classifier's class, whether the classifier sees no object there); None for an image without detections or
        whose photo cannot be read now."""
        from .refine import refined_in_files

        out: list = [None] * len(detections)
        chosen = [n for n, found in enumerate(detections) if found]
        for first in range(0, len(chosen), BATCH):
            part = chosen[first:first + BATCH]
            items = [(photos[n][0], [_pixels(box, photos[n][1]) for box, _c, _s in detections[n]], photos[n][1])
                     for n in part]
            for n, looked in zip(part, refined_in_files(self.refiner, items, self.classifier), strict=True):
                if looked is None:
                    continue
                w, h = photos[n][1]
                out[n] = []
                for ((x0, y0, x1, y1), label, empty), (_box, c, s) in zip(looked, detections[n], strict=True):
                    box = (x0 / w, y0 / h, x1 / w, y1 / h)
                    out[n].append(((box, c, s), (box, classes.index(label) if label in classes else c, s), empty))
        return out


def _shown(detections: list[list[Detection]], looks: list) -> tuple[list, list]:
    """Each image's detections after its look (as it was where there is none): with the refined edges and the
    detector's classes, and with the box classifier's classes, one box per class and place; a box where the
    classifier sees no object is left out, unless it is the image's best (a missed object costs the operator a
    drawing, a wrong box a rejection: :data:`BEST_GUESS_FLOOR`)."""
    looks = [[seen for k, seen in enumerate(looked) if k == 0 or not seen[2]] if looked else looked
             for looked in looks]
    edges = [[e for e, _c, _empty in looked] if looked else found
             for found, looked in zip(detections, looks, strict=True)]
    classed = [_one_per_class_and_place([c for _e, c, _empty in looked]) if looked else found
               for found, looked in zip(detections, looks, strict=True)]
    return edges, classed


def _one_per_class_and_place(seen: list[Detection]) -> list[Detection]:
    """Of boxes of one class at one place (IoU >= 0.5), the better scored (their classes may now agree)."""
    from .detector import nms_per_class

    return [seen[k] for k in nms_per_class(*zip(*seen, strict=True))]


def kept_detections(outputs, threshold: float, max_boxes: int = 100) -> list[list[Detection]]:
    """The detections of a detector's ``outputs`` that its proposals keep: those scoring ``threshold`` or more, or an
    image's best guess (:func:`sure_or_best`), one per place (:func:`one_per_place`). Kept first, then one per place:
    the same boxes as the other way round (a box is only ever left out for a better one, which a threshold keeps
    too), without comparing the dozens of weak ones down to the best guesses' floor on the proposals' way."""
    from .detector import decode

    return [one_per_place(sure_or_best(found, threshold))
            for found in decode(outputs, score_threshold=min(threshold, BEST_GUESS_FLOOR), max_boxes=max_boxes)]


def one_per_place(found: list[Detection]) -> list[Detection]:
    """An image's detections (best score first) without those at the place of a better one whatever its class (IoU
    :data:`SAME_PLACE_IOU` or more): the detector keeps a box per class at a place it is unsure of, and the operator
    rejected all but one of them (a board after 40 reviewed photos proposed as three makes, three boxes)."""
    from .detector import nms

    if len(found) < 2:
        return found
    return [found[k] for k in sorted(nms(np.array([box for box, _c, _s in found]),
                                         np.array([score for _b, _c, score in found]), SAME_PLACE_IOU))]


def _pixels(box: tuple[float, float, float, float], size: tuple[int, int]) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = box
    return x0 * size[0], y0 * size[1], x1 * size[0], y1 * size[1]
