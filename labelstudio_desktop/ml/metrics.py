"""Evaluation arithmetic in plain NumPy (no TensorFlow): confusion matrix, precision/recall, regression
errors, cut points between grades, IoU/Dice."""

from __future__ import annotations

import numpy as np


def confusion_matrix(true: np.ndarray, pred: np.ndarray, classes: int) -> np.ndarray:
    """Rows: true class, columns: predicted class."""
    m = np.zeros((classes, classes), np.int64)
    np.add.at(m, (np.asarray(true, int), np.asarray(pred, int)), 1)
    return m


def precision_recall(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per class; a class never predicted (or never present) gets 0 rather than a division by zero."""
    tp = np.diag(matrix).astype(float)
    predicted = matrix.sum(axis=0).astype(float)
    actual = matrix.sum(axis=1).astype(float)
    precision = np.divide(tp, predicted, out=np.zeros_like(tp), where=predicted > 0)
    recall = np.divide(tp, actual, out=np.zeros_like(tp), where=actual > 0)
    return precision, recall


def regression_errors(true: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    err = np.asarray(pred, float) - np.asarray(true, float)
    return {"mae": float(np.mean(np.abs(err))), "rmse": float(np.sqrt(np.mean(err ** 2)))}


def grades_with_cuts(values: np.ndarray, grades: np.ndarray, cuts: np.ndarray) -> np.ndarray:
    """Turn values into grades: grade k when cuts[k-1] <= value < cuts[k] (grades sorted ascending)."""
    return grades[np.searchsorted(cuts, np.asarray(values, float), side="right")]


def rounded_grades(values: np.ndarray, grades: np.ndarray) -> np.ndarray:
    """Plain rounding to the nearest grade."""
    values = np.asarray(values, float)
    return grades[np.abs(values[:, None] - grades[None, :]).argmin(axis=1)]


def tune_cut_points(pred: np.ndarray, true: np.ndarray, grades: np.ndarray, steps: int = 200,
                    sweeps: int = 3) -> np.ndarray:
    """Cut points between consecutive grades that maximise accuracy on (validation) predictions.

    Starts at the midpoints (plain rounding) and moves one cut at a time over a grid, keeping the order,
    a few sweeps; ties keep the cut nearest the midpoint, so little validation data cannot drag it far.
    """
    grades = np.asarray(sorted(grades), float)
    pred, true = np.asarray(pred, float), np.asarray(true, float)
    mids = (grades[:-1] + grades[1:]) / 2
    cuts = mids.copy()

    def accuracy(c):
        return float(np.mean(grades_with_cuts(pred, grades, c) == true)) if len(true) else 0.0

    for _ in range(sweeps):
        for k in range(len(cuts)):
            lo = grades[k] if k == 0 else max(grades[k], cuts[k - 1])
            hi = grades[k + 1] if k == len(cuts) - 1 else min(grades[k + 1], cuts[k + 1])
            best = (accuracy(cuts), -abs(cuts[k] - mids[k]), cuts[k])
            for value in np.linspace(lo, hi, steps):
                trial = cuts.copy()
                trial[k] = value
                score = (accuracy(trial), -abs(value - mids[k]), value)
                if score[:2] > best[:2]:
                    best = score
            cuts[k] = best[2]
    return cuts


def iou_dice(true: np.ndarray, pred: np.ndarray, threshold: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """Per image IoU and Dice of binary masks (N x H x W [x 1]); two empty masks score 1."""
    t = np.asarray(true).reshape(len(true), -1) > 0.5
    p = np.asarray(pred).reshape(len(pred), -1) > threshold
    inter = (t & p).sum(axis=1).astype(float)
    union = (t | p).sum(axis=1).astype(float)
    total = t.sum(axis=1) + p.sum(axis=1)
    iou = np.where(union > 0, inter / np.maximum(union, 1), 1.0)
    dice = np.where(total > 0, 2 * inter / np.maximum(total, 1), 1.0)
    return iou, dice
