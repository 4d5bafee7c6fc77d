"""Likely mistakes in where the boxes are: objects nobody boxed, and boxes off their object, found by comparing the
reviewed boxes with an out-of-fold detector's boxes (each image looked at by a detector that never trained on it:
``ml/out_of_fold.py``). Nothing here imports Qt or TensorFlow.

Per image, each detected box is matched against the recorded boxes (any class, by IoU):

- a recorded box that a detected box overlaps at :data:`MATCH_IOU` or more is *confirmed* (that detection is used up);
- a recorded box that no detection confirms, but that an unused detection overlaps at :data:`NEAR_IOU` or more, is
  probably **misplaced**: the suggested fix moves it onto that detection (the most confident one, used up);
- a detection left unused, scoring :data:`MISSING_SCORE` or more and overlapping every recorded box less than
  :data:`MISSING_IOU`, is probably a **missing** box: the fix adds it, with the detection's class (the image's class
  when it has one).

Either doubt is the detection's score: how sure the detector is of an object the recorded boxes miss. (Weighing a
misplaced box's doubt by one less its IoU with the detection ranked the shifted boxes of the benchmark's real photo
sets below the missing ones: 4/9, 14/34 and 7/244 of them in the top 10% against 5/9, 22/34 and 88/244 by the score.)

``benchmarks/likely_mistakes.py --places`` drops and shifts boxes of real photo sets and measures how many of them
land at the top of this ranking, against a random ranking.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .boxes.boxes import box_iou

MATCH_IOU = 0.5
NEAR_IOU = 0.1
MISSING_SCORE = 0.3
MISSING_IOU = 0.3
KINDS = ("missing", "misplaced")

Edges = tuple[int, int, int, int]


@dataclass
class PlaceDoubt:
    """A likely missing box (``box_id`` None: add ``edges`` with ``label``) or a likely misplaced one (move box
    ``box_id``, now at ``was``, to ``edges``); ``score`` is the detection's (the doubt), ``iou`` its overlap with the
    box."""

    image_id: int
    path: str
    kind: str
    label: str
    edges: Edges
    score: float
    box_id: int | None = None
    was: Edges | None = None
    iou: float = 0.0

    @property
    def doubt(self) -> float:
        return self.score

    def as_dict(self) -> dict:
        return {"image": self.image_id, "path": self.path, "kind": self.kind, "label": self.label,
                "edges": list(self.edges), "score": round(self.score, 4), "box": self.box_id,
                "was": None if self.was is None else list(self.was), "iou": round(self.iou, 4),
                "doubt": round(self.doubt, 4)}


@dataclass
class PlaceReport:
    """Every likely missing or misplaced box, most doubted first; how many images and boxes were looked at, and how
    many recorded boxes a detection confirmed (how far to trust the detector); ``note``: why nothing could be judged
    (no reviewed boxes, a diverged detector), None when it was."""

    doubts: list[PlaceDoubt] = field(default_factory=list)
    images: int = 0
    boxes: int = 0
    confirmed: int = 0
    folds: int = 0
    note: str | None = None

    @property
    def agreement(self) -> float | None:
        """The share of the recorded boxes a detection confirmed (None when there were none)."""
        return self.confirmed / self.boxes if self.boxes else None

    def as_dict(self) -> dict:
        return {"likely": [d.as_dict() for d in self.doubts], "images": self.images, "boxes": self.boxes,
                "confirmed": self.confirmed, "folds": self.folds, "note": self.note,
                "agreement": None if self.agreement is None else round(self.agreement, 4)}


def image_places(image_id: int, path: str, recorded: list[tuple[int, str, Edges]],
                 detected: list[tuple[str, Edges, float]]) -> tuple[list[PlaceDoubt], int]:
    """One image's likely missing and misplaced boxes (see the module's docstring) and how many of its ``recorded``
    boxes (box id, class, edges) the ``detected`` ones (class, edges, score) confirm."""
    order = sorted(range(len(detected)), key=lambda k: -detected[k][2])  # the most confident detections first
    ious = [[box_iou(detected[k][1], edges) for _, _, edges in recorded] for k in range(len(detected))]
    used: set[int] = set()
    confirmed: set[int] = set()
    for k in order:
        best = max(range(len(recorded)), key=lambda r: ious[k][r], default=None)
        if best is not None and ious[k][best] >= MATCH_IOU:
            used.add(k)
            confirmed.add(best)
    doubts: list[PlaceDoubt] = []
    for r, (box_id, label, edges) in enumerate(recorded):
        if r in confirmed:
            continue
        near = [k for k in order if k not in used and ious[k][r] >= NEAR_IOU]
        if near:
            k = near[0]
            used.add(k)
            doubts.append(PlaceDoubt(image_id, path, "misplaced", label, detected[k][1], detected[k][2], box_id,
                                     edges, ious[k][r]))
    for k in order:
        label, edges, score = detected[k]
        if k in used or score < MISSING_SCORE or any(iou >= MISSING_IOU for iou in ious[k]):
            continue
        doubts.append(PlaceDoubt(image_id, path, "missing", label, edges, score))
    return doubts, len(confirmed)


def place_mistakes(images: list[tuple[int, str]], recorded: dict[int, list[tuple[int, str, Edges]]],
                   detected: dict[int, list[tuple[str, Edges, float]]], folds: int = 0) -> PlaceReport:
    """The likely missing and misplaced boxes of ``images`` (id, path), each image's recorded boxes against its
    out-of-fold detections, most doubted first."""
    report = PlaceReport(folds=folds)
    for image_id, path in images:
        boxes = recorded.get(image_id, [])
        found, confirmed = image_places(image_id, path, boxes, detected.get(image_id, []))
        report.doubts.extend(found)
        report.images += 1
        report.boxes += len(boxes)
        report.confirmed += confirmed
    report.doubts.sort(key=lambda d: (-d.doubt, d.path, d.box_id or 0, d.edges))
    return report
