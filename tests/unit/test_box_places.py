"""Likely missing and misplaced boxes from a detector's boxes (core/box_places.py), on boxes with known answers."""

from __future__ import annotations

from labelstudio_desktop.core.box_places import MISSING_SCORE, image_places, place_mistakes

CAT = (10, 10, 60, 50)  # 50 x 40


def _shifted(edges, dx, dy):
    x0, y0, x1, y1 = edges
    return (x0 + dx, y0 + dy, x1 + dx, y1 + dy)


def test_a_box_the_detector_finds_where_it_is_is_confirmed_and_nothing_is_doubted():
    doubts, confirmed = image_places(1, "a.jpg", [(7, "cat", CAT)], [("cat", _shifted(CAT, 3, 2), 0.9)])
    assert doubts == [] and confirmed == 1


def test_a_box_shifted_by_half_its_size_is_misplaced_and_the_fix_is_the_detection():
    wrong = _shifted(CAT, 25, 0)  # half its width to the right: IoU 1/3 with the cat
    doubts, confirmed = image_places(1, "a.jpg", [(7, "cat", wrong)], [("cat", CAT, 0.8)])
    assert confirmed == 0 and len(doubts) == 1
    doubt = doubts[0]
    assert (doubt.kind, doubt.box_id, doubt.edges, doubt.was, doubt.label) == ("misplaced", 7, CAT, wrong, "cat")
    assert abs(doubt.iou - 1 / 3) < 1e-9 and doubt.doubt == 0.8
    assert doubts[0].as_dict()["kind"] == "misplaced"  # no missing box as well: the detection is used up


def test_an_object_nobody_boxed_is_missing_unless_the_detection_is_unsure_or_on_a_box():
    dog = (100, 20, 150, 70)
    recorded = [(7, "cat", CAT)]
    doubts, _ = image_places(1, "a.jpg", recorded, [("cat", CAT, 0.9), ("dog", dog, 0.7)])
    assert [(d.kind, d.label, d.edges, d.box_id, d.doubt) for d in doubts] == [("missing", "dog", dog, None, 0.7)]
    unsure = image_places(1, "a.jpg", recorded, [("cat", CAT, 0.9), ("dog", dog, MISSING_SCORE - 0.01)])[0]
    assert unsure == []
    beside = _shifted(CAT, 0, 20)  # overlaps the cat at IoU 0.33 while the cat is confirmed: a duplicate, not missed
    assert image_places(1, "a.jpg", recorded, [("cat", CAT, 0.9), ("cat", beside, 0.8)])[0] == []


def test_the_report_ranks_every_image_s_doubts_and_counts_what_it_looked_at():
    dog = (100, 20, 150, 70)
    report = place_mistakes(
        [(1, "a.jpg"), (2, "b.jpg"), (3, "c.jpg")],
        {1: [(7, "cat", _shifted(CAT, 25, 25))], 2: [(8, "cat", CAT)], 3: [(9, "cat", CAT)]},
        {1: [("cat", CAT, 0.9)], 2: [("cat", CAT, 0.95), ("dog", dog, 0.6)], 3: []}, folds=3)
    assert [(d.image_id, d.kind) for d in report.doubts] == [(1, "misplaced"), (2, "missing")]  # scores 0.9, 0.6
    assert (report.images, report.boxes, report.confirmed, report.agreement) == (3, 3, 1, 1 / 3)
    assert report.as_dict()["likely"][0]["was"] == list(_shifted(CAT, 25, 25)) and report.as_dict()["folds"] == 3
