"""Ridge regression in closed form, in its dual form: as many unknowns as samples, not as features (a few thousand
cuts of tens of thousands of features each). The box refinement (``refine.py``) and the box classes
(``box_classes.py``) are fitted with it."""

from __future__ import annotations

import numpy as np


def fit_ridge(x: np.ndarray, y: np.ndarray, penalty: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The features' mean, the weights (features x targets) and the targets' mean of a ridge regression from the
    rows of ``x`` (float32; centred in place, to spare a copy of it) to those of ``y``; ``penalty`` is a share of the
    features' mean squared length. A prediction is ``(features - mean) @ weights + target mean``."""
    mean, target_mean = x.mean(axis=0), y.mean(axis=0)
    x -= mean
    gram = (x @ x.T).astype(np.float64)
    scaled = penalty * float(np.trace(gram)) / len(gram)
    dual = np.linalg.solve(gram + scaled * np.eye(len(gram)), (y - target_mean).astype(np.float64))
    return mean, x.T @ dual.astype(np.float32), target_mean
