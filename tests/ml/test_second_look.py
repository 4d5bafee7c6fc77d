"""What the proposals keep of a detector's detections (ml/second_look.py): one box per place whatever its class, and
after the second look no box where the box classifier sees no object, but for the image's best."""

from __future__ import annotations

import pytest

from labelstudio_desktop.ml.second_look import SAME_PLACE_IOU, _shown, one_per_place

pytestmark = pytest.mark.timeout(60)

BOARD = (0.30, 0.30, 0.60, 0.55)


def test_boxes_of_other_classes_at_the_place_of_a_better_one_are_left_out():
    nearly = (0.31, 0.30, 0.60, 0.56)  # IoU 0.93 with the board: the same box to the operator
    beside = (0.62, 0.30, 0.80, 0.55)
    overlapping = (0.40, 0.30, 0.70, 0.55)  # IoU 0.50: another object partly over it, as fanned cards
    found = [(BOARD, 0, 0.48), (nearly, 1, 0.39), (beside, 2, 0.30), (overlapping, 1, 0.25), (nearly, 0, 0.20)]
    assert one_per_place(found) == [found[0], found[2], found[3]]
    assert one_per_place(found[1:2]) == found[1:2] and one_per_place([]) == []
    assert 0.5 < SAME_PLACE_IOU <= 0.7


def test_after_the_look_a_box_of_no_object_is_left_out_unless_it_is_the_images_best():
    part = (0.05, 0.05, 0.12, 0.10)  # a chip on the desk
    detections = [[(BOARD, 0, 0.40), (part, 1, 0.18)], [(part, 1, 0.13)], [(BOARD, 0, 0.5)]]
    looks = [[((BOARD, 0, 0.40), (BOARD, 2, 0.40), False), ((part, 1, 0.18), (part, 1, 0.18), True)],
             [((part, 1, 0.13), (part, 0, 0.13), True)],  # the photo's only box: a guess the operator judges
             None]  # not looked at: as the detector found it
    edges, classed = _shown(detections, looks)
    assert edges == [[(BOARD, 0, 0.40)], [(part, 1, 0.13)], [(BOARD, 0, 0.5)]]
    assert classed == [[(BOARD, 2, 0.40)], [(part, 0, 0.13)], [(BOARD, 0, 0.5)]]
