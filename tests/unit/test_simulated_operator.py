"""The simulated operator of benchmarks/review_loop.py: its figures are only as right as its rules."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from simulated_operator import SECONDS, Quality, centre_box, hand_seconds, review  # noqa: E402


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
    r = review([("dog", (20, 20, 80, 80))], [("cat", (0, 0, 100, 100))])  # 4 edges + label: rejected and drawn
    assert [(d.kind, d.actions) for d in r.decisions] == [("corrected", 3)]
    assert r.decisions[0].seconds == SECONDS["reject"] + SECONDS["draw"]  # not 4 x 2.5 + 1 s


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
    assert review(truth, truth).actions_with_navigation == 2  # Space keeps both, then the next image
    assert review(truth[:1], truth).actions_with_navigation == 4  # Enter, draw + label, then the next image
    moved = [("cat", (0, 0, 50, 30)), ("cat", (100, 0, 150, 50))]  # one edge of the first corrected
    assert review(moved, truth).actions_with_navigation == 3  # drag, Enter on the other, then the next image


def test_a_proposal_accepted_as_is_is_stored_with_its_own_edges():
    truth = [("cat", (0, 0, 100, 100))]
    proposal = ("cat", (0, 0, 100, 90))  # IoU 0.9: accepted as is, the bottom edge 10 px off stays where it is
    [decision] = review([proposal], truth).decisions
    assert decision.kind == "accepted" and decision.box == proposal


def test_a_correction_stores_the_dragged_edges_and_keeps_the_rest():
    truth = [("cat", (0, 0, 100, 100))]
    [decision] = review([("cat", (2, 0, 100, 50))], truth).decisions  # IoU 0.49; left edge 2 px off: left as is
    assert (decision.kind, decision.actions, decision.box) == ("corrected", 1, ("cat", (2, 0, 100, 100)))


def test_a_correction_within_tolerance_counts_as_accepted_as_is():
    truth = [("cat", (100, 100, 300, 300))]  # 5% of a 200 px side: 10 px
    proposals = [("cat", (92, 108, 309, 291))]  # every edge within 10 px
    r = review(proposals, truth)
    assert [(d.kind, d.actions, d.box) for d in r.decisions] == [("accepted", 1, proposals[0])]
    small = review([("cat", (2, 3, 9, 9))], [("cat", (0, 0, 10, 10))])  # IoU 0.42, but every edge within 3 px
    assert [d.kind for d in small.decisions] == ["accepted"]
    off = review([("cat", (0, 0, 10, 6))], [("cat", (0, 0, 10, 10))])  # 4 px off: dragged
    assert [(d.kind, d.actions) for d in off.decisions] == [("corrected", 1)]


def test_the_next_image_key_is_counted_once_per_image_whenever_the_operator_moves_on():
    truth = [("cat", (0, 0, 50, 50))]
    for proposals in ([], truth, [("cat", (0, 0, 50, 20))], [("cat", (300, 300, 320, 320))]):
        r = review(proposals, truth)  # nothing, accepted, corrected, rejected + drawn
        assert r.actions_with_navigation == r.actions_with_verify + 1
        assert r.seconds == sum(d.seconds for d in r.decisions) + SECONDS["next_image"]


def test_seconds_follow_the_cost_model():
    assert SECONDS == {"accept": 1.5, "reject": 1.0, "edge": 2.5, "label": 1.0, "draw": 7.0, "next_image": 0.5}
    truth = [("cat", (0, 0, 100, 100)), ("cat", (200, 0, 300, 100)), ("dog", (400, 0, 500, 100))]
    proposals = [("cat", (0, 0, 100, 100)),  # accepted: 1.5
                 ("cat", (200, 0, 300, 40)),  # one edge dragged: 2.5
                 ("cat", (700, 700, 720, 720))]  # rejected: 1.0; the dog is drawn: 7.0
    r = review(proposals, truth)
    assert sorted((d.kind, d.seconds) for d in r.decisions) == [
        ("accepted", 1.5), ("corrected", 2.5), ("drawn", 7.0), ("rejected", 1.0)]
    assert r.seconds == 1.5 + 2.5 + 1.0 + 7.0 + 0.5
    assert hand_seconds(3) == 3 * 7.0 + 0.5
    relabel = review([("dog", (0, 0, 100, 100))], truth[:1])
    assert [(d.kind, d.seconds) for d in relabel.decisions] == [("corrected", 1.0)]


def test_of_two_proposals_on_one_object_the_one_of_its_label_is_accepted_and_the_other_rejected():
    truth = [("king", (10, 10, 50, 80))]
    tighter_but_wrong = ("queen", (10, 10, 50, 80))
    right = ("king", (11, 11, 50, 79))  # within tolerance, a lower IoU
    result = review([tighter_but_wrong, right], truth)
    assert [(d.kind, d.proposal) for d in result.decisions] == [("accepted", 1), ("rejected", 0)]
    result = review([("queen", (10, 10, 50, 80)), ("king", (10, 40, 50, 120))], truth)  # nothing acceptable
    assert [(d.kind, d.proposal) for d in result.decisions] == [("corrected", 0), ("rejected", 1)]
