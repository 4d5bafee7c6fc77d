"""Calibrating the proposal parameters on the operator's reviewed boxes, with GPyOpt.

Tuned: the binarisation threshold, the box padding, the smallest component (with ``multi``) and the target
layer (the last convolutional layers of the classifier). Objective: the mean, over the reviewed boxes of the
chosen images, of the best IoU of a proposal with that box. Cross-validated (k folds: tuned on the others,
scored on the held-out images) so the figure reported is not the memorised one; the final parameters are
tuned on all reviewed images and stored with the classifier run, where :func:`propose` finds them.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from ..core.boxes.bayes_box import _gpyopt
from ..core.boxes.boxes import box_iou, pad_box, scale_box
from ..core.boxes.review_cost import SECONDS_METRIC, review
from ..core.images import ImageProblem, load_rgb
from ..core.jobs import JobToken
from ..core.store.runs import update_run
from ..core.store.store import Store, StoreError
from .cold_start import COLD_START, MAP_SIZE, heatmap_boxes
from .data import resize_square
from .proposal_common import ProposeReport, denormalise, load_batch, model_run, run_model
from .propose import DETECTOR_THRESHOLD, resolve_source

DEFAULTS = {"threshold": 0.3, "padding": COLD_START["padding"], "min_area": 4, "layer": 0}


@dataclass
class Calibration:
    run_id: int
    images: int
    boxes: int
    before: float  # mean best IoU with the default parameters (cross-validated folds, default params)
    after: float  # cross-validated mean best IoU with tuned parameters
    params: dict = field(default_factory=dict)
    layers: list[str] = field(default_factory=list)
    metric: str = "mean best IoU"  # what before and after measure (the detector: operator seconds per box, lower
    # is better)

    def as_json(self) -> dict:
        return {"run": self.run_id, "images": self.images, "boxes": self.boxes, "metric": self.metric,
                "before": self.before, "cross_validated_after": self.after, "params": self.params,
                "layers": self.layers}


def _conv_layers(model, count: int = 3) -> list[str]:
    names = []
    for layer in reversed(model.layers):
        out = getattr(layer, "output", None)
        if out is not None and len(out.shape) == 4 and layer.__class__.__name__ in ("Activation", "Conv2D", "ReLU"):
            names.append(layer.name)
        if len(names) == count:
            break
    return names


def _score(samples, params: dict, multi: bool) -> float:
    """Mean over reviewed boxes of the best IoU with a proposal made with ``params`` (and the cold-start levers
    that proposing uses: mirror averaging, weak regions dropped, GrabCut)."""
    scores = []
    for heatmaps, pixels, size, truth in samples:
        heat = heatmaps[int(params["layer"])]
        found = heatmap_boxes(heat, pixels, params["threshold"], "exact", multi, int(params["min_area"]),
                              keep=COLD_START["keep"], refine=COLD_START["refine"])
        boxes = [pad_box(scale_box(f.box, (MAP_SIZE, MAP_SIZE), size), params["padding"], size) for f in found]
        for t in truth:
            scores.append(max((box_iou(b, t) for b in boxes), default=0.0))
    return float(np.mean(scores)) if scores else 0.0


def _tune(samples, layers: int, multi: bool, max_iter: int, seed: int) -> dict:
    gpyopt = _gpyopt()
    domain = [{"name": "threshold", "type": "continuous", "domain": (0.05, 0.95)},
              {"name": "padding", "type": "continuous", "domain": (-0.2, 0.4)},
              {"name": "min_area", "type": "discrete", "domain": (1, 4, 16, 64)},
              {"name": "layer", "type": "discrete", "domain": tuple(range(layers))}]

    def objective(x):
        return np.array([[-_score(samples, dict(zip(("threshold", "padding", "min_area", "layer"), row,
                                                     strict=True)), multi)] for row in x])

    np.random.seed(seed)
    # the defaults and a few paddings are evaluated first: the result is never worse than what we had
    start = np.array([[DEFAULTS["threshold"], pad, DEFAULTS["min_area"], layer]
                      for pad in (0.0, 0.15, 0.3) for layer in range(layers)], dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        opt = gpyopt.methods.BayesianOptimization(f=objective, domain=domain, X=start, Y=objective(start),
                                                  initial_design_numdata=4, acquisition_type="EI",
                                                  exact_feval=True, verbosity=False)
        opt.run_optimization(max_iter=max_iter)
    best = opt.x_opt
    return {"threshold": float(best[0]), "padding": float(best[1]), "min_area": int(best[2]), "layer": int(best[3])}


def calibrate(db_path, run_id: int | None = None, multi: bool = False, folds: int = 3, max_iter: int = 15,
              seed: int = 0, job: JobToken | None = None, source: str = "auto") -> Calibration:
    """Tune the proposal parameters on the images whose boxes were reviewed: of the detector (its score
    threshold) once there is one (``source``: auto | detector | gradcam), else of a classifier's Grad-CAM."""
    from .gradcam import GradCam
    from .train import TrainError

    job = job or JobToken()
    with Store.open(db_path) as store:
        if resolve_source(store, source, run_id) == "detector":
            return calibrate_detector(store, run_id, folds, seed, job)
        run = model_run(store, run_id, "classify")
        classes, model, size = run_model(run, [])  # the size used is the model's own
        reviewed = [i for i in store.images(include_excluded=False, include_missing=False)
                    if store.boxes(i.id, states=("accepted",)) and i.label in classes]
        if len(reviewed) < 2:
            raise StoreError("calibration needs reviewed boxes on at least 2 images: accept or correct "
                             "some proposals first")
        layers = _conv_layers(model)
        if not layers:
            raise TrainError(f"model {run.model_path} (run {run.id}) has no convolutional feature map: its class "
                             "heatmaps cannot be calibrated")
        cams = [GradCam(model, name) for name in layers]
        samples = []
        job.status(f"heatmaps of {len(reviewed)} reviewed images, {len(layers)} layers")
        for n, img in enumerate(reviewed):
            job.check()
            try:
                x = resize_square(load_rgb(store.abs_path(img)), size)[None]
            except (ImageProblem, OSError):  # an image gone or damaged since: calibrated on the others
                continue
            chosen = np.array([classes.index(img.label)])
            heatmaps = [cam(x, chosen, flip=COLD_START["flip"])[0][0] for cam in cams]
            truth = [b.edges for b in store.boxes(img.id, states=("accepted",))]
            samples.append((heatmaps, x[0], (img.width, img.height), truth))
            job.progress(n + 1, len(reviewed))
        if len(samples) < 2:
            raise StoreError("calibration needs reviewed boxes on at least 2 readable images")
        rng = np.random.default_rng(seed)
        order = rng.permutation(len(samples))
        k = max(2, min(folds, len(samples)))
        parts = np.array_split(order, k)
        before, after = [], []
        for fold, held in enumerate(parts):
            job.status(f"tuning fold {fold + 1}/{k}")
            train_set = [samples[i] for i in order if i not in set(held)]
            test_set = [samples[i] for i in held]
            tuned = _tune(train_set, len(layers), multi, max_iter, seed + fold)
            before.append(_score(test_set, DEFAULTS, multi))
            after.append(_score(test_set, tuned, multi))
        job.status("tuning on all reviewed images")
        final = _tune(samples, len(layers), multi, max_iter, seed)
        final["layer_name"] = layers[final["layer"]]
        params = dict(run.params)
        params["proposal_params"] = final
        update_run(store, run.id, params=params)
        return Calibration(run.id, len(samples), sum(len(s[3]) for s in samples), float(np.mean(before)),
                           float(np.mean(after)), final, layers)


# ------------------------------------------------------------------ detector
THRESHOLDS = tuple(round(0.05 * k, 2) for k in range(1, 19))  # 0.05 .. 0.9


def _seconds(samples, threshold: float) -> float:
    """The operator's seconds per reviewed box to review the detections scoring ``threshold`` or more against the
    reviewed boxes (``core/boxes/review_cost.py``: accept, correct, reject, draw what is missed)."""
    seconds = sum(review([(k, box) for box, k, score in detections if score >= threshold], truth).seconds
                  for detections, truth in samples)
    return seconds / max(1, sum(len(truth) for _detections, truth in samples))


def _best_threshold(samples) -> float:
    """The threshold of :data:`THRESHOLDS` that costs the operator the fewest seconds (ties: nearest the default)."""
    costs = [(_seconds(samples, t), abs(t - DETECTOR_THRESHOLD)) for t in THRESHOLDS]
    return THRESHOLDS[min(range(len(THRESHOLDS)), key=lambda k: costs[k])]


def calibrate_detector(store: Store, run_id: int | None = None, folds: int = 3, seed: int = 0,
                       job: JobToken | None = None) -> Calibration:
    """The detector's score threshold that costs the operator the fewest seconds per box on the reviewed images
    (a missed object is drawn: 7 s; a wrong proposal rejected: 1 s; so the best threshold is lower than the one of
    the best F1); the default 0.3 against the tuned one, each scored on folds it was not tuned on; stored with the
    run for the next proposals. The reviewed images are those the detector trained on unless the caller hides them,
    so the figures lean optimistic."""
    from .detector import detect

    job = job or JobToken()
    run = model_run(store, run_id, "detect")
    classes, model, size = run_model(run, [])  # the size used is the model's own
    reviewed = [i for i in store.images(include_excluded=False, include_missing=False)
                if i.status == "verified" or store.boxes(i.id, states=("accepted",))]
    if len(reviewed) < 2:
        raise StoreError("calibration needs at least 2 reviewed images (verified, or with accepted boxes)")
    report = ProposeReport(run.id, "detector", min(THRESHOLDS))
    samples = []
    job.status(f"detections on {len(reviewed)} reviewed images")
    for start in range(0, len(reviewed), 32):
        job.check()
        batch, pixels = load_batch(store, reviewed[start:start + 32], size, report)
        if not batch:
            continue
        found = detect(model, np.stack(pixels), score_threshold=min(THRESHOLDS), max_boxes=100)
        for img, detections in zip(batch, found, strict=True):
            truth = [(classes.index(b.label), b.edges) for b in store.boxes(img.id, states=("accepted",))
                     if b.label in classes]
            samples.append(([(denormalise(box, img.width, img.height), k, score) for box, k, score in detections],
                            truth))
        job.progress(min(start + 32, len(reviewed)), len(reviewed))
    order = np.random.default_rng(seed).permutation(len(samples))
    parts = np.array_split(order, max(2, min(folds, len(samples))))
    before, after = [], []
    for held in parts:
        held_set = set(held.tolist())
        tuned = _best_threshold([samples[i] for i in order if i not in held_set])
        test_set = [samples[i] for i in held]
        before.append(_seconds(test_set, DETECTOR_THRESHOLD))
        after.append(_seconds(test_set, tuned))
    final = {"threshold": _best_threshold(samples)}
    params = dict(run.params)
    params["proposal_params"] = final
    update_run(store, run.id, params=params)
    return Calibration(run.id, len(samples), sum(len(s[1]) for s in samples), float(np.mean(before)),
                       float(np.mean(after)), final, [], metric=SECONDS_METRIC)
