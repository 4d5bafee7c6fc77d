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


def test_a_correction_costs_at_most_a_redraw():
    r = review([("dog", (5, 5, 95, 95))], [("cat", (0, 0, 100, 100))])  # 4 edges + label: rejected and drawn
    assert [(d.kind, d.actions) for d in r.decisions] == [("corrected", 3)]


def test_space_or_shift_space_decides_the_most_numerous_kind_with_one_key():
    truth = [("cat", (i * 100, 0, i * 100 + 50, 50)) for i in range(4)]
    right = [(label, box) for label, box in truth]
    wrong = [("cat", (0, 500 + i * 60, 50, 550 + i * 60)) for i in range(5)]
    mostly_right = review(right + wrong[:1], truth)  # Space keeps 4, X rejects 1: 2 keys instead of 5
    assert (mostly_right.actions, mostly_right.actions_with_verify) == (5, 2)
    mostly_wrong = review(right[:1] + wrong, truth[:1])  # Enter on 1, Shift+Space rejects 5: 2 keys instead of 6
    assert (mostly_wrong.actions, mostly_wrong.actions_with_verify) == (6, 2)
    assert review(right[:1], truth[:1]).actions_with_verify == 1  # one decision: Space is no cheaper than Enter
    assert review([], truth).actions_with_verify == 8  # nothing to decide: drawing only


def test_going_on_to_the_next_image_is_counted_on_both_sides():
    from simulated_operator import hand_actions_with_navigation

    truth = [("cat", (0, 0, 50, 50)), ("cat", (100, 0, 150, 50))]
    assert hand_actions_with_navigation(len(truth)) == 5  # draw + label twice, then the next image
    assert review([], truth).actions_with_navigation == 5  # nothing proposed: the same as by hand
    assert review(truth, truth).actions_with_navigation == 1  # Space keeps both and goes on
    assert review(truth[:1], truth).actions_with_navigation == 3  # Enter (goes on after its drawn box) + draw
