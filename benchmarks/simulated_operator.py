"""A simulated operator reviewing box proposals against the true boxes of an image (for benchmarks/review_loop.py).

The operator's rules (issue 10):
- a proposal with IoU >= 0.7 with a true box of its label that is still unmatched is accepted as is (1 action);
- a proposal with IoU 0.3-0.7 with such a box is corrected to it: one action per edge that moves, plus one to
  change the label when it is wrong (a proposal of another label at IoU >= 0.3 is corrected likewise);
- every other proposal is rejected (1 action);
- every true box left without a proposal is drawn (1 action) and labelled (1 action).
Drawing every box by hand costs 2 actions per object (and one key per image to go on, which
``hand_actions_with_navigation`` and ``Review.actions_with_navigation`` count). Matching is greedy, best IoU first.

A correction never costs more than rejecting the proposal and drawing the box (3 actions). The app also decides
all the proposals left on an image with one key: Space verifies the image keeping them (accepted), Shift+Space
rejecting them. ``Review.actions`` counts one key per decision; ``Review.actions_with_verify`` lets the operator
use whichever of the three ways costs least on the image (they can see which one: most proposals are right, or
most are wrong).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from labelstudio_desktop.core.boxes import Box
from labelstudio_desktop.core.boxes import box_iou as iou

ACCEPT_IOU = 0.7
CORRECT_IOU = 0.3
HAND_ACTIONS_PER_OBJECT = 2
REDRAW_ACTIONS = 1 + HAND_ACTIONS_PER_OBJECT  # reject the proposal, draw the box, label it

@dataclass
class Decision:
    """What the operator did with one proposal (index into the proposals) or one missed true box."""

    kind: str  # accepted, corrected, rejected, drawn
    proposal: int | None  # index of the proposal, None for a drawn box
    truth: int | None  # index of the true box it became, None for a rejection
    actions: int


@dataclass
class Review:
    decisions: list[Decision] = field(default_factory=list)

    @property
    def actions(self) -> int:
        return sum(d.actions for d in self.decisions)

    @property
    def actions_with_verify(self) -> int:
        """Space (keep the rest) or Shift+Space (reject the rest) replaces the most numerous of the two decisions."""
        bulk = max(self.count("accepted"), self.count("rejected"))
        return min(self.actions, self.actions - bulk + 1) if bulk else self.actions

    @property
    def actions_with_navigation(self) -> int:
        """Also counting the key that goes on to the next image, as drawing by hand must (D or Space): the review
        needs it only when the image had no proposal; otherwise its last key (Enter or X on the last proposal,
        Space or Shift+Space) already goes on."""
        proposals = sum(d.proposal is not None for d in self.decisions)
        return self.actions_with_verify + (0 if proposals else 1)

    def count(self, kind: str) -> int:
        return sum(d.kind == kind for d in self.decisions)


def moved_edges(a: Box, b: Box) -> int:
    """How many of the four edges differ (each is one drag for the operator)."""
    return sum(x != y for x, y in zip(a, b, strict=True))


def review(proposals: list[tuple[str, Box]], truth: list[tuple[str, Box]]) -> Review:
    """The operator's decisions on an image's proposals, given its true boxes (label, box)."""
    pairs = sorted(((iou(p, t), i, j) for i, (_pl, p) in enumerate(proposals) for j, (_tl, t) in enumerate(truth)),
                   reverse=True)
    used_p: set[int] = set()
    used_t: set[int] = set()
    result = Review()
    for value, i, j in pairs:
        if value < CORRECT_IOU:
            break
        if i in used_p or j in used_t:
            continue
        same_label = proposals[i][0] == truth[j][0]
        if value >= ACCEPT_IOU and same_label:
            result.decisions.append(Decision("accepted", i, j, 1))
        else:
            edges = moved_edges(proposals[i][1], truth[j][1])
            actions = min(max(1, edges) + (0 if same_label else 1), REDRAW_ACTIONS)
            result.decisions.append(Decision("corrected", i, j, actions))
        used_p.add(i)
        used_t.add(j)
    for i in range(len(proposals)):
        if i not in used_p:
            result.decisions.append(Decision("rejected", i, None, 1))
    for j in range(len(truth)):
        if j not in used_t:
            result.decisions.append(Decision("drawn", None, j, HAND_ACTIONS_PER_OBJECT))
    return result


def hand_actions_with_navigation(objects: int) -> int:
    """Drawing an image's boxes by hand, then the key to the next image."""
    return HAND_ACTIONS_PER_OBJECT * objects + 1


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
