"""The published box search: Bayesian optimisation with GPyOpt over (x_begin, x_end, y_begin, y_end).

GPyOpt 1.2.6 is archived (2020); it imports ``pkg_resources`` (setuptools < 81) and GPy, and its entropy-search
path still uses ``np.NaN`` (gone in NumPy 2). Everything that touches it stays in this one module: the import
is lazy, ``np.NaN`` is restored for it if missing, and a failed import becomes a plain :class:`BayesUnavailable`.
"""

from __future__ import annotations

import warnings

import numpy as np

from .boxes import Box, FittedBox, box_iou_with_map, summed_area

DEFAULT_MAX_ITER = 10


class BayesUnavailable(Exception):
    """GPyOpt cannot be imported here; the message says why."""


def _gpyopt():
    if not hasattr(np, "NaN"):  # NumPy 2 removed the alias GPyOpt still uses
        np.NaN = np.nan
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import GPyOpt
    except Exception as exc:  # noqa: BLE001 - its dependencies fail in several ways
        raise BayesUnavailable(
            f"GPyOpt cannot be imported ({exc.__class__.__name__}: {exc}); use --method exact") from exc
    return GPyOpt


def best_box_bayes(binary: np.ndarray, max_iter: int = DEFAULT_MAX_ITER, seed: int = 0,
                   initial_design: int = 5) -> FittedBox | None:
    """Maximise IoU(box, map) with GPyOpt as published (objective -IoU); ``max_iter`` optimisation steps
    after ``initial_design`` random boxes. The search is restricted to the map's bounding box grown by one cell (as
    the exact search is), and that bounding box is one of the initial boxes, so the result always overlaps the
    map; returns the best box evaluated."""
    b = (np.asarray(binary) > 0).astype(np.float64)
    if not b.any():
        return None
    gpyopt = _gpyopt()
    h, w = b.shape
    sat = summed_area(b)
    best: list[FittedBox] = []

    def as_box(row) -> Box | None:
        x0, x1, y0, y1 = (int(round(v)) for v in row)
        x0, x1 = max(0, min(x0, w)), max(0, min(x1, w))
        y0, y1 = max(0, min(y0, h)), max(0, min(y1, h))
        return (x0, y0, x1, y1) if x0 < x1 and y0 < y1 else None

    def objective(x: np.ndarray) -> np.ndarray:
        out = np.zeros((x.shape[0], 1))
        for n, row in enumerate(x):
            box = as_box(row)
            iou = box_iou_with_map(b, box, sat) if box else 0.0
            if box and (not best or iou > best[0].iou):
                best[:] = [FittedBox(box, iou)]
            out[n, 0] = -iou
        return out

    ys, xs = np.nonzero(b)
    left, right, top, bottom = int(xs.min()), int(xs.max()) + 1, int(ys.min()), int(ys.max()) + 1
    x_range, y_range = (max(0, left - 1), min(w, right + 1)), (max(0, top - 1), min(h, bottom + 1))
    domain = [{"name": "x_begin", "type": "continuous", "domain": x_range},
              {"name": "x_end", "type": "continuous", "domain": x_range},
              {"name": "y_begin", "type": "continuous", "domain": y_range},
              {"name": "y_end", "type": "continuous", "domain": y_range}]
    constraints = [{"name": "x_order", "constraint": "x[:,0] - x[:,1] + 1"},
                   {"name": "y_order", "constraint": "x[:,2] - x[:,3] + 1"}]
    np.random.seed(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        space = gpyopt.Design_space(domain, constraints)
        start = np.vstack([[left, right, top, bottom],
                           gpyopt.experiment_design.initial_design("random", space, max(1, initial_design - 1))])
        optimiser = gpyopt.methods.BayesianOptimization(
            f=objective, domain=domain, constraints=constraints, X=start, Y=objective(start),
            acquisition_type="EI", exact_feval=True, verbosity=False)
        optimiser.run_optimization(max_iter=max_iter)
    return best[0] if best else None
