"""The cold start: boxes from a classifier's class heatmap (:func:`class_maps`) -> binary map -> box(es).

For a pretrained classifier the heatmap is the class activation map of linear heads fitted on its own features from
the image classes (:class:`.gradcam.FeatureCam`); Grad-CAM otherwise, or for a layer asked for. The levers
(:data:`COLD_START`) are measured by benchmarks/cold_start.py; :mod:`.calibrate` tunes them per project."""

from __future__ import annotations

import cv2
import numpy as np

from ..core.boxes.boxes import best_box_exact, component_boxes, pad_box, scale_box
from ..core.boxes.heatmap_boxes import binarize, grabcut_mask, strong_components, upsample
from ..core.editing.review_memory import Candidate, is_background
from ..core.store.store import Store, StoreError
from ..core.validate import shown
from .config import stored_tuned, tuned_value
from .proposal_common import ProposeReport, image_class, load_batch, model_run, run_model

#: How a box is fitted to a binary map: exactly (the best box), or by a Bayesian search.
METHODS = ("exact", "bayes")
#: Cold-start levers (benchmarks/cold_start.py measures each): mirror-image averaging, the share of the strongest
#: region's heat a region needs to get its own box (with ``multi``), GrabCut refinement of the binary map, and
#: padding (a share of the box's size on each side: Grad-CAM lights the most telling part of an object, a white
#: cell's nucleus or an animal's face, so its boxes are too small on real photos).
COLD_START = {"flip": True, "keep": 0.2, "refine": "grabcut", "padding": 0.15}
#: The side of the grid the heatmaps are binarised and boxes fitted on.
MAP_SIZE = 64
#: The most images per class :func:`fitted_feature_cam` fits its heads on.
HEAD_IMAGES = 100


def heatmap_to_map(heatmap: np.ndarray, threshold: float, size: int = MAP_SIZE) -> np.ndarray:
    """The heatmap upsampled to the map grid and binarised at ``threshold`` (inclusive)."""
    return binarize(heatmap, threshold, size)


def heatmap_boxes(heat: np.ndarray, pixels: np.ndarray, threshold: float, method: str = "exact",
                  multi: bool = False, min_area: int = 4, max_iter: int = 10, keep: float = 0.0,
                  refine: str = "none") -> list:
    """Boxes on the map grid from one heatmap: binarised, optionally refined by GrabCut on the image's
    ``pixels`` (the model's square input), weak components dropped (``keep``), then fitted."""
    if refine == "grabcut":
        mask = grabcut_mask(pixels, heat, threshold)
        binary = cv2.resize(mask.astype(np.uint8), (MAP_SIZE, MAP_SIZE), interpolation=cv2.INTER_NEAREST) > 0
    else:
        binary = heatmap_to_map(heat, threshold)
    if multi and keep > 0:
        binary = strong_components(binary, upsample(heat) * binary, keep)
    return fit_boxes(binary, method, multi, min_area, max_iter)


def fit_boxes(binary: np.ndarray, method: str = "exact", multi: bool = False, min_area: int = 4,
              max_iter: int = 10) -> list:
    """Boxes on the map grid: one (the best for the whole map) or one per component (``multi``)."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}: {', '.join(METHODS)}")
    if method == "bayes":
        from ..core.boxes.bayes_box import best_box_bayes

        def fit(component):
            return best_box_bayes(component, max_iter=max_iter)
    else:
        fit = best_box_exact
    if multi:
        return component_boxes(binary, min_area, fit)
    fitted = fit(binary)
    return [fitted] if fitted is not None else []


def no_box_reason(heatmap: np.ndarray, threshold: float, multi: bool, min_area: int) -> str:
    """Why a heatmap gave no box, in the operator's words."""
    if not np.any(heatmap > 0):
        return "the heatmap is empty: nothing in the image supports the class"
    if multi:
        return f"no heatmap region of at least {min_area} cells reaches the threshold {threshold:g}"
    return f"no part of the heatmap reaches the threshold {threshold:g}"


class GradCamBoxes:
    """Boxes fitted to the class heatmap of a classifier (the cold start; :func:`class_maps`); with ``use_labels``
    (the class prior) the heatmap of the image's class, and that class as the label."""

    source = "gradcam"

    def __init__(self, store: Store, run_id, method, threshold, multi, min_area, padding, layer, max_iter,
                 use_labels, levers: dict | None = None):
        if method not in METHODS:
            raise StoreError(f"unknown method {method!r}: {', '.join(METHODS)}")
        self.run = model_run(store, run_id, "classify")
        self.notes: list[str] = []
        self.classes, model, self.size = run_model(self.run, self.notes)
        what = f"run {self.run.id}"
        tuned = stored_tuned(self.run.params, self.notes, what)
        self.threshold = threshold if threshold is not None else \
            tuned_value(tuned, "threshold", 0.3, self.notes, what)
        self.min_area = min_area if min_area is not None else \
            tuned_value(tuned, "min_area", 4, self.notes, what, 1, MAP_SIZE * MAP_SIZE, int)
        self.method, self.multi, self.max_iter, self.use_labels = method, multi, max_iter, use_labels
        stored = {"flip": tuned_value(tuned, "flip", COLD_START["flip"], self.notes, what, kind=bool),
                  "keep": tuned_value(tuned, "keep", COLD_START["keep"], self.notes, what),
                  "refine": tuned_value(tuned, "refine", COLD_START["refine"], self.notes, what,
                                        high=("grabcut", "none"), kind=str),
                  "padding": tuned_value(tuned, "padding", COLD_START["padding"], self.notes, what)}
        self.levers = {**stored, **(levers or {})}
        self.padding = padding if padding is not None else self.levers["padding"]
        if layer is None and "layer_name" in tuned:
            layer = tuned["layer_name"]
            if not isinstance(layer, str) or layer not in {existing.name for existing in model.layers}:
                self.notes.append(f"{what}: its calibrated layer_name ({shown(layer)}) is not a layer of its model: "
                                  "the default heatmap used")
                layer = None
        from .train import TrainError

        try:
            self.cam = class_maps(store, self.run, model, layer, self.classes, self.size)
        except ValueError as exc:  # a classifier without a convolutional feature map, a layer it does not have
            raise TrainError(f"model {self.run.model_path} (run {self.run.id}): no class heatmap can be made from "
                             f"it ({exc})") from exc

    def __call__(self, batch, pixels, report: ProposeReport):
        chosen = None
        if self.use_labels:
            chosen = np.array([self.classes.index(i.label) if i.label in self.classes else -1 for i in batch])
        heatmaps, probs = self.cam(np.stack(pixels), chosen, flip=self.levers["flip"])
        for n, (img, heat, prob) in enumerate(zip(batch, heatmaps, probs, strict=True)):
            k = int(chosen[n]) if chosen is not None and chosen[n] >= 0 else int(np.argmax(prob))
            label, score = image_class(img, self.use_labels) or self.classes[k], float(prob[k])
            found = []
            if is_background(label):
                report.without_box.append((img.path, f"classified as the background class '{label}'"))
            else:
                found = cold_start_boxes(heat, pixels[n], (img.width, img.height), self.threshold, self.levers,
                                         self.padding, self.method, self.multi, self.min_area, self.max_iter)
                if not found:
                    report.without_box.append((img.path, no_box_reason(heat, self.threshold, self.multi,
                                                                       self.min_area)))
            grid = upsample(heat) if found else None
            candidates = [Candidate(label, box, box_score(score, grid, fitted.box), fitted.iou)
                          for box, fitted in found]
            yield img, candidates, heat


def cold_start_boxes(heat: np.ndarray, pixels: np.ndarray, size: tuple[int, int], threshold: float, levers: dict,
                     padding: float, method: str = "exact", multi: bool = False, min_area: int = 4,
                     max_iter: int = 10) -> list[tuple[tuple[int, int, int, int], object]]:
    """The cold start's boxes of one image from its class heatmap: (box in pixel edges of the ``size`` (w, h)
    image, padded, the box fitted on the map grid) per box, with the levers ``keep`` and ``refine`` of
    :data:`COLD_START` (``flip`` acts on the heatmap)."""
    found = heatmap_boxes(heat, pixels, threshold, method, multi, min_area, max_iter, levers["keep"],
                          levers["refine"])
    out = []
    for fitted in found:
        box = scale_box(fitted.box, (MAP_SIZE, MAP_SIZE), size)
        out.append((pad_box(box, padding, size) if padding else box, fitted))
    return out


def class_maps(store: Store, run, model, layer: str | None, classes: list[str] | None = None,
               size: int | None = None):
    """The cold start's class activation method for the classifier ``model`` of ``run`` (its ``classes`` and
    input ``size``; default: as stored): with a pretrained backbone and no ``layer`` asked for (or calibrated), the
    class activation maps of heads fitted on its features (:class:`.gradcam.FeatureCam`, :func:`fitted_feature_cam`),
    which benchmarks/cold_start.py measured far above Grad-CAM on real photos; else, or when fewer than two classes
    have images, Grad-CAM of ``layer`` (default: the last convolutional layer)."""
    from .backbones import APPLICATIONS
    from .gradcam import GradCam

    cam = None
    backbone = run.params.get("backbone")
    if layer is None and isinstance(backbone, str) and backbone in APPLICATIONS:
        cam = fitted_feature_cam(store, model, classes or run.params["classes"], size or int(run.params["size"]))
    return cam or GradCam(model, layer)


def fitted_feature_cam(store: Store, model, classes: list[str], size: int):
    """A :class:`.gradcam.FeatureCam` of ``model`` fitted on :func:`head_images`; None when they hold fewer than two
    classes (Grad-CAM then explains the classifier itself)."""
    from .gradcam import FeatureCam

    pixels, labels = head_images(store, classes, size)
    return FeatureCam(model).fit(pixels, labels) if len(set(labels.tolist())) >= 2 else None


def head_images(store: Store, classes: list[str], size: int) -> tuple[np.ndarray, np.ndarray]:
    """The pixels (at the model's ``size``) and class indices of the project's readable images whose class the
    classifier knows: at most :data:`HEAD_IMAGES` per class, spread over the class."""
    by_class: dict[str, list] = {}
    for img in store.each_image(include_excluded=False, include_missing=False):
        if img.label in classes:
            by_class.setdefault(img.label, []).append(img)
    chosen = [img for imgs in by_class.values()
              for img in (imgs if len(imgs) <= HEAD_IMAGES else
                          [imgs[k] for k in np.linspace(0, len(imgs) - 1, HEAD_IMAGES).round().astype(int)])]
    loaded, pixels = load_batch(store, chosen, size, ProposeReport(0, "", 0.0))
    if not loaded:
        return np.zeros((0, size, size, 3), np.uint8), np.zeros(0, int)
    return np.stack(pixels), np.array([classes.index(img.label) for img in loaded])


def box_score(class_score: float, grid: np.ndarray, box) -> float:
    """A Grad-CAM box's score: the class probability times the mean heat inside the box (on the map grid), so
    the boxes of one image rank by how much of the class evidence they hold."""
    x0, y0, x1, y1 = box
    return float(class_score * grid[y0:y1, x0:x1].mean())
