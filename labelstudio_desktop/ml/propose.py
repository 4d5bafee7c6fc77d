"""Box proposals from a classifier: Grad-CAM heatmap -> binary map -> box(es), stored as pending.

Each proposal keeps its provenance (run, method, threshold, IoU to the binary map, class score). Proposals
never touch accepted or manual boxes; proposing again replaces only the pending proposals of an image.
Images predicted as a background class (``empty``, ``background``, ``none``, ``negative``) get no box.
"""

from __future__ import annotations

import fnmatch
import io
import time
from dataclasses import dataclass, field

import cv2
import numpy as np
from PIL import Image

from ..core.boxes import best_box_exact, component_boxes, pad_box, scale_box
from ..core.images import ImageProblem, load_rgb
from ..core.jobs import JobToken
from ..core.runs import get_run, last_run
from ..core.store import BoxRecord, Store, StoreError
from .data import resize_square

METHODS = ("exact", "bayes")
BACKGROUND_CLASSES = {"empty", "background", "none", "negative", "nothing"}
MAP_SIZE = 64
BATCH = 32


@dataclass
class Proposal:
    image: str
    label: str
    box: tuple[int, int, int, int]  # 0-based pixel edges
    score: float
    iou_to_map: float

    def as_json(self) -> dict:
        x0, y0, x1, y1 = self.box
        return {"image": self.image, "label": self.label, "box": [x0 + 1, y0 + 1, x1, y1],
                "score": round(self.score, 6), "iou_to_map": round(self.iou_to_map, 6)}


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

    def as_json(self) -> dict:
        return {"proposals": [p.as_json() for p in self.proposals]}


def model_run(store: Store, run_id: int | None, task: str):
    """Run ``run_id`` (default: the last run of ``task`` with a model), checked to be a ``task`` model."""
    run = get_run(store, run_id) if run_id is not None else last_run(store, task)
    if run is None or run.task != task or not run.model_path:
        raise StoreError(f"no trained {task} model: run `train --task {task}` first")
    return run


def heatmap_to_map(heatmap: np.ndarray, threshold: float, size: int = MAP_SIZE) -> np.ndarray:
    """The heatmap upsampled to the map grid and binarised at ``threshold`` (inclusive)."""
    grid = cv2.resize(heatmap.astype(np.float32), (size, size), interpolation=cv2.INTER_LINEAR)
    return grid >= threshold


def fit_boxes(binary: np.ndarray, method: str = "exact", multi: bool = False, min_area: int = 4,
              max_iter: int = 10) -> list:
    """Boxes on the map grid: one (the best for the whole map) or one per component (``multi``)."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}: {', '.join(METHODS)}")
    if method == "bayes":
        from ..core.bayes_box import best_box_bayes

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


def propose(db_path, run_id: int | None = None, method: str = "exact", threshold: float | None = None,
            multi: bool = False, min_area: int | None = None, padding: float | None = None, images: str | None = None,
            limit: int | None = None, layer: str | None = None, max_iter: int = 10, use_labels: bool = False,
            job: JobToken | None = None) -> ProposeReport:
    """Propose boxes on the project's usable images with classifier run ``run_id`` (default: the last one).

    The heatmap is of the predicted class, or with ``use_labels`` of the image's own class label when it has
    one the classifier knows (the operator's label is usually right where the model is not yet). Parameters
    left as None come from the run's calibration (``propose --calibrate``) when there is one, else defaults:
    threshold 0.3, no padding, components of 4 cells, the last convolutional layer."""
    from .gradcam import GradCam
    from .train import load_model

    job = job or JobToken()
    started = time.perf_counter()
    with Store.open(db_path) as store:
        run = model_run(store, run_id, "classify")
        classes = run.params["classes"]
        size = int(run.params["size"])
        tuned = run.params.get("proposal_params") or {}
        threshold = threshold if threshold is not None else tuned.get("threshold", 0.3)
        padding = padding if padding is not None else tuned.get("padding", 0.0)
        min_area = min_area if min_area is not None else tuned.get("min_area", 4)
        cam = GradCam(load_model(run.model_path), layer or tuned.get("layer_name"))
        todo = [i for i in store.images(include_excluded=False, include_missing=False)
                if images is None or fnmatch.fnmatch(i.path, images)]
        if limit is not None:
            todo = todo[:limit]
        report = ProposeReport(run.id, method, threshold, images=len(todo))
        for start in range(0, len(todo), BATCH):
            job.check()
            batch, pixels = [], []
            for img in todo[start:start + BATCH]:
                try:
                    pixels.append(resize_square(load_rgb(store.abs_path(img)), size))
                    batch.append(img)
                except (ImageProblem, OSError) as exc:
                    report.problems.append((img.path, str(exc)))
            if not batch:
                continue
            chosen = None
            if use_labels:
                chosen = np.array([classes.index(i.label) if i.label in classes else -1 for i in batch])
            heatmaps, probs = cam(np.stack(pixels), chosen)
            for n, (img, heat, prob) in enumerate(zip(batch, heatmaps, probs, strict=True)):
                k = int(chosen[n]) if chosen is not None and chosen[n] >= 0 else int(np.argmax(prob))
                label = classes[k]
                score = float(prob[k])
                if label.lower() in BACKGROUND_CLASSES:
                    found = []
                    report.without_box.append((img.path, f"classified as the background class '{label}'"))
                else:
                    found = fit_boxes(heatmap_to_map(heat, threshold), method, multi, min_area, max_iter)
                    if not found:
                        report.without_box.append((img.path, no_box_reason(heat, threshold, multi, min_area)))
                with store.transaction() as c:
                    c.execute("DELETE FROM boxes WHERE image_id=? AND source='proposal' AND state='pending'",
                              (img.id,))
                    c.execute("INSERT OR REPLACE INTO heatmaps(image_id, run_id, kind, png) VALUES(?,?,?,?)",
                              (img.id, run.id, "gradcam", _png(heat)))
                    for fitted in found:
                        box = scale_box(fitted.box, (MAP_SIZE, MAP_SIZE), (img.width, img.height))
                        if padding:
                            box = pad_box(box, padding, (img.width, img.height))
                        store.insert_box(BoxRecord(0, img.id, label, *box, source="proposal", state="pending",
                                                   run_id=run.id, method=method, score=score,
                                                   threshold=threshold, map_iou=fitted.iou))
                        report.proposals.append(Proposal(img.path, label, box, score, fitted.iou))
            job.progress(min(start + BATCH, len(todo)), len(todo))
    report.seconds = time.perf_counter() - started
    return report


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
                  job: JobToken | None = None) -> ProposeReport:
    """U-Net masks as pending mask proposals (probabilities kept, so the threshold can change in review),
    and, unless ``boxes`` is ``none``, their box(es) as pending box proposals (``largest`` or ``all``)."""
    from .train import load_model

    job = job or JobToken()
    started = time.perf_counter()
    with Store.open(db_path) as store:
        run = model_run(store, run_id, "segment")
        size = int(run.params["size"])
        model = load_model(run.model_path)
        todo = [i for i in store.images(include_excluded=False, include_missing=False)
                if images is None or fnmatch.fnmatch(i.path, images)][:limit]
        report = ProposeReport(run.id, "unet", threshold, images=len(todo))
        for start in range(0, len(todo), BATCH):
            job.check()
            batch = todo[start:start + BATCH]
            pixels = np.stack([resize_square(load_rgb(store.abs_path(i)), size) for i in batch])
            probs = model.predict(pixels.astype(np.float32), verbose=0)[..., 0]
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
