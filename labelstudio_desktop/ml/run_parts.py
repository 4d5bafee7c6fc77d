"""A run's parts that one machine's training (:mod:`.train`) and several machines' (:mod:`.multiworker`) share:
its result and errors, loading and checking model files, building and compiling the model a run trains (new,
resumed or retrained), its training arrays and epoch plan, atomic checkpoint saves and the epoch snapshots.
"""

from __future__ import annotations

import io
import json
import os
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
from PIL import Image

from ..core.store.runs import add_snapshot
from ..core.store.store import Store
from .backbones import APPLICATIONS, PRETRAINED, BackboneAdam, slow_layers, zip_damage
from .config import (
    EpochPlan,
    TrainConfig,
    epoch_plan,
)
from .data import (
    TaskData,
    balanced_indices,
    class_weights,
)
from .detector import build_detector, compile_detector, decode, register_losses
from .models import (
    SEGMENT_LOSSES,
    build_classifier,
    build_regressor,
    build_unet,
    dice_coefficient,
    iou_score,
)


class TrainError(Exception):
    """A run that cannot start or had to stop; the message is plain."""


@dataclass
class RunResult:
    run_id: int
    task: str
    epochs: int
    history: dict[str, list[float]]
    model_path: str | None
    status: str  # finished, cancelled, failed
    message: str = ""
    weights: str | None = None  # several workers: a digest of this worker's final weights (multiworker.weights_digest)

    def as_json(self) -> dict:
        out = {"run": self.run_id, "task": self.task, "epochs": self.epochs, "history": self.history,
               "model": self.model_path, "status": self.status, "message": self.message}
        if self.weights is not None:
            out["weights"] = self.weights
        return out


def load_model(path: str | Path) -> keras.Model:
    """Load a saved model in Keras' safe mode, with a plain message when the file is missing, cut short (a copy
    stopped half-way: not a whole zip archive) or corrupt."""
    path = Path(path)
    if not path.is_file():
        raise TrainError(f"checkpoint {path} is missing")
    if path.suffix == ".keras":
        damage = zip_damage(path)
        if damage:
            raise TrainError(f"checkpoint {path} cannot be loaded: {damage}; retrain the run, or copy the file again")
    register_losses()
    try:
        return keras.models.load_model(str(path), safe_mode=True)
    except Exception as exc:  # noqa: BLE001 - corrupt files raise many kinds of errors
        raise TrainError(f"checkpoint {path} cannot be loaded ({exc.__class__.__name__}: {exc})") from exc


#: What each task's model is called in a message.
MODEL_KINDS = {"classify": "a classifier", "detect": "a detector", "segment": "a U-Net (mask model)",
               "regress": "a regressor"}


def model_kind(model: keras.Model) -> tuple[str | None, str, int | None]:
    """(the task a model's shapes fit, or None; what it is, in words; its square input size or None). A model takes
    one square RGB image; a classifier outputs class scores (N, C), a regressor one value (N, 1), a U-Net a mask at
    the input size (N, S, S, 1), a detector a coarser grid of C heatmaps and 4 box values (N, G, G, C + 4)."""
    inputs, outputs = list(model.inputs), list(model.outputs)
    if len(inputs) != 1 or len(outputs) != 1:
        return None, f"a model of {len(inputs)} inputs and {len(outputs)} outputs", None
    shape_in, shape_out = tuple(inputs[0].shape), tuple(outputs[0].shape)
    if len(shape_in) != 4 or shape_in[1] is None or shape_in[1] != shape_in[2] or shape_in[3] != 3:
        return None, f"a model whose input is {shape_in[1:]}, not a square RGB image", None
    size = int(shape_in[1])
    if len(shape_out) == 2 and shape_out[1] == 1:
        return "regress", "a regressor (one value per image)", size
    if len(shape_out) == 2 and shape_out[1] is not None and shape_out[1] >= 2:
        return "classify", f"a classifier of {shape_out[1]} classes", size
    if len(shape_out) == 4 and shape_out[1:3] == (size, size) and shape_out[3] == 1:
        return "segment", "a U-Net (a mask per image)", size
    if len(shape_out) == 4 and shape_out[1] is not None and shape_out[1] == shape_out[2] and shape_out[1] < size \
            and shape_out[3] is not None and shape_out[3] > 4:
        return "detect", f"a detector of {shape_out[3] - 4} classes", size
    return None, f"a model whose output is {shape_out[1:]}", size


def model_classes(model: keras.Model, task: str) -> int | None:
    """How many classes a classifier or detector of ``task`` outputs (None for the other tasks)."""
    shape = tuple(model.outputs[0].shape)
    return {"classify": shape[-1], "detect": shape[-1] - 4}.get(task)


def task_model(path: str | Path, task: str, classes: list[str] | None = None, size: int | None = None,
               what: str = "the run", notes: list[str] | None = None) -> tuple[keras.Model, int]:
    """The model of a ``task`` run (``what``) loaded from ``path`` and its input size, checked to be that kind of
    model (:func:`model_kind`) for ``classes`` (the run's); a plain :class:`TrainError` naming the file otherwise.
    A stored ``size`` (None: not a usable one) that is not the model's own input size gives way to it, with a note in
    ``notes``."""
    model = load_model(path)
    kind, words, own = model_kind(model)
    if kind != task:
        raise TrainError(f"model {path} ({what}) is {words}, not {MODEL_KINDS.get(task, 'a ' + str(task) + ' model')}")
    count = model_classes(model, task)
    if classes is not None and count is not None and count != len(classes):
        raise TrainError(f"model {path} ({what}) is {words}, but the run names {len(classes)} classes: the run cannot "
                         "be used; train a new one")
    if size != own and notes is not None:
        notes.append(f"{what}: its stored input size is {'not usable' if size is None else size}; the model's own "
                     f"({own} px) used")
    return model, own


def _atomic_save(model: keras.Model, path: Path) -> None:
    """Write to a temporary file, then rename; a failed write (a full disk) leaves no temporary file behind and
    the previous checkpoint untouched, and stops the run with a plain message."""
    tmp = path.with_name(f".{path.stem}.tmp.keras")
    try:
        model.save(str(tmp))
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise TrainError(f"cannot save the checkpoint {path} ({exc.strerror or exc}); the previous checkpoints are "
                         "kept: free some space and resume the run") from exc


# ---------------------------------------------------------------- callbacks
class _Snapshots(keras.callbacks.Callback):
    """Every K epochs: predictions on a few fixed images, stored in the project."""

    def __init__(self, store: Store, run_id: int, task: str, images: np.ndarray, ids: list[int], every: int):
        super().__init__()
        self.store, self.run_id, self.task, self.images, self.ids, self.every = store, run_id, task, images, ids, every

    def on_epoch_end(self, epoch, logs=None):
        if not self.every or (epoch + 1) % self.every:
            return
        predictions = self.model.predict(self.images.astype(np.float32), verbose=0)
        for image_id, pred in zip(self.ids, predictions, strict=True):
            if self.task == "detect":
                boxes = [{"box": [round(v, 4) for v in box], "class": cls, "score": round(score, 4)}
                         for box, cls, score in decode(pred[None], score_threshold=0.3, max_boxes=20)[0]]
                add_snapshot(self.store, self.run_id, epoch + 1, image_id, "boxes", json.dumps(boxes).encode())
            elif self.task == "segment":
                buf = io.BytesIO()
                Image.fromarray((np.clip(pred[..., 0], 0, 1) * 255).astype(np.uint8)).save(buf, "PNG")
                add_snapshot(self.store, self.run_id, epoch + 1, image_id, "mask", buf.getvalue())
            else:
                add_snapshot(self.store, self.run_id, epoch + 1, image_id, "prediction",
                             json.dumps(np.asarray(pred).astype(float).tolist()).encode())


# ---------------------------------------------------------------- training
def _compile(model: keras.Model, config: TrainConfig) -> None:
    """Compile for the task; unfrozen pretrained layers learn at a lower rate (:class:`backbones.BackboneAdam`)."""
    slow = slow_layers(model, config.backbone, config.weights)
    optimizer = BackboneAdam(config.learning_rate, slow_layers=slow)
    if config.task == "classify":
        model.compile(optimizer, "sparse_categorical_crossentropy", metrics=["accuracy"])
    elif config.task == "regress":
        model.compile(optimizer, "mse", metrics=["mae"])
    elif config.task == "detect":
        compile_detector(model, config.learning_rate, slow)
    else:
        if config.loss not in SEGMENT_LOSSES:
            raise TrainError(f"unknown loss {config.loss!r}: {', '.join(SEGMENT_LOSSES)}")
        model.compile(optimizer, SEGMENT_LOSSES[config.loss], metrics=[dice_coefficient, iou_score])


def _build(config: TrainConfig, data: TaskData) -> keras.Model:
    if config.task == "classify":
        return build_classifier(config.size, len(data.classes), config.backbone, config.weights,
                                config.trainable_layers, config.head)
    if config.task == "regress":
        return build_regressor(config.size, backbone=config.backbone, weights=config.weights,
                               trainable_layers=config.trainable_layers)
    if config.task == "detect":
        return build_detector(config.size, len(data.classes), config.backbone, config.weights,
                              config.trainable_layers, stride=config.stride)
    return build_unet(config.size, depth=config.unet_depth, backbone=config.backbone, weights=config.weights,
                      trainable_layers=config.trainable_layers)


def _run_model(config: TrainConfig, data: TaskData, run_id: int, folder: Path, classes: list[str] | None,
               resume: int | None, parent) -> keras.Model:
    """The model a run trains, built by the caller inside its strategy's scope: a resumed run's ``last.keras``, the
    ``parent`` run's (a retrain: :func:`_start_model`), or a new one; compiled."""
    if resume is not None:
        model, size = task_model(folder / "last.keras", config.task, classes, what=f"run {run_id}")
        if size != config.size:
            raise TrainError(f"run {run_id}: its model takes {size} px images, its stored size is "
                             f"{config.size}: it cannot be resumed; train a new run")
        return model
    model = _build(config, data) if parent is None else _start_model(parent, config, data)
    _compile(model, config)
    return model


def unusable_weights(config: TrainConfig) -> None:
    """A plain :class:`TrainError` when ``config.weights`` names a file that its backbone cannot use: the small
    networks train from scratch (``imagenet`` is their default and means nothing to them), so a file given with them
    would be silently ignored; and a missing file."""
    if config.weights in (None, "", "none", PRETRAINED):
        return
    if config.backbone == "small":
        raise TrainError(f"--weights {config.weights}: the small backbone trains from scratch and cannot use a weights "
                         f"file; use a pretrained backbone ({', '.join(APPLICATIONS)}) with it, or --weights none")
    if not Path(config.weights).is_file():
        raise TrainError(f"{config.weights}: weights file not found (use imagenet, none, or a local .h5/.weights.h5)")


def _start_model(parent, config: TrainConfig, data: TaskData) -> keras.Model:
    """The retrain's initial model: the parent's best, or, when the classes changed since (a new box label), a new
    model taking every parent weight whose shape still fits (all but the class outputs)."""
    old, size = task_model(parent.model_path, config.task, what=f"run {parent.id}")
    if size != config.size:
        raise TrainError(f"run {parent.id}: its model takes {size} px images, its stored size is {config.size}: it "
                         "cannot be retrained; train a new run")
    if parent.params.get("classes", data.classes) == data.classes:
        return old
    model = _build(config, data)
    if len(model.layers) == len(old.layers):
        for new_layer, old_layer in zip(model.layers, old.layers, strict=True):
            weights = old_layer.get_weights()
            if [w.shape for w in weights] == [w.shape for w in new_layer.get_weights()]:
                new_layer.set_weights(weights)
    return model


def _train_arrays(data: TaskData, config: TrainConfig) -> tuple[np.ndarray, np.ndarray, dict[int, float] | None]:
    """The training images and targets of a run, balanced as ``config.balance`` says (oversampled or undersampled),
    and the class weights of ``weights`` (None otherwise)."""
    x, y = data.x["train"], data.y["train"]
    if config.task == "classify" and config.balance in ("oversample", "undersample"):
        idx = balanced_indices(data, config.balance, config.seed)
        return x[idx], y[idx], None
    if config.task == "classify" and config.balance == "weights":
        return x, y, class_weights(data)
    return x, y, None


def _run_plan(config: TrainConfig, images: int, first_epoch: int) -> EpochPlan:
    """The epochs and batches of a run on ``images`` training images; a new run gets enough epochs for the optimiser
    to get anywhere (the task's ``min_steps``), a resume does what it was asked."""
    if first_epoch == 0:
        return epoch_plan(config.epochs, config.batch, images, config.min_steps)
    return epoch_plan(config.epochs - first_epoch, config.batch, images)
