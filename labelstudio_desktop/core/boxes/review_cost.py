"""What reviewing box proposals costs an operator: the decisions on an image's proposals given its true boxes, and
their seconds under a cost model from annotation studies. The detector's score threshold is calibrated to spend the
fewest of them (``ml/calibrate.py``); ``benchmarks/simulated_operator.py`` reviews with the same rules.

- an edge "moves" only when it is off by more than an operator would let pass: max(3 px, 5% of the true box's side
  along that axis) (:func:`edge_tolerance`);
- a proposal with IoU >= 0.7 with a true box of its label that is still unmatched is accepted as is, and so is a
  proposal of the right label whose four edges are all within tolerance;
- a proposal with IoU 0.3-0.7 with such a box is corrected: one drag per edge that moves, plus a key to change the
  label when it is wrong (a proposal of another label at IoU >= 0.3 is corrected likewise); a correction never costs
  more than rejecting the proposal and drawing the box;
- every other proposal is rejected; every true box left without a proposal is drawn and labelled.
Matching is greedy: first the proposals that can be accepted as they are (an operator shown two boxes on one
object, one of the right label, accepts that one and rejects the other), then the rest, best IoU first.
Seconds (:data:`SECONDS`): accept 1.5, reject 1.0, each moved edge 2.5, a wrong label 1.0, a box drawn by hand 7
(careful clicking; the traditional drag-and-adjust is 25-35 s per box), the next image 0.5.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .boxes import Box
from .boxes import box_iou as iou

ACCEPT_IOU = 0.7
CORRECT_IOU = 0.3
HAND_ACTIONS_PER_OBJECT = 2
REDRAW_ACTIONS = 1 + HAND_ACTIONS_PER_OBJECT  # reject the proposal, draw the box, label it
TOLERANCE_PX = 3
TOLERANCE_SHARE = 0.05
SECONDS = {"accept": 1.5, "reject": 1.0, "edge": 2.5, "label": 1.0, "draw": 7.0, "next_image": 0.5}
REDRAW_SECONDS = SECONDS["reject"] + SECONDS["draw"]
#: The name of what a calibration to these seconds measures (``ml/calibrate.py``; the app's message translates it).
SECONDS_METRIC = "operator seconds per box"


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
    pairs = []
    for i, (label, proposal) in enumerate(proposals):
        for j, (true_label, true_box) in enumerate(truth):
            value = iou(proposal, true_box)
            if value >= CORRECT_IOU:
                pairs.append((label == true_label and (value >= ACCEPT_IOU or moved_edges(proposal, true_box) == 0),
                              value, i, j))
    used_p: set[int] = set()
    used_t: set[int] = set()
    result = Review()
    for as_is, _value, i, j in sorted(pairs, reverse=True):
        if i in used_p or j in used_t:
            continue
        label, proposal = proposals[i]
        true_label, true_box = truth[j]
        same_label = label == true_label
        box, edges = corrected_box(proposal, true_box)
        if as_is:
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
