"""Box fitting: the exact search is the optimum (checked by brute force), bayes gives a valid box, components."""

from __future__ import annotations

import numpy as np
import pytest

from labelstudio_desktop.core.boxes.boxes import (
    best_box_brute_force,
    best_box_exact,
    box_iou,
    box_iou_with_map,
    component_boxes,
    pad_box,
    scale_box,
)


@pytest.mark.parametrize("seed", range(40))
def test_exact_is_the_brute_force_optimum(seed):
    rng = np.random.default_rng(seed)
    h, w = rng.integers(2, 11, 2)
    m = np.zeros((h, w), bool)
    y0, x0 = rng.integers(0, h), rng.integers(0, w)
    m[y0:y0 + rng.integers(1, 6), x0:x0 + rng.integers(1, 6)] = True
    m ^= rng.random((h, w)) < rng.uniform(0, 0.3)
    exact, brute = best_box_exact(m), best_box_brute_force(m)
    if brute is None:
        assert exact is None
    else:
        assert exact.iou == pytest.approx(brute.iou, abs=1e-12)
        assert box_iou_with_map(m, exact.box) == pytest.approx(exact.iou)


def test_hand_made_maps():
    m = np.zeros((8, 8), bool)
    m[2:5, 3:7] = True
    assert best_box_exact(m).box == (3, 2, 7, 5) and best_box_exact(m).iou == 1.0
    m[0, 0] = True  # a stray pixel far away does not drag the box
    assert best_box_exact(m).box == (3, 2, 7, 5)
    assert best_box_exact(np.zeros((4, 4), bool)) is None


def test_components_find_separate_objects():
    m = np.zeros((20, 20), bool)
    m[1:4, 1:5] = True
    m[10:18, 12:19] = True
    m[19, 0] = True  # below min_area
    boxes = component_boxes(m, min_area=2)
    assert [b.box for b in boxes] == [(1, 1, 5, 4), (12, 10, 19, 18)]


def test_geometry():
    assert scale_box((0, 0, 32, 32), (64, 64), (200, 100)) == (0, 0, 100, 50)
    assert scale_box((63, 63, 64, 64), (64, 64), (10, 10)) == (9, 9, 10, 10)
    assert pad_box((10, 10, 20, 20), 0.1, (100, 100)) == (9, 9, 21, 21)
    assert box_iou((0, 0, 10, 10), (5, 0, 15, 10)) == pytest.approx(1 / 3)


def test_bayes_returns_a_valid_box():
    from labelstudio_desktop.core.boxes.bayes_box import best_box_bayes

    m = np.zeros((16, 16), bool)
    m[4:10, 5:12] = True
    fitted = best_box_bayes(m, max_iter=3, initial_design=4)
    x0, y0, x1, y1 = fitted.box
    assert 0 <= x0 < x1 <= 16 and 0 <= y0 < y1 <= 16
    assert 0 < fitted.iou <= best_box_exact(m).iou
