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
from pathlib import Path

import numpy as np

from ..core.boxes.bayes_box import _gpyopt
from ..core.boxes.boxes import box_iou, pad_box, scale_box
from ..core.boxes.review_cost import SECONDS_METRIC, review
from ..core.images import ImageProblem, load_rgb
from ..core.jobs import JobToken
from ..core.store.runs import held_out_images, update_run
from ..core.store.store import Store, StoreError
from .cold_start import COLD_START, MAP_SIZE, heatmap_boxes
from .config import trained_boxes
from .data import class_per_image, resize_square
from .proposal_common import ProposeReport, image_class, load_batch, model_run, run_model
from .propose import DETECTOR_THRESHOLD, as_proposed, before_the_look, default_detector_threshold, resolve_source

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
    default: float | None = None  # the detector: the threshold ``before`` was measured at (its default)
    unseen: bool = False  # the detector: calibrated on reviewed images it did not train on alone

    def as_json(self) -> dict:
        return {"run": self.run_id, "images": self.images, "boxes": self.boxes, "metric": self.metric,
                "before": self.before, "cross_validated_after": self.after, "params": self.params,
                "layers": self.layers, "default": self.default, "unseen": self.unseen}


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
#: A detector is calibrated on the reviewed images it did not train on once there are this many of them (a detector
#: scores its own training images higher, so a threshold chosen on them is too high for new ones); before, on every
#: reviewed image, and the calibration says so.
MIN_UNSEEN = 5


def _seconds(costs: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """Operator seconds per reviewed box at each threshold, from each image's seconds at each threshold
    (``costs``: thresholds x images) and its reviewed boxes."""
    return costs.sum(axis=1) / max(1, int(boxes.sum()))


def _best_threshold(costs: np.ndarray, boxes: np.ndarray, default: float = DETECTOR_THRESHOLD) -> float:
    """The threshold of :data:`THRESHOLDS` that costs the operator the fewest seconds on these images (ties: nearest
    the ``default``)."""
    seconds = _seconds(costs, boxes)
    return THRESHOLDS[min(range(len(THRESHOLDS)), key=lambda k: (seconds[k], abs(THRESHOLDS[k] - default)))]


def calibrate_detector(store: Store, run_id: int | None = None, folds: int = 3, seed: int = 0,
                       job: JobToken | None = None, unseen: list | None = None) -> Calibration:
    """The detector's score threshold that costs the operator the fewest seconds per box on the reviewed images
    (a missed object is drawn: 7 s; a wrong proposal rejected: 1 s; so the best threshold is lower than the one of
    the best F1), reviewing what the proposals would show at each threshold: best guesses, the second look's edges
    and classes, the image's class under the class prior (:func:`review_at_thresholds`); the default against the
    tuned one, each scored on folds it was not tuned on; stored with the run for the next proposals. The images are
    the reviewed ones the detector did not train on (``runs.held_out_images``; ``unseen``: those, when the caller
    has them already) once there are :data:`MIN_UNSEEN` of them; before, every reviewed image (the figures then
    lean optimistic)."""
    job = job or JobToken()
    run = model_run(store, run_id, "detect")
    reviewed = held_out_images(store, run) if unseen is None else unseen
    on_unseen = len(reviewed) >= MIN_UNSEEN
    if not on_unseen:
        reviewed = [i for i in store.images(include_excluded=False, include_missing=False)
                    if i.status == "verified" or store.boxes(i.id, states=("accepted",))]
    if len(reviewed) < 2:
        raise StoreError("calibration needs at least 2 reviewed images (verified, or with accepted boxes)")
    job.status(f"detections on {len(reviewed)} reviewed images")
    costs, boxes = review_at_thresholds(store, run, reviewed, job)
    order = np.random.default_rng(seed).permutation(costs.shape[1])
    parts = np.array_split(order, max(2, min(folds, costs.shape[1])))
    before, after = [], []
    default = default_detector_threshold(trained_boxes(run.params))
    for held in parts:
        rest = np.setdiff1d(order, held)
        tuned = THRESHOLDS.index(_best_threshold(costs[:, rest], boxes[rest], default))
        scored = _seconds(costs[:, held], boxes[held])
        before.append(scored[THRESHOLDS.index(default)])
        after.append(scored[tuned])
    final = {"threshold": _best_threshold(costs, boxes, default)}
    params = dict(run.params)
    params["proposal_params"] = final
    update_run(store, run.id, params=params)
    return Calibration(run.id, costs.shape[1], int(boxes.sum()), float(np.mean(before)), float(np.mean(after)),
                       final, [], metric=SECONDS_METRIC, default=default, unseen=on_unseen)


def review_at_thresholds(store: Store, run, images: list, job: JobToken) -> tuple[np.ndarray, np.ndarray]:
    """The operator's seconds on each readable image of ``images`` (thresholds x images) reviewing, against its
    accepted boxes, the detector ``run``'s proposals at each threshold of :data:`THRESHOLDS`, as ``propose`` would
    make them (:meth:`.second_look.SecondLook.at_thresholds`); and each image's accepted boxes (of the run's
    classes)."""
    from .detector import predict
    from .second_look import BEST_GUESS_FLOOR, SecondLook, kept_detections

    classes, model, size = run_model(run, [])  # the size used is the model's own
    look = SecondLook.of_run(Path(run.model_path).parent)
    prior = class_per_image(store)
    report = ProposeReport(run.id, "detector", min(THRESHOLDS))
    costs, counts = [], []
    for start in range(0, len(images), 32):
        job.check()
        batch, pixels = load_batch(store, images[start:start + 32], size, report)
        if not batch:
            continue
        found = kept_detections(predict(model, np.stack(pixels)), min(min(THRESHOLDS), BEST_GUESS_FLOOR))
        labels = [image_class(img, prior) for img in batch]
        photos = [(store.abs_path(img), (img.width, img.height)) for img in batch]
        shown = look.at_thresholds(classes, photos, [before_the_look(f, label)
                                                     for f, label in zip(found, labels, strict=True)], THRESHOLDS)
        for n, (img, label) in enumerate(zip(batch, labels, strict=True)):
            truth = [(b.label, b.edges) for b in store.boxes(img.id, states=("accepted",)) if b.label in classes]
            costs.append([review([(c.label, c.box) for c in as_proposed(label, shown[t][0][n], shown[t][1][n],
                                                                        classes, img)], truth).seconds
                          for t in THRESHOLDS])
            counts.append(len(truth))
        job.progress(min(start + 32, len(images)), len(images))
    return np.array(costs, float).reshape(-1, len(THRESHOLDS)).T, np.array(counts, int)
