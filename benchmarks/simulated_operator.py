"""A simulated operator reviewing box proposals against the true boxes of an image (for benchmarks/review_loop.py).

Its rules and seconds are the app's own (``core/boxes/review_cost.py``, re-exported here: the detector's score
threshold is calibrated to spend the fewest seconds under them); this module adds the counts a benchmark reports.

The operator's rules (issue 10, made honest in issue 20):
- an edge "moves" only when it is off by more than an operator would let pass: max(3 px, 5% of the true box's
  side along that axis) (:func:`edge_tolerance`); within that, the operator leaves it where the proposal put it;
- a proposal with IoU >= 0.7 with a true box of its label that is still unmatched is accepted as is (1 action),
  and so is a proposal of the right label whose four edges are all within tolerance;
- a proposal with IoU 0.3-0.7 with such a box is corrected: one action per edge that moves, plus one to change the
  label when it is wrong (a proposal of another label at IoU >= 0.3 is corrected likewise); a correction never
  costs more than rejecting the proposal and drawing the box (actions and seconds);
- every other proposal is rejected (1 action);
- every true box left without a proposal is drawn (1 action) and labelled (1 action).
- What is stored is what the operator accepted: the proposal's own edges when accepted as is, the proposal's edges
  within tolerance and the true edges where the operator dragged them when corrected, the true box when drawn
  (``Decision.box``). The truth never leaks into the store through an accepted proposal.
- The key to the next image is counted once per image, on both sides (review and drawing by hand), whatever the
  operator did last on the image.
Drawing every box by hand costs 2 actions per object, plus the next-image key per image. Matching is greedy, best
IoU first.

The app also decides all the proposals left on an image with one key: Space verifies the image keeping them
(accepted), Shift+Space rejecting them. ``Review.actions`` counts one key per decision; ``Review.actions_with_verify``
lets the operator use whichever of the three ways costs least on the image.

Seconds follow a cost model from annotation studies (:data:`SECONDS`): accept 1.5 s, reject 1.0 s, each moved edge
of a correction 2.5 s, a wrong label 1.0 s (a key), a box drawn by hand 7 s (careful clicking; the traditional
drag-and-adjust is 25-35 s per box), the next image 0.5 s. A correction costs at most reject + draw (8 s). Seconds
do not shrink with Space/Shift+Space: the operator still looks at every proposal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from labelstudio_desktop.core.boxes.boxes import Box
from labelstudio_desktop.core.boxes.boxes import box_iou as iou
from labelstudio_desktop.core.boxes.review_cost import (  # noqa: F401 - the operator's rules, re-exported
    ACCEPT_IOU,
    CORRECT_IOU,
    HAND_ACTIONS_PER_OBJECT,
    REDRAW_ACTIONS,
    REDRAW_SECONDS,
    SECONDS,
    TOLERANCE_PX,
    TOLERANCE_SHARE,
    Decision,
    Review,
    corrected_box,
    edge_tolerance,
    moved_edges,
    review,
)


def hand_actions_with_navigation(objects: int) -> int:
    """Drawing an image's boxes by hand, then the key to the next image."""
    return HAND_ACTIONS_PER_OBJECT * objects + 1


def hand_seconds(objects: int) -> float:
    """Seconds to draw an image's boxes by hand, then go on to the next image."""
    return SECONDS["draw"] * objects + SECONDS["next_image"]


@dataclass
class Quality:
    """Proposals against true boxes over many images."""

    best_ious: list[float] = field(default_factory=list)  # per true box: best IoU with a proposal of its label
    true_positives: int = 0  # proposals matched one-to-one to a true box of their label at IoU >= 0.5
    proposals: int = 0
    objects: int = 0

    def add(self, proposals: list[tuple[str, Box]], truth: list[tuple[str, Box]]) -> None:
        self.proposals += len(proposals)
        self.objects += len(truth)
        for label, t in truth:
            self.best_ious.append(max((iou(p, t) for pl, p in proposals if pl == label), default=0.0))
        pairs = sorted(((iou(p, t), i, j) for i, (pl, p) in enumerate(proposals) for j, (tl, t) in enumerate(truth)
                        if pl == tl), reverse=True)
        used_p, used_t = set(), set()
        for value, i, j in pairs:
            if value < 0.5:
                break
            if i not in used_p and j not in used_t:
                used_p.add(i)
                used_t.add(j)
        self.true_positives += len(used_p)

    @property
    def mean_best_iou(self) -> float:
        return sum(self.best_ious) / len(self.best_ious) if self.best_ious else 0.0

    @property
    def precision(self) -> float:
        return self.true_positives / self.proposals if self.proposals else 0.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.objects if self.objects else 0.0


def centre_box(width: int, height: int, fraction: float = 0.7) -> Box:
    """The fixed baseline: a box over the central ``fraction`` of the image."""
    mx, my = width * (1 - fraction) / 2, height * (1 - fraction) / 2
    return (round(mx), round(my), round(width - mx), round(height - my))
