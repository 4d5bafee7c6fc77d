"""Box proposals, stored as pending for review: from the box detector trained on reviewed boxes, or (the cold
start) from a classifier's class heatmap -> binary map -> box(es); U-Net masks as pending masks.

The cold start's heatmap (:func:`class_maps`): for a pretrained classifier, the class activation maps of linear heads
fitted on its own features from the image classes (:class:`.gradcam.FeatureCam`); Grad-CAM otherwise, or for a
layer asked for. With no detector, no classifier and no image class, nothing can propose: the report's note says so
(:data:`NO_CLASSES`) and the operator draws the first boxes.

Each proposal keeps its provenance (run, method: ``exact``/``bayes`` for Grad-CAM boxes, ``detector``,
``unet``; threshold, IoU to the binary map, score). Proposals never touch accepted or manual boxes; proposing
again replaces only the pending proposals of an image, and obeys the review (:mod:`core.editing.review_memory`).
Images predicted as a background class (``empty``, ``background``, ``none``, ``negative``) get no box.

Proposals never get worse by surprise (``source="auto"`` with both a detector and a classifier): the two sources
are scored (F1 at IoU 0.5, labels compared) on the reviewed images the detector did not train on
(:func:`core.store.runs.held_out_images`); the one measured better proposes (on a tie, or with nothing to measure on,
the source of the pending proposals; the detector when there are none), and where it finds nothing on an image
the other source proposes there. An image's pending proposals are replaced only by proposals of their own source
or of a source measured better than theirs, and never by nothing. The report carries the figures.

With one class per image (:func:`.data.class_per_image`), an image's class is the label of its proposals from
either source (the detector's boxes of any class become the image's class, duplicates merged; Grad-CAM explains
the image's class), as it is the label of its boxes in the detector's training.
"""

from __future__ import annotations

import fnmatch
import io
import time
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from ..core.boxes.boxes import best_box_exact, component_boxes, pad_box, scale_box
from ..core.boxes.heatmap_boxes import binarize, grabcut_mask, strong_components, upsample
from ..core.editing.review_memory import Candidate, is_background, remembered, review_of
from ..core.images import ImageProblem, load_rgb
from ..core.jobs import JobToken
from ..core.store.runs import get_run, held_out_images, last_run
from ..core.store.store import BoxRecord, Store, StoreError
from ..core.validate import shown
from .config import ParamsError, stored_classes, stored_size, stored_tuned, tuned_value
from .data import class_per_image, resize_square
from .second_look import BEST_GUESS_FLOOR, SecondLook, sure_or_best  # noqa: F401 - re-exported

METHODS = ("exact", "bayes")
SOURCES = ("auto", "gradcam", "detector", "unet")
DETECTOR_THRESHOLD = 0.3
#: Cold-start levers (benchmarks/cold_start.py measures each): mirror-image averaging, the share of the strongest
#: region's heat a region needs to get its own box (with ``multi``), GrabCut refinement of the binary map, and
#: padding (a share of the box's size on each side: Grad-CAM lights the most telling part of an object, a white
#: cell's nucleus or an animal's face, so its boxes are too small on real photos).
COLD_START = {"flip": True, "keep": 0.2, "refine": "grabcut", "padding": 0.15}
MAP_SIZE = 64
BATCH = 32
#: The report's note when the cold start cannot run: no detector, no classifier, and no image with a class.
NO_CLASSES = ("no image has a class yet: draw the first boxes, or set the images' classes for Grad-CAM "
              "proposals")
#: The most images per class :func:`fitted_feature_cam` fits its heads on.
HEAD_IMAGES = 100


@dataclass
class Proposal:
    image: str
    label: str
    box: tuple[int, int, int, int]  # 0-based pixel edges
    score: float
    iou_to_map: float | None  # Grad-CAM: IoU of the box with the binary map it was fitted to; None otherwise

    def as_json(self) -> dict:
        x0, y0, x1, y1 = self.box
        iou = None if self.iou_to_map is None else round(self.iou_to_map, 6)
        return {"image": self.image, "label": self.label, "box": [x0 + 1, y0 + 1, x1, y1],
                "score": round(self.score, 6), "iou_to_map": iou}


@dataclass
class ProposeReport:
    run_id: int
    method: str
    threshold: float
    proposals: list[Proposal] = field(default_factory=list)
    images: int = 0
    seconds: float = 0.0
    problems: list[tuple[str, str]] = field(default_factory=list)
    without_box: list[tuple[str, str]] = field(default_factory=list)  # (image, why it got no proposal)
    source: str = "gradcam"
    skipped_verified: int = 0  # verified images left out
    dropped: dict[str, int] = field(default_factory=dict)  # proposals review ruled out, by reason
    held_out: int = 0  # reviewed images the sources were scored on (not trained on by the detector)
    scores: dict[str, float] = field(default_factory=dict)  # source -> F1 at IoU 0.5 on them; empty: not measured
    runs: dict[str, int] = field(default_factory=dict)  # source -> its model run
    other: str = ""  # the other source, used per image where ``source`` found nothing ("" when none)
    fallback: int = 0  # images whose proposals came from ``other``
    kept_pending: int = 0  # images whose pending proposals were kept (of a source not measured worse)
    note: str = ""  # why nothing was proposed at all (e.g. :data:`NO_CLASSES`); empty otherwise

    def as_json(self) -> dict:
        return {"proposals": [p.as_json() for p in self.proposals], "source": self.source, "other": self.other,
                "held_out": self.held_out, "scores": {k: round(v, 6) for k, v in self.scores.items()},
                "runs": self.runs, "fallback": self.fallback, "kept_pending": self.kept_pending, "note": self.note}

    def decision(self) -> str:
        """Which source proposed, why, and what was kept, in a sentence (the CLI; the app says it translated)."""
        if self.note:
            return self.note
        if not self.other:
            text = f"proposals from {self.source}"
        elif self.scores:
            text = (f"proposals from {self.source}: F1 at IoU 0.5 {self.scores[self.source]:.2f} against "
                    f"{self.other}'s {self.scores[self.other]:.2f} on {self.held_out} reviewed images the detector "
                    "did not train on")
        else:
            text = f"proposals from {self.source}: not measured (no reviewed image the detector did not train on)"
        if self.fallback:
            text += f"; {self.other} on {self.fallback} images where {self.source} found nothing"
        if self.kept_pending:
            text += f"; pending proposals kept on {self.kept_pending} images"
        return text


def model_run(store: Store, run_id: int | None, task: str):
    """Run ``run_id`` (default: the last run of ``task`` with a model), checked to be a ``task`` model."""
    run = get_run(store, run_id) if run_id is not None else last_run(store, task)
    if run is None or run.task != task or not run.model_path:
        raise StoreError(f"no trained {task} model: run `train --task {task}` first")
    return run


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


def _png(array01: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray((np.clip(array01, 0, 1) * 255).astype(np.uint8)).save(buf, "PNG")
    return buf.getvalue()


def resolve_source(store: Store, source: str, run_id: int | None = None) -> str:
    """``auto``: the detector once one is trained (or when ``run_id`` is a detector run), Grad-CAM before."""
    if source not in SOURCES:
        raise StoreError(f"unknown proposal source {source!r}: {', '.join(SOURCES)}")
    if source != "auto":
        return source
    if run_id is not None:
        return {"detect": "detector", "segment": "unet"}.get(get_run(store, run_id).task, "gradcam")
    return "detector" if last_run(store, "detect") is not None else "gradcam"


def images_to_propose(store: Store, images: str | None = None, limit: int | None = None,
                      include_verified: bool = False) -> tuple[list, int]:
    """The usable images matching ``images`` (a glob), verified ones left out unless asked for; and how many
    verified images were left out."""
    todo = [i for i in store.each_image(include_excluded=False, include_missing=False)
            if images is None or fnmatch.fnmatch(i.path, images)]
    kept = todo if include_verified else [i for i in todo if i.status != "verified"]
    return (kept[:limit] if limit is not None else kept), len(todo) - len(kept)


def has_image_classes(store: Store) -> bool:
    """Whether a usable image has a class that is not a background class (the cold start needs one)."""
    return any(img.label and not is_background(img.label)
               for img in store.each_image(include_excluded=False, include_missing=False))


def image_class(img, prior: bool) -> str | None:
    """The label an image's proposals must take under the class prior: its class, unless it has none or the prior
    is off. A background class is returned too (such an image gets no proposal)."""
    return img.label if prior and img.label else None


class _GradCamBoxes:
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


def run_model(run, notes: list[str]) -> tuple[list[str], object, int]:
    """The classes, the model and its input size of a classify or detect ``run`` whose model proposes: its stored
    classes checked (:func:`.config.stored_classes`), its model loaded and checked to be a model of its task for those
    classes (:func:`.train.task_model`: a plain :class:`.train.TrainError` otherwise), its input size the model's
    own (a note in ``notes`` when the stored one differs)."""
    from .train import TrainError, task_model

    what = f"run {run.id}"
    try:
        classes = stored_classes(run.params, what)
    except ParamsError as exc:
        raise TrainError(str(exc)) from exc
    model, size = task_model(run.model_path, run.task, classes, stored_size(run.params, what), what, notes)
    return classes, model, size


def run_note(note: str) -> tuple[str, str]:
    """A note on a run's stored values (``run N: what was wrong``) as a report's (what, reason) problem."""
    what, _sep, reason = note.partition(": ")
    return what, reason


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


class _DetectorBoxes:
    """Boxes from the box detector trained on the reviewed boxes; with ``prior`` an image's class is the label of
    all its boxes (whatever class channel found them; boxes that then overlap at IoU >= 0.5 are merged)."""

    method = "detector"
    source = "detector"

    def __init__(self, store: Store, run_id, threshold, max_boxes, prior: bool = False):
        self.store = store
        self.run = model_run(store, run_id, "detect")
        self.notes: list[str] = []
        self.classes, self.model, self.size = run_model(self.run, self.notes)
        # the second look at the photos of few detections (ml/second_look.py), with what the run stored for it
        self.look = SecondLook.of_run(Path(self.run.model_path).parent) if self.run.model_path else \
            SecondLook(None, None)
        tuned = stored_tuned(self.run.params, self.notes, f"run {self.run.id}")  # propose --calibrate
        self.threshold = threshold if threshold is not None else \
            tuned_value(tuned, "threshold", DETECTOR_THRESHOLD, self.notes, f"run {self.run.id}")
        self.max_boxes, self.prior = max_boxes, prior

    def __call__(self, batch, pixels, report: ProposeReport):
        from .detector import detect, nms

        floor = min(self.threshold, BEST_GUESS_FLOOR)
        found = detect(self.model, np.stack(pixels), score_threshold=floor, max_boxes=self.max_boxes)
        kept, labels = [], []
        for img, boxes in zip(batch, found, strict=True):
            boxes = sure_or_best(boxes, self.threshold)
            label = image_class(img, self.prior)
            if label is not None and is_background(label):
                report.without_box.append((img.path, f"the image's class '{label}' is a background class"))
                boxes = []
            elif label is not None and boxes:
                boxes = [boxes[k] for k in nms(np.array([b[0] for b in boxes]), np.array([b[2] for b in boxes]))]
            elif not boxes:
                report.without_box.append((img.path, f"the detector found nothing scoring {floor:g} or more"))
            kept.append(boxes)
            labels.append(label)
        edges, classed = self.look.apply(self.classes, [(self.store.abs_path(img), (img.width, img.height))
                                                        for img in batch], kept)
        for img, label, mine, theirs in zip(batch, labels, edges, classed, strict=True):
            boxes = mine if label is not None else theirs  # the image's class is its boxes' class
            yield img, [Candidate(label or self.classes[k], denormalise(box, img.width, img.height), float(score))
                        for box, k, score in boxes], None


def denormalise(box: tuple[float, float, float, float], width: int, height: int) -> tuple[int, int, int, int]:
    """A box in 0..1 coordinates as pixel edges of a ``width`` x ``height`` image (clamped, never empty)."""
    return scale_box(box, (1, 1), (width, height))


def propose(db_path, run_id: int | None = None, method: str = "exact", threshold: float | None = None,
            multi: bool = False, min_area: int | None = None, padding: float | None = None, images: str | None = None,
            limit: int | None = None, layer: str | None = None, max_iter: int = 10, use_labels: bool | None = None,
            source: str = "auto", include_verified: bool = False, max_boxes: int = 50, levers: dict | None = None,
            job: JobToken | None = None) -> ProposeReport:
    """Propose boxes on the project's usable, unverified images, stored as pending for review.

    ``source``: ``detector`` (the box detector trained on reviewed boxes), ``gradcam`` (the classifier's
    heatmap: the cold start) or ``auto``. With ``auto`` and both models, the source measured better on the reviewed
    images the detector did not train on proposes, the other one where it finds nothing on an image, and pending
    proposals are replaced only by their own source or one measured better (see the module's docstring; the
    report holds the figures). An explicit source replaces the pending proposals wherever it proposes. Nothing
    found on an image never deletes its pending proposals. ``run_id`` picks the model run of the source it
    resolves to (default: the last of its kind). Review is remembered: no proposal on a verified image (unless
    ``include_verified``), over an accepted box of the same label, or where the operator rejected one.

    ``use_labels`` (the class prior): an image's class is the label of its proposals and Grad-CAM explains that
    class (when the classifier knows it); None: when the project is one class per image
    (:func:`.data.class_per_image`); False: the predicted class. Parameters left as None come from the run's
    calibration when there is one, else defaults: cold-start threshold 0.3, padding 0.15 (:data:`COLD_START`),
    components of 4 cells, the heatmap of :func:`class_maps` (``layer``: Grad-CAM of that layer); detector:
    ``threshold`` is the lowest score kept (default 0.3), at most ``max_boxes`` boxes per image. ``threshold``
    applies to the source ``source`` resolves to; the other one uses its own. With no detector, no classifier and
    no image class the report holds no proposal and the note :data:`NO_CLASSES`."""
    job = job or JobToken()
    started = time.perf_counter()
    with Store.open(db_path) as store:
        resolved = resolve_source(store, source, run_id)
        if resolved == "unet":
            raise StoreError("U-Net proposals are masks: use propose_masks (propose --source unet)")
        prior = class_per_image(store) if use_labels is None else bool(use_labels)
        if resolved == "gradcam" and run_id is None and last_run(store, "classify") is None \
                and not has_image_classes(store):
            todo, skipped = images_to_propose(store, images, limit, include_verified)
            return ProposeReport(0, method, 0.0, images=len(todo), skipped_verified=skipped, note=NO_CLASSES,
                                 seconds=time.perf_counter() - started)

        def maker(kind: str, run: int | None, cut: float | None):
            if kind == "detector":
                return _DetectorBoxes(store, run, cut, max_boxes, prior)
            return _GradCamBoxes(store, run, method, cut, multi, min_area, padding, layer, max_iter, prior, levers)

        primary, second = maker(resolved, run_id, threshold), None
        other = "gradcam" if resolved == "detector" else "detector"
        if source == "auto" and last_run(store, {"gradcam": "classify", "detector": "detect"}[other]) is not None:
            second = maker(other, None, None)
        pending = pending_sources(store)
        scores, held = {}, 0
        if second is not None:
            detector = primary if primary.source == "detector" else second
            reviewed = held_out_images(store, detector.run)
            held = len(reviewed)
            scores = score_sources(store, reviewed, [primary, second]) if reviewed else {}
            if scores and scores["detector"] != scores["gradcam"]:
                chosen = max(scores, key=scores.get)
            else:
                counts = {k: list(pending.values()).count(k) for k in ("detector", "gradcam")}
                chosen = max(counts, key=counts.get) if any(counts.values()) else "detector"
            if chosen != primary.source:
                primary, second = second, primary
        todo, skipped = images_to_propose(store, images, limit, include_verified)
        report = ProposeReport(primary.run.id, primary.method, primary.threshold, images=len(todo),
                               source=primary.source, skipped_verified=skipped, held_out=held, scores=scores,
                               runs={m.source: m.run.id for m in (primary, second) if m is not None},
                               other=second.source if second is not None else "")
        for maker in (primary, second):  # what the runs' stored parameters held that could not be used
            report.problems += [run_note(note) for note in getattr(maker, "notes", [])]
        for start in range(0, len(todo), BATCH):
            job.check()
            found = _candidates(store, primary, todo[start:start + BATCH], report)
            empty = [img for img, cands, _heat, _why in found.values() if not cands]
            backup = _candidates(store, second, empty, ProposeReport(0, "", 0.0)) if second and empty else {}
            for img_id, (img, cands, heat, why) in found.items():
                used = primary
                if not cands and backup.get(img_id, (None, []))[1]:
                    _img, cands, heat, why = backup[img_id]
                    used = second
                    report.fallback += 1
                elif not cands and img_id in backup:
                    why = why + backup[img_id][3]
                report.without_box.extend(why)
                replace = source != "auto" or may_replace(pending.get(img_id), used.source, scores)
                _store_proposals(store, img, cands, heat, used, report, replace)
            job.progress(min(start + BATCH, len(todo)), len(todo))
    report.seconds = time.perf_counter() - started
    return report


def score_sources(store: Store, images: list, makers: list) -> dict[str, float]:
    """Each proposal source (a ``propose`` box maker) scored on reviewed ``images``: F1 at IoU 0.5 of what it
    proposes there (labels compared, review memory not applied) against the accepted boxes; a verified image
    without boxes makes every proposal on it a false positive. Keyed by the makers' ``source``."""
    from .metrics import labelled_f1

    truth = {i.id: [(b.label, b.edges) for b in store.boxes(i.id, states=("accepted",))] for i in images}
    scores = {}
    for maker in makers:
        scratch = ProposeReport(0, "", 0.0)
        samples = []
        for start in range(0, len(images), 32):
            batch, pixels = load_batch(store, images[start:start + 32], maker.size, scratch)
            if batch:
                samples += [(truth[img.id], [(c.label, c.box, c.score) for c in candidates])
                            for img, candidates, _heat in maker(batch, pixels, scratch)]
        scores[maker.source] = labelled_f1(samples)[0]
    return scores


def pending_sources(store: Store) -> dict[int, str]:
    """The source of each image's pending box proposals (``detector`` or ``gradcam``; U-Net boxes left out)."""
    rows = store.conn.execute("SELECT image_id, method FROM boxes WHERE source='proposal' AND state='pending' "
                              "AND COALESCE(method, '') != 'unet'")
    return {image_id: "detector" if m == "detector" else "gradcam" for image_id, m in rows}


def may_replace(pending: str | None, new: str, scores: dict[str, float]) -> bool:
    """Whether proposals of source ``new`` may replace an image's pending proposals of source ``pending``: when
    there are none, when they are of the same source, or when ``new`` was measured better."""
    return pending is None or pending == new or (pending in scores and scores.get(new, 0.0) > scores[pending])


def _candidates(store: Store, maker, images: list, report: ProposeReport) -> dict[int, tuple]:
    """Per readable image: (image, candidates, heatmap or None, [(path, why it got none)]); unreadable images go
    to ``report.problems``."""
    scratch = ProposeReport(0, "", 0.0)
    batch, pixels = load_batch(store, images, maker.size, report)
    out = {}
    if batch:
        for img, candidates, heat in maker(batch, pixels, scratch):
            out[img.id] = (img, candidates, heat, [w for w in scratch.without_box if w[0] == img.path])
    return out


def box_score(class_score: float, grid: np.ndarray, box) -> float:
    """A Grad-CAM box's score: the class probability times the mean heat inside the box (on the map grid), so
    the boxes of one image rank by how much of the class evidence they hold."""
    x0, y0, x1, y1 = box
    return float(class_score * grid[y0:y1, x0:x1].mean())


def load_batch(store: Store, images: list, size: int, report: ProposeReport) -> tuple[list, list]:
    """The images that can be read, with their pixels resized to the model's square input; the others go to
    ``report.problems`` with the reason."""
    batch, pixels = [], []
    for img in images:
        try:
            pixels.append(resize_square(load_rgb(store.abs_path(img)), size))
            batch.append(img)
        except (ImageProblem, OSError) as exc:
            report.problems.append((img.path, str(exc)))
    return batch, pixels


def _store_proposals(store: Store, img, candidates: list[Candidate], heat, maker, report: ProposeReport,
                     replace: bool = True) -> None:
    """Replace the image's pending box proposals with the candidates that review allows; when there are none, or
    ``replace`` is False (the new source is not measured better than theirs), its pending proposals stay."""
    kept, dropped = remembered(candidates, review_of(store, img.id))
    for reason, count in dropped.items():
        report.dropped[reason] = report.dropped.get(reason, 0) + count
    if candidates and not kept:
        report.without_box.append((img.path, "every proposal repeats a box already accepted or rejected"))
    has_pending = store.conn.execute("SELECT 1 FROM boxes WHERE image_id=? AND source='proposal' AND "
                                     "state='pending' AND COALESCE(method, '') != 'unet' LIMIT 1",
                                     (img.id,)).fetchone() is not None
    if has_pending and (not replace or not kept):
        report.kept_pending += 1
        return
    with store.transaction() as c:
        c.execute("DELETE FROM boxes WHERE image_id=? AND source='proposal' AND state='pending' "
                  "AND COALESCE(method, '') != 'unet'", (img.id,))
        if heat is not None:
            c.execute("INSERT OR REPLACE INTO heatmaps(image_id, run_id, kind, png) VALUES(?,?,?,?)",
                      (img.id, maker.run.id, "gradcam", _png(heat)))
        for cand in kept:
            store.insert_box(BoxRecord(0, img.id, cand.label, *cand.box, source="proposal", state="pending",
                                       run_id=maker.run.id, method=maker.method, score=cand.score,
                                       threshold=maker.threshold, map_iou=cand.map_iou))
            report.proposals.append(Proposal(img.path, cand.label, cand.box, cand.score, cand.map_iou))


def mask_boxes(mask: np.ndarray, mode: str = "largest", min_area: int = 16) -> list[tuple[int, int, int, int]]:
    """Boxes around a binary mask: its largest component, or every component of at least ``min_area`` pixels."""
    count, _labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    comps = [(stats[k, cv2.CC_STAT_AREA], k) for k in range(1, count) if stats[k, cv2.CC_STAT_AREA] >= min_area]
    if mode == "largest":
        comps = sorted(comps)[-1:]
    out = []
    for _area, k in comps:
        x, y, w, h = stats[k, :4]
        out.append((int(x), int(y), int(x + w), int(y + h)))
    return out


def propose_masks(db_path, run_id: int | None = None, threshold: float = 0.5, boxes: str = "largest",
                  images: str | None = None, limit: int | None = None, label: str = "object",
                  include_verified: bool = False, job: JobToken | None = None) -> ProposeReport:
    """U-Net masks as pending mask proposals (probabilities kept, so the threshold can change in review),
    and, unless ``boxes`` is ``none``, their box(es) as pending box proposals (``largest`` or ``all``)."""
    from .train import task_model

    job = job or JobToken()
    started = time.perf_counter()
    with Store.open(db_path) as store:
        run = model_run(store, run_id, "segment")
        notes: list[str] = []
        model, size = task_model(run.model_path, "segment", size=stored_size(run.params), what=f"run {run.id}",
                                 notes=notes)
        todo, verified = images_to_propose(store, images, limit, include_verified)
        report = ProposeReport(run.id, "unet", threshold, images=len(todo), source="unet",
                               skipped_verified=verified, problems=[run_note(note) for note in notes])
        for start in range(0, len(todo), BATCH):
            job.check()
            batch, pixels = load_batch(store, todo[start:start + BATCH], size, report)
            if not batch:
                continue
            probs = model.predict(np.stack(pixels).astype(np.float32), verbose=0)[..., 0]
            for img, prob in zip(batch, probs, strict=True):
                full = cv2.resize(prob, (img.width, img.height), interpolation=cv2.INTER_LINEAR)
                binary = full >= threshold
                with store.transaction() as c:
                    c.execute("DELETE FROM masks WHERE image_id=? AND source='proposal' AND state='pending'",
                              (img.id,))
                    c.execute("DELETE FROM boxes WHERE image_id=? AND source='proposal' AND state='pending' "
                              "AND method='unet'", (img.id,))
                    name = img.label or label
                    store.add_mask(img.id, name, _png(full), source="proposal", state="pending", run_id=run.id)
                    if boxes != "none":
                        for box in mask_boxes(binary, boxes):
                            inside = binary[box[1]:box[3], box[0]:box[2]]
                            fitted_iou = float(inside.sum() / max(1, binary.sum() + inside.size - inside.sum()))
                            store.insert_box(BoxRecord(0, img.id, name, *box, source="proposal", state="pending",
                                                       run_id=run.id, method="unet",
                                                       score=float(full[binary].mean()) if binary.any() else 0.0,
                                                       threshold=threshold, map_iou=fitted_iou))
                            report.proposals.append(Proposal(img.path, name, box, float(full.max()), fitted_iou))
            job.progress(min(start + BATCH, len(todo)), len(todo))
    report.seconds = time.perf_counter() - started
    return report
