"""A simulated operator reviewing box proposals against the true boxes of an image (for benchmarks/review_loop.py).

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

ACCEPT_IOU = 0.7
CORRECT_IOU = 0.3
HAND_ACTIONS_PER_OBJECT = 2
REDRAW_ACTIONS = 1 + HAND_ACTIONS_PER_OBJECT  # reject the proposal, draw the box, label it
TOLERANCE_PX = 3
TOLERANCE_SHARE = 0.05
SECONDS = {"accept": 1.5, "reject": 1.0, "edge": 2.5, "label": 1.0, "draw": 7.0, "next_image": 0.5}
REDRAW_SECONDS = SECONDS["reject"] + SECONDS["draw"]


@dataclass
class Decision:
    """What the operator did with one proposal (index into the proposals) or one missed true box."""

    kind: str  # accepted, corrected, rejected, drawn
    proposal: int | None  # index of the proposal, None for a drawn box
    truth: int | None  # index of the true box it became, None for a rejection
    actions: int
    seconds: float = 0.0
    box: tuple[str, Box] | None = None  # what the operator stored (label, edges); None for a rejection


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
        """Also counting the key that goes on to the next image: once per image, whatever came last."""
        return self.actions_with_verify + 1

    @property
    def seconds(self) -> float:
        """The operator's seconds on the image, the next-image key included."""
        return sum(d.seconds for d in self.decisions) + SECONDS["next_image"]

    def count(self, kind: str) -> int:
        return sum(d.kind == kind for d in self.decisions)


def edge_tolerance(truth: Box) -> tuple[float, float]:
    """How far (x, y) an edge may be off and still be left as it is: max(3 px, 5% of the true box's side)."""
    x0, y0, x1, y1 = truth
    return max(TOLERANCE_PX, TOLERANCE_SHARE * (x1 - x0)), max(TOLERANCE_PX, TOLERANCE_SHARE * (y1 - y0))


def corrected_box(proposal: Box, truth: Box) -> tuple[Box, int]:
    """The box the operator leaves after dragging the edges off by more than the tolerance onto the truth, and how
    many edges moved."""
    tx, ty = edge_tolerance(truth)
    edges, moved = [], 0
    for k, (p, t) in enumerate(zip(proposal, truth, strict=True)):
        if abs(p - t) > (tx if k % 2 == 0 else ty):
            edges.append(t)
            moved += 1
        else:
            edges.append(p)
    return tuple(edges), moved


def moved_edges(a: Box, b: Box) -> int:
    """How many of the four edges of proposal ``a`` the operator drags onto true box ``b`` (each is one drag)."""
    return corrected_box(a, b)[1]


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
        label, proposal = proposals[i]
        true_label, true_box = truth[j]
        same_label = label == true_label
        box, edges = corrected_box(proposal, true_box)
        if same_label and (value >= ACCEPT_IOU or edges == 0):
            result.decisions.append(Decision("accepted", i, j, 1, SECONDS["accept"], (label, proposal)))
        else:
            actions = min(max(1, edges) + (0 if same_label else 1), REDRAW_ACTIONS)
            seconds = min(SECONDS["edge"] * edges + (0 if same_label else SECONDS["label"]), REDRAW_SECONDS)
            result.decisions.append(Decision("corrected", i, j, actions, seconds, (true_label, box)))
        used_p.add(i)
        used_t.add(j)
    for i in range(len(proposals)):
        if i not in used_p:
            result.decisions.append(Decision("rejected", i, None, 1, SECONDS["reject"]))
    for j in range(len(truth)):
        if j not in used_t:
            result.decisions.append(Decision("drawn", None, j, HAND_ACTIONS_PER_OBJECT, SECONDS["draw"], truth[j]))
    return result


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
