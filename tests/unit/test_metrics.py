"""Evaluation arithmetic on hand-checked cases."""

from __future__ import annotations

import numpy as np

from labelstudio_desktop.ml.metrics import (
    confusion_matrix,
    grades_with_cuts,
    iou_dice,
    precision_recall,
    regression_errors,
    rounded_grades,
    tune_cut_points,
)


def test_confusion_precision_recall_by_hand():
    true = np.array([0, 0, 0, 1, 1, 2])
    pred = np.array([0, 0, 1, 1, 2, 2])
    m = confusion_matrix(true, pred, 3)
    assert m.tolist() == [[2, 1, 0], [0, 1, 1], [0, 0, 1]]
    precision, recall = precision_recall(m)
    assert np.allclose(precision, [1.0, 0.5, 0.5])
    assert np.allclose(recall, [2 / 3, 0.5, 1.0])
    never = confusion_matrix(np.array([0, 0]), np.array([0, 0]), 2)
    assert precision_recall(never)[0].tolist() == [1.0, 0.0]


def test_regression_errors_by_hand():
    e = regression_errors(np.array([1.0, 2.0, 3.0]), np.array([2.0, 2.0, 1.0]))
    assert e["mae"] == 1.0 and np.isclose(e["rmse"], np.sqrt(5 / 3))


def test_cut_points_beat_rounding_on_a_biased_model():
    grades = np.array([1.0, 2.0, 3.0])
    true = np.repeat(grades, 20)
    pred = true + 0.45 + np.tile(np.linspace(-0.2, 0.2, 20), 3)  # biased upwards by 0.45
    cuts = tune_cut_points(pred, true, grades)
    assert np.mean(grades_with_cuts(pred, grades, cuts) == true) == 1.0
    assert np.mean(rounded_grades(pred, grades) == true) < 0.8
    assert cuts[0] < cuts[1]


def test_iou_and_dice_by_hand():
    t = np.zeros((2, 4, 4))
    p = np.zeros((2, 4, 4))
    t[0, :2, :2] = 1  # 4 pixels
    p[0, :2, :3] = 1  # 6 pixels, 4 shared
    iou, dice = iou_dice(t, p)
    assert np.isclose(iou[0], 4 / 6) and np.isclose(dice[0], 8 / 10)
    assert iou[1] == 1.0 and dice[1] == 1.0  # both empty
