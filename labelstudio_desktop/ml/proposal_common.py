"""What the proposal sources share (:mod:`.propose`, :mod:`.cold_start`, :mod:`.calibrate`): the proposals and
the report of one proposing, the checked model of a run, and the images' pixels at a model's input size."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from ..core.boxes.boxes import scale_box
from ..core.images import ImageProblem, load_rgb
from ..core.store.runs import get_run, last_run
from ..core.store.store import Store, StoreError
from .config import ParamsError, stored_classes, stored_size
from .data import resize_square


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


def image_class(img, prior: bool) -> str | None:
    """The label an image's proposals must take under the class prior: its class, unless it has none or the prior
    is off. A background class is returned too (such an image gets no proposal)."""
    return img.label if prior and img.label else None


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


def denormalise(box: tuple[float, float, float, float], width: int, height: int) -> tuple[int, int, int, int]:
    """A box in 0..1 coordinates as pixel edges of a ``width`` x ``height`` image (clamped, never empty)."""
    return scale_box(box, (1, 1), (width, height))


def png_bytes(array01: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray((np.clip(array01, 0, 1) * 255).astype(np.uint8)).save(buf, "PNG")
    return buf.getvalue()
