"""Evaluating a run on the test split: metrics by name, plots, misclassified images, the "miss" folder."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from ..core.boxes.review_cost import review  # noqa: E402
from ..core.fsutil import link_outside, safe_name  # noqa: E402
from ..core.jobs import JobToken  # noqa: E402
from ..core.store.runs import VALIDATION_TRAINED, get_run, last_run, run_dir  # noqa: E402
from ..core.store.store import Store, StoreError  # noqa: E402
from .config import ParamsError, stored_classes, stored_size
from .data import collect  # noqa: E402
from .metrics import (  # noqa: E402
    average_precision,
    confusion_matrix,
    grades_with_cuts,
    iou_dice,
    match_boxes,
    precision_recall,
    regression_errors,
    rounded_grades,
    tune_cut_points,
)
from .propose import detector_threshold  # noqa: E402

#: Fewer images than this in the evaluated split and its numbers come with a warning.
FEW_IMAGES = 20
#: Per-class metrics, stored as ``{metric}_{class}``.
CLASS_METRICS = ("precision", "recall", "ap50")


def format_metric(name: str, value: float) -> str:
    """A count as an integer, any other number with 3 decimals."""
    if value != value:  # NaN
        return "-"
    return f"{value:g}" if float(value).is_integer() and name not in FRACTIONS else f"{value:.3f}"


#: Metrics that are fractions even when they happen to be 0 or 1.
FRACTIONS = {"accuracy", "precision", "recall", "mean_iou", "map50", "iou", "dice", "grade_accuracy_cuts",
             "grade_accuracy_rounding", "proposed_precision", "proposed_recall", "proposed_mean_iou",
             "accepted_as_is", *CLASS_METRICS}


@dataclass
class Evaluation:
    run_id: int
    task: str
    split: str
    metrics: dict[str, float] = field(default_factory=dict)
    classes: list[str] = field(default_factory=list)
    confusion: list[list[int]] = field(default_factory=list)
    misclassified: list[dict] = field(default_factory=list)  # path, true, pred, confidence
    worst: list[dict] = field(default_factory=list)  # segmentation: path, iou, dice; detection: errors (worst first)
    plots: dict[str, str] = field(default_factory=dict)
    cut_points: list[float] = field(default_factory=list)
    images: int = 0  # the images of ``split`` it was measured on (detect: the reviewed ones)

    @property
    def few_images(self) -> bool:
        """True when the numbers rest on fewer than :data:`FEW_IMAGES` images (one image moves them a lot)."""
        return self.images < FEW_IMAGES

    def overall(self) -> list[tuple[str, float]]:
        """The metrics of the whole split, by name, in the order measured (per-class ones left out)."""
        per_class = {f"{prefix}_{name}" for prefix in CLASS_METRICS for name in self.classes}
        return [(k, v) for k, v in self.metrics.items() if k not in per_class]

    def per_class(self) -> tuple[list[str], list[tuple[str, list[float]]]]:
        """(metric names, one row per class of values in that order): precision, recall and, for a detector,
        AP50; empty when the task has no classes."""
        columns = [m for m in CLASS_METRICS if any(f"{m}_{name}" in self.metrics for name in self.classes)]
        rows = [(name, [self.metrics.get(f"{m}_{name}", float("nan")) for m in columns]) for name in self.classes]
        return (columns, rows) if columns else ([], [])

    def as_json(self) -> dict:
        out = {"run": self.run_id, "task": self.task, "split": self.split, **self.metrics, "plots": self.plots,
               "split_images": self.images}
        if self.task == "classify":
            out["confusion"] = {"classes": self.classes, "matrix": self.confusion}
            out["misclassified"] = self.misclassified
        if self.task == "regress":
            out["cut_points"] = self.cut_points
        if self.task in ("segment", "detect"):
            out["worst"] = self.worst[:20]
        return out


def _predict(model, x: np.ndarray) -> np.ndarray:
    return model.predict(x.astype(np.float32), batch_size=32, verbose=0)


def evaluate(db_path: str | Path, run_id: int | None = None, task: str | None = None,
             job: JobToken | None = None, score_threshold: float | None = None) -> Evaluation:
    """Metrics of a run (default: the last run with a model, of ``task`` if given) on its test split (the val
    split when the test split has no usable image and the run did not train on it, then train). A detector keeps
    boxes scoring at least ``score_threshold`` (default: the threshold its proposals use,
    :func:`.propose.detector_threshold`)."""
    from .train import TrainError, task_model

    job = job or JobToken()
    with Store.open(db_path) as store:
        run = get_run(store, run_id) if run_id is not None else last_run(store, task)
        if run is None:
            raise StoreError("no trained model to evaluate: run `train` first")
        if not run.model_path:
            raise StoreError(f"run {run.id} has no saved model ({run.status}: {run.message})")
        what, notes = f"run {run.id}", []
        try:
            classes = stored_classes(run.params, what) if run.task in ("classify", "detect") else None
        except ParamsError as exc:
            raise TrainError(str(exc)) from exc
        model, size = task_model(run.model_path, run.task, classes, stored_size(run.params, what), what, notes)
        for note in notes:
            job.status(note)
        data = collect(store, run.task, size, job, classes=classes)
        unseen = ("test",) if run.params.get(VALIDATION_TRAINED) else ("test", "val")  # val may have trained
        split = next((s for s in (*unseen, "train") if len(data.x[s])), "train")
        out_dir = run_dir(store, run.id) / "eval"
        out_dir.mkdir(parents=True, exist_ok=True)
        result = Evaluation(run.id, run.task, split)
        x, y, ids = data.x[split], data.y[split], data.ids[split]
        paths = store.paths_of(ids)
        result.images = len(ids)
        if run.task == "detect":
            from .detector import predict

            outputs = predict(model, x)
            if score_threshold is None:
                stored: list[str] = []
                score_threshold = detector_threshold(run, stored)
                for note in stored:
                    job.status(note)
            _detection(result, data.classes, outputs, y, ids, paths, out_dir, score_threshold)
            _as_proposed(result, store, Path(run.model_path).parent, data.classes, outputs, y, ids, score_threshold)
            return result
        pred = _predict(model, x)
        if run.task == "classify":
            _classification(result, data.classes, y, pred, ids, paths, out_dir)
        elif run.task == "regress":
            val_pred = _predict(model, data.x["val"]).reshape(-1) if len(data.x["val"]) else None
            _regression(result, y, pred.reshape(-1), data.y["val"], val_pred, data.y["train"], out_dir)
        else:
            iou, dice = iou_dice(y, pred)
            result.metrics = {"iou": float(iou.mean()), "dice": float(dice.mean())}
            order = np.argsort(iou)
            result.worst = [{"path": paths[ids[i]], "iou": float(iou[i]), "dice": float(dice[i])} for i in order]
    return result


def _classification(result: Evaluation, classes: list[str], y, probs, ids, paths, out_dir: Path) -> None:
    pred = probs.argmax(axis=1)
    matrix = confusion_matrix(y, pred, len(classes))
    precision, recall = precision_recall(matrix)
    result.classes = classes
    result.confusion = matrix.tolist()
    result.metrics = {"accuracy": float(np.mean(pred == y)) if len(y) else 0.0}
    for n, name in enumerate(classes):
        result.metrics[f"precision_{name}"] = float(precision[n])
        result.metrics[f"recall_{name}"] = float(recall[n])
    result.misclassified = [
        {"path": paths[ids[i]], "true": classes[y[i]], "pred": classes[pred[i]], "confidence": float(probs[i].max())}
        for i in np.flatnonzero(pred != y)]
    fig, ax = plt.subplots(figsize=(1.2 + 0.6 * len(classes), 1 + 0.6 * len(classes)))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(classes)), classes, rotation=45, ha="right")
    ax.set_yticks(range(len(classes)), classes)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    for (r, c), v in np.ndenumerate(matrix):
        ax.text(c, r, str(v), ha="center", va="center", color="white" if v > matrix.max() / 2 else "black")
    fig.tight_layout()
    result.plots["confusion"] = _save(fig, out_dir / "confusion.png")


def _detection(result: Evaluation, classes: list[str], outputs, items, ids, paths, out_dir: Path,
               score_threshold: float) -> None:
    """Precision, recall and mean IoU at IoU 0.5 (boxes scoring >= ``score_threshold``), AP50 per class and its
    mean over all scores; images with the most errors first. ``outputs``: the detector's on the split's images."""
    from .detector import decode

    found = decode(outputs, score_threshold=score_threshold, max_boxes=100)
    ranked = decode(outputs, score_threshold=0.01, max_boxes=100)  # every score: for the precision-recall curve
    tp = fp = fn = 0
    best_ious: list[float] = []
    by_class = {c: {"scores": [], "hits": [], "true": 0, "tp": 0, "predicted": 0} for c in range(len(classes))}
    result.worst = []
    for item, dets, all_dets, image_id in zip(items, found, ranked, ids, strict=True):
        boxes, labels, scores = _unpack(dets)
        hits, best = match_boxes(item.boxes, item.labels, boxes, labels, scores)
        tp, fp, fn = tp + int(hits.sum()), fp + int((~hits).sum()), fn + len(item.boxes) - int(hits.sum())
        best_ious.extend(best.tolist())
        for c in range(len(classes)):
            by_class[c]["true"] += int(np.sum(item.labels == c))
            by_class[c]["tp"] += int(np.sum(hits & (labels == c)))
            by_class[c]["predicted"] += int(np.sum(labels == c))
        all_boxes, all_labels, all_scores = _unpack(all_dets)
        all_hits, _best = match_boxes(item.boxes, item.labels, all_boxes, all_labels, all_scores)
        for c in range(len(classes)):
            by_class[c]["scores"].extend(all_scores[all_labels == c].tolist())
            by_class[c]["hits"].extend(all_hits[all_labels == c].tolist())
        result.worst.append({"path": paths[image_id], "true": len(item.boxes), "predicted": len(dets),
                             "tp": int(hits.sum()), "fp": int((~hits).sum()), "fn": len(item.boxes) - int(hits.sum()),
                             "mean_iou": float(best.mean()) if len(best) else 1.0})
    result.worst.sort(key=lambda w: (-(w["fp"] + w["fn"]), w["mean_iou"]))
    result.classes = classes
    aps = {c: average_precision(v["scores"], v["hits"], v["true"]) for c, v in by_class.items()}
    present = [c for c, v in by_class.items() if v["true"]]
    result.metrics = {
        "precision": tp / (tp + fp) if tp + fp else 0.0,
        "recall": tp / (tp + fn) if tp + fn else 0.0,
        "mean_iou": float(np.mean(best_ious)) if best_ious else 0.0,
        "map50": float(np.mean([aps[c] for c in present])) if present else 0.0,
        "true_boxes": float(tp + fn), "predicted_boxes": float(tp + fp), "true_positives": float(tp),
        "images": float(len(ids)), "score_threshold": float(score_threshold),
    }
    for c, name in enumerate(classes):
        v = by_class[c]
        result.metrics[f"precision_{name}"] = v["tp"] / v["predicted"] if v["predicted"] else 0.0
        result.metrics[f"recall_{name}"] = v["tp"] / v["true"] if v["true"] else 0.0
        result.metrics[f"ap50_{name}"] = aps[c]
    fig, ax = plt.subplots(figsize=(4.5, 4))
    for c, name in enumerate(classes):
        v = by_class[c]
        if not v["true"] or not v["scores"]:
            continue
        order = np.argsort(-np.asarray(v["scores"]), kind="stable")
        hits = np.asarray(v["hits"], bool)[order]
        cum = np.cumsum(hits)
        ax.plot(cum / v["true"], cum / np.arange(1, len(hits) + 1), label=f"{name} (AP50 {aps[c]:.2f})")
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8)
    fig.tight_layout()
    result.plots["precision_recall"] = _save(fig, out_dir / "precision_recall.png")


def _as_proposed(result: Evaluation, store: Store, run_folder: Path, classes: list[str], outputs, items, ids,
                 score_threshold: float) -> None:
    """What the operator is shown: the proposals' boxes (a best guess where nothing scores ``score_threshold``, then
    the second look of ``ml/second_look.py``) scored as above (precision, recall, mean IoU), and the share of the
    true boxes a proposal of which the operator would accept as it is (``core/boxes/review_cost.py``)."""
    from .second_look import SecondLook, kept_detections

    images = [store.image(image_id) for image_id in ids]
    _edges, shown = SecondLook.of_run(run_folder).apply(
        classes, [(store.abs_path(img), (img.width, img.height)) for img in images],
        kept_detections(outputs, score_threshold))
    tp = predicted = accepted = 0
    best_ious: list[float] = []
    for img, item, dets in zip(images, items, shown, strict=True):
        boxes, labels, scores = _unpack(dets)
        hits, best = match_boxes(item.boxes, item.labels, boxes, labels, scores)
        tp, predicted = tp + int(hits.sum()), predicted + len(dets)
        best_ious.extend(best.tolist())
        scale = np.array([img.width, img.height, img.width, img.height], float)
        decided = review([(classes[k], tuple(np.asarray(box) * scale)) for box, k, _s in dets],
                         [(classes[k], tuple(box * scale)) for box, k in zip(item.boxes, item.labels, strict=True)])
        accepted += decided.count("accepted")
    true = sum(len(item.boxes) for item in items)
    result.metrics.update({
        "proposed_precision": tp / predicted if predicted else 0.0,
        "proposed_recall": tp / true if true else 0.0,
        "proposed_mean_iou": float(np.mean(best_ious)) if best_ious else 0.0,
        "accepted_as_is": accepted / true if true else 0.0,
    })


def _unpack(detections) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    boxes = np.asarray([d[0] for d in detections], float).reshape(-1, 4)
    return boxes, np.asarray([d[1] for d in detections], int), np.asarray([d[2] for d in detections], float)


def _regression(result: Evaluation, y, pred, y_val, val_pred, y_train, out_dir: Path) -> None:
    result.metrics = regression_errors(y, pred)
    grades = np.unique(np.round(np.concatenate([y_train, y_val, y])))
    true_grades = np.round(y)
    if len(grades) > 1:
        cuts = tune_cut_points(val_pred, np.round(y_val), grades) if val_pred is not None and len(val_pred) \
            else (grades[:-1] + grades[1:]) / 2
        result.cut_points = [float(c) for c in cuts]
        result.metrics["grade_accuracy_cuts"] = float(np.mean(grades_with_cuts(pred, grades, cuts) == true_grades))
        result.metrics["grade_accuracy_rounding"] = float(np.mean(rounded_grades(pred, grades) == true_grades))
    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    ax.scatter(y, pred, s=14, alpha=0.7)
    lo, hi = float(min(y.min(), pred.min())), float(max(y.max(), pred.max()))
    ax.plot([lo, hi], [lo, hi], "k--", lw=1)
    ax.set_xlabel("true")
    ax.set_ylabel("predicted")
    fig.tight_layout()
    result.plots["scatter"] = _save(fig, out_dir / "scatter.png")
    groups = [pred[true_grades == g] - y[true_grades == g] for g in grades if np.any(true_grades == g)]
    present = [g for g in grades if np.any(true_grades == g)]
    fig, ax = plt.subplots(figsize=(1.5 + 0.8 * len(present), 4))
    if all(len(g) > 1 for g in groups) and groups:
        ax.violinplot(groups, showmedians=True)
    else:
        ax.boxplot(groups)
    ax.set_xticks(range(1, len(present) + 1), [f"{g:g}" for g in present])
    ax.axhline(0, color="k", lw=0.8)
    ax.set_xlabel("true grade")
    ax.set_ylabel("error (predicted - true)")
    fig.tight_layout()
    result.plots["violin"] = _save(fig, out_dir / "error_violin.png")


def _save(fig, path: Path) -> str:
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return str(path)


def export_misses(db_path: str | Path, evaluation: Evaluation, out: Path) -> list[Path]:
    """Copies of the misclassified images named ``{true}_to_{pred}_{name}``; never overwrites a file."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with Store.open(db_path) as store:
        for miss in evaluation.misclassified:
            src = store.abs_path(miss["path"])
            if link_outside(store.root, src):  # a link leading outside the project is never read
                continue
            prefix = f"{safe_name(miss['true'])}_to_{safe_name(miss['pred'])}_"  # labels never leave ``out``
            target = out / safe_name(prefix + src.name)
            n = 2
            while target.exists():
                target = out / safe_name(f"{prefix}{src.stem} ({n}){src.suffix}")
                n += 1
            shutil.copy2(src, target)
            written.append(target)
    return written
