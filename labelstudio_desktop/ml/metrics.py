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


# ---------------------------------------------------------------- detection
def box_ious(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU matrix of boxes ``a`` (N, 4) against ``b`` (M, 4), ``(x0, y0, x1, y1)`` rows."""
    a = np.asarray(a, float).reshape(-1, 4)
    b = np.asarray(b, float).reshape(-1, 4)
    w = np.clip(np.minimum(a[:, None, 2], b[None, :, 2]) - np.maximum(a[:, None, 0], b[None, :, 0]), 0, None)
    h = np.clip(np.minimum(a[:, None, 3], b[None, :, 3]) - np.maximum(a[:, None, 1], b[None, :, 1]), 0, None)
    inter = w * h
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    union = area_a[:, None] + area_b[None, :] - inter
    return np.where(union > 0, inter / np.maximum(union, 1e-12), 0.0)


def match_boxes(true_boxes, true_labels, pred_boxes, pred_labels, pred_scores,
                iou: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """Greedy matching of one image, best score first, within each class: a prediction is a true positive when it
    overlaps a not yet matched true box of its class at IoU >= ``iou``.

    Returns (true-positive flag per prediction, best IoU of each true box with a prediction of its class)."""
    true_boxes, pred_boxes = np.asarray(true_boxes, float).reshape(-1, 4), np.asarray(pred_boxes, float).reshape(-1, 4)
    true_labels, pred_labels = np.asarray(true_labels, int), np.asarray(pred_labels, int)
    ious = box_ious(pred_boxes, true_boxes) * (pred_labels[:, None] == true_labels[None, :])
    best = ious.max(axis=0) if len(pred_boxes) else np.zeros(len(true_boxes))
    hit = np.zeros(len(pred_boxes), bool)
    taken = np.zeros(len(true_boxes), bool)
    for p in np.argsort(-np.asarray(pred_scores, float), kind="stable"):
        candidates = np.where(taken, -1.0, ious[p])
        if len(candidates) and candidates.max() >= iou:
            t = int(candidates.argmax())
            taken[t] = hit[p] = True
    return hit, best


def average_precision(scores: np.ndarray, hits: np.ndarray, positives: int) -> float:
    """Area under the precision-recall curve (all points, precision made monotonic, as Pascal VOC since 2010)."""
    if positives == 0:
        return 0.0
    order = np.argsort(-np.asarray(scores, float), kind="stable")
    hits = np.asarray(hits, bool)[order]
    tp = np.cumsum(hits)
    precision = tp / np.arange(1, len(hits) + 1)
    recall = tp / positives
    precision = np.concatenate([[0.0], precision, [0.0]])
    recall = np.concatenate([[0.0], recall, [recall[-1] if len(recall) else 0.0]])
    precision = np.maximum.accumulate(precision[::-1])[::-1]
    return float(np.sum((recall[1:] - recall[:-1]) * precision[1:]))


def labelled_f1(samples) -> tuple[float, int, int, int]:
    """F1 at IoU 0.5 of proposals against reviewed boxes, labels compared as text: ``samples`` holds per image
    ``(truth, predicted)``, truth as ``[(label, box)]``, predicted as ``[(label, box, score)]``. Returns
    (F1, true positives, proposals, reviewed boxes); F1 is 0 when both are empty."""
    names: dict[str, int] = {}
    tp = predicted = positives = 0
    for truth, found in samples:
        ids = [names.setdefault(label, len(names)) for label, _box in truth]
        pred_ids = [names.setdefault(label, len(names)) for label, _box, _score in found]
        hits, _best = match_boxes([box for _label, box in truth], ids, [box for _l, box, _s in found], pred_ids,
                                  [score for _l, _b, score in found])
        tp += int(np.sum(hits))
        predicted += len(found)
        positives += len(truth)
    total = predicted + positives
    return (2 * tp / total if total else 0.0), tp, predicted, positives
