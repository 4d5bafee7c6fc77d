"""What the operator's review says about new proposals: the rules every proposal round obeys.

- Verified images get no proposals (unless asked for): the operator has said the image is done.
- A proposal never lands on an accepted box of the same label (IoU >= 0.5): that object is labelled already.
- A box the operator rejected is never proposed again (IoU >= 0.5 with a rejected box of the same label).
- Within one round, proposals of the same label that overlap as much are duplicates: the best scored one stays.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..boxes.boxes import Box, box_iou
from ..store.store import BoxRecord, Store

SAME_OBJECT_IOU = 0.5
#: Image classes that mean "no object here": such an image gets no proposal, and its class is no box label.
BACKGROUND_CLASSES = {"empty", "background", "none", "negative", "nothing"}


def is_background(label: str | None) -> bool:
    return bool(label) and label.lower() in BACKGROUND_CLASSES


@dataclass
class Candidate:
    """A box a model proposes for one image, before the review rules."""

    label: str
    box: Box
    score: float
    map_iou: float | None = None  # Grad-CAM: IoU of the box with the binary map it was fitted to


@dataclass
class Review:
    """The reviewed boxes of one image, by label."""

    accepted: dict[str, list[Box]]
    rejected: dict[str, list[Box]]

    @classmethod
    def of(cls, boxes: Iterable[BoxRecord]) -> Review:
        review = cls({}, {})
        for b in boxes:
            if b.state in ("accepted", "rejected"):
                getattr(review, b.state).setdefault(b.label, []).append(b.edges)
        return review


def why_dropped(candidate: Candidate, review: Review, iou: float = SAME_OBJECT_IOU) -> str | None:
    """Why review rules out ``candidate`` ("accepted" or "rejected"), or None when it may be proposed."""
    for state in ("accepted", "rejected"):
        boxes = getattr(review, state).get(candidate.label, [])
        if any(box_iou(candidate.box, b) >= iou for b in boxes):
            return state
    return None


def remembered(candidates: list[Candidate], review: Review, iou: float = SAME_OBJECT_IOU
               ) -> tuple[list[Candidate], dict[str, int]]:
    """The candidates that review allows, best score first and without duplicates of each other, and how many
    were dropped for each reason (``accepted``, ``rejected``, ``duplicate``)."""
    kept: list[Candidate] = []
    dropped = {"accepted": 0, "rejected": 0, "duplicate": 0}
    for c in sorted(candidates, key=lambda c: -c.score):
        reason = why_dropped(c, review, iou)
        if reason is None and any(k.label == c.label and box_iou(k.box, c.box) >= iou for k in kept):
            reason = "duplicate"
        if reason is None:
            kept.append(c)
        else:
            dropped[reason] += 1
    return kept, dropped


def review_of(store: Store, image_id: int) -> Review:
    """The accepted and rejected boxes of an image in the store."""
    return Review.of(store.boxes(image_id, states=("accepted", "rejected")))
