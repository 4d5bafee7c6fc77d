"""The simulated operator of benchmarks/review_loop.py: its figures are only as right as its rules."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from simulated_operator import Quality, centre_box, review  # noqa: E402


def test_accept_correct_reject_and_draw():
    truth = [("cat", (0, 0, 100, 100)), ("cat", (200, 200, 300, 300)), ("dog", (400, 0, 500, 100))]
    proposals = [("cat", (0, 0, 100, 90)),  # IoU 0.9: accepted
                 ("cat", (200, 200, 260, 300)),  # IoU 0.6: corrected, one edge moves
                 ("cat", (600, 600, 650, 650)),  # nothing there: rejected
                 ("cat", (1, 1, 101, 91))]  # a duplicate of the first: its object is taken, rejected
    r = review(proposals, truth)
    assert {(d.kind, d.proposal, d.truth, d.actions) for d in r.decisions} == {
        ("accepted", 0, 0, 1), ("corrected", 1, 1, 1), ("rejected", 2, None, 1), ("rejected", 3, None, 1),
        ("drawn", None, 2, 2)}
    assert r.actions == 6 and r.count("accepted") == 1


def test_a_wrong_label_is_a_correction_with_one_more_action():
    r = review([("dog", (0, 0, 100, 100))], [("cat", (0, 0, 100, 100))])
    assert [(d.kind, d.actions) for d in r.decisions] == [("corrected", 2)]  # no edge moves: relabel only + 1


def test_no_proposals_costs_what_drawing_by_hand_costs():
    truth = [("cat", (0, 0, 10, 10))] * 3
    assert review([], truth).actions == 6


def test_quality_precision_recall_and_best_iou():
    q = Quality()
    q.add([("cat", (0, 0, 10, 10)), ("cat", (0, 0, 10, 9)), ("dog", (50, 50, 60, 60))],
          [("cat", (0, 0, 10, 10)), ("dog", (100, 100, 110, 110))])
    assert (q.true_positives, q.proposals, q.objects) == (1, 3, 2)
    assert q.precision == 1 / 3 and q.recall == 0.5 and q.mean_best_iou == 0.5


def test_centre_box():
    assert centre_box(100, 200) == (15, 30, 85, 170)
