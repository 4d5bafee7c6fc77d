"""The training loop: a plain function with a job token, run by the CLI and by a QThread worker alike.

Each run is recorded in the store (parameters, per-epoch history, status, model file). Two checkpoints are
written atomically (temporary file + rename) in ``models/run_NNNN/``: ``best.keras`` (lowest val_loss) and
``last.keras`` (every epoch, with the optimizer state, for resuming). A cancel stops within one batch and
keeps what was saved; NaN losses, out-of-memory, missing checkpoints, empty classes and unavailable
ImageNet weights end the run with a plain message and never damage saved files. Every task starts from the
ImageNet MobileNetV2 shipped with the app unless the config says otherwise (:mod:`backbones`).

Scaling: ``train(..., strategy=...)`` builds and compiles the model inside the strategy's scope, so a
``tf.distribute.MirroredStrategy()`` uses every local GPU through ``model.fit``; under a
``MultiWorkerMirroredStrategy()`` (set up from ``TF_CONFIG``, several machines) Keras' ``fit`` cannot train, and
:mod:`.multiworker` trains with a loop of its own, the chief alone recording the run. :func:`strategy_from_name` makes
them for the CLI's ``--distribute``.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from ..core.jobs import JobToken
from ..core.store.db_values import finite
from ..core.store.runs import (
    VALIDATION_TRAINED,
    create_run,
    get_run,
    owner_params,
    recover_interrupted,
    run_dir,
    update_run,
)
from ..core.store.store import Store
from ..core.validate import shown
from .backbones import is_pretrained
from .box_classes import FILE_NAME as BOX_CLASSES_FILE
from .box_classes import fit_for_run as fit_box_classes_for_run
from .config import (  # noqa: F401 - AugmentConfig, EpochPlan, epoch_plan re-exported for train()
    AugmentConfig,
    EpochPlan,
    ParamsError,
    TrainConfig,
    epoch_plan,
    stored_classes,
    stored_size,
)
from .data import (
    BALANCES,
    TaskData,
    collect,
    ensure_split,
    make_dataset,
    make_detect_dataset,
)
from .detector import output_stride
from .device import training_device
from .models import (
    WeightsError,
)
from .refine import FILE_NAME as REFINER_FILE
from .refine import fit_for_run
from .run_parts import (  # noqa: F401 - the run's parts are imported from here too
    MODEL_KINDS,
    RunResult,
    TrainError,
    _atomic_save,
    _build,
    _compile,
    _run_model,
    _run_plan,
    _Snapshots,
    _start_model,
    _train_arrays,
    load_model,
    model_classes,
    model_kind,
    task_model,
    unusable_weights,
)

#: Seconds a worker of ``--distribute multiworker`` waits for every worker of TF_CONFIG to start.
JOIN_TIMEOUT = 600.0
#: A detector's reviewed validation images train too while there are fewer (:func:`few_validation_images_train`).
FEW_VALIDATION_IMAGES = 10


def strategy_from_name(name: str | None, join_timeout: float = JOIN_TIMEOUT):
    """``None``/``default``: one device; ``mirrored``: all local GPUs; ``multiworker``: from TF_CONFIG (this
    process stops after ``join_timeout`` seconds when the other workers have not all started)."""
    if name in (None, "", "default"):
        return tf.distribute.get_strategy()
    if name == "mirrored":
        return tf.distribute.MirroredStrategy()
    if name == "multiworker":
        if "TF_CONFIG" not in os.environ:
            raise TrainError("--distribute multiworker needs TF_CONFIG describing the cluster "
                             "(see docs/training-hardware.md)")
        return _joined_cluster(join_timeout)
    raise TrainError(f"unknown strategy {name!r}: default, mirrored or multiworker")


def _other_workers() -> list[str]:
    """The addresses of TF_CONFIG's cluster but this task's own (none when TF_CONFIG cannot be read)."""
    try:
        config = json.loads(os.environ["TF_CONFIG"])
        own = (config["task"]["type"], config["task"]["index"])
        return [address for kind, addresses in config["cluster"].items() for n, address in enumerate(addresses)
                if (kind, n) != own]
    except (ValueError, KeyError, TypeError, AttributeError):
        return []


#: The watchdog of :func:`_joined_cluster`, a process of its own: this one's threads cannot run while TensorFlow
#: waits (it holds Python's lock). It waits for its input to end (the workers joined) at most TIMEOUT seconds; then it
#: says MESSAGE and stops the worker PID.
_WATCHDOG = """
import os, signal, sys, threading
pid, timeout, message = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
reader = threading.Thread(target=sys.stdin.read, daemon=True)
reader.start()
reader.join(timeout)
if reader.is_alive():
    sys.stderr.write(message + "\\n")
    sys.stderr.flush()
    os.kill(pid, getattr(signal, "SIGKILL", signal.SIGTERM))
"""


def _joined_cluster(timeout: float):
    """``MultiWorkerMirroredStrategy()``, which waits inside TensorFlow, without a limit of its own, for every worker
    of TF_CONFIG to start: a worker that never does would leave this one waiting for ever. After ``timeout`` seconds a
    watchdog process says which workers were waited for and stops this one (nothing was written yet: the run
    starts after the workers have joined)."""
    others = ", ".join(_other_workers()) or "see TF_CONFIG"
    message = (f"error: the other workers ({others}) did not all start within {timeout:.0f} s; stopped. Start every "
               "worker of TF_CONFIG (docs/training-hardware.md)")
    watchdog = subprocess.Popen([sys.executable, "-I", "-c", _WATCHDOG, str(os.getpid()), str(timeout), message],
                                stdin=subprocess.PIPE)
    try:
        return tf.distribute.MultiWorkerMirroredStrategy()
    finally:
        watchdog.stdin.close()  # the workers joined (or TensorFlow gave up): the watchdog ends without a word
        watchdog.wait()


class _JobCallback(keras.callbacks.Callback):
    """Progress by batch, live metrics, cancel within one batch, NaN detection."""

    def __init__(self, job: JobToken, total_epochs: int, steps: int, first_epoch: int):
        super().__init__()
        self.job, self.total_epochs, self.steps, self.first_epoch = job, total_epochs, steps, first_epoch
        self.cancelled = False
        self.nan_at: str | None = None
        self.epoch = first_epoch

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        done = (self.epoch - self.first_epoch) * self.steps + batch + 1
        total = (self.total_epochs - self.first_epoch) * self.steps
        self.job.progress(done, total)
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(float(loss)):
            self.nan_at = f"epoch {self.epoch + 1}, batch {batch + 1}"
            self.model.stop_training = True
        if self.job.cancelled():
            self.cancelled = True
            self.model.stop_training = True
        if batch == 0 or batch + 1 == self.steps:  # the remaining time is the token's to estimate (EtaEstimator)
            self.job.status(f"epoch {self.epoch + 1}/{self.total_epochs}")

    def on_epoch_end(self, epoch, logs=None):
        if not self.cancelled:
            self.job.report({"epoch": epoch + 1, "logs": {k: float(v) for k, v in (logs or {}).items()}})


class _Checkpoints(keras.callbacks.Callback):
    """best.keras on improvement of the monitored value, last.keras every epoch; both atomic. After each epoch's
    files, ``persist(history of this session)`` records the epoch in the store, so a crash loses at most the
    epoch in progress and a resume never takes a worse model for the best."""

    def __init__(self, folder: Path, monitor: str, best: float | None, progress: _JobCallback, persist=None):
        super().__init__()
        self.folder, self.monitor, self.progress, self.persist = folder, monitor, progress, persist
        self.best = best if best is not None else math.inf
        self.history: dict[str, list[float]] = {}

    def on_epoch_end(self, epoch, logs=None):
        if self.progress.cancelled or self.progress.nan_at:
            return  # a cut-short epoch is not an epoch: resuming repeats it
        logs = {k: float(v) for k, v in (logs or {}).items()}
        value = logs.get(self.monitor, logs.get("loss"))
        if value is None or not math.isfinite(value):
            return  # never save a diverged model
        for k, v in logs.items():
            self.history.setdefault(k, []).append(v)
        if value < self.best:
            self.best = value
            _atomic_save(self.model, self.folder / "best.keras")
        _atomic_save(self.model, self.folder / "last.keras")
        if self.persist is not None:
            self.persist(self.history)


#: The detector's learning-rate schedule: warm-up over this share of the batches, decay to this share of the rate.
WARMUP_SHARE = 0.05
FINAL_SHARE = 0.05


class _CosineSchedule(keras.callbacks.Callback):
    """The learning rate of a run over its ``total`` batches: a linear warm-up from a tenth of ``rate`` over the first
    :data:`WARMUP_SHARE`, then a cosine decay to :data:`FINAL_SHARE` of it. The last batches at a low rate settle
    the model: on 100 board photos the detector's held-out mean best IoU rose from 0.48 (constant rate) to 0.55."""

    def __init__(self, rate: float, total: int, progress: _JobCallback):
        super().__init__()
        self.rate, self.total, self.progress = rate, max(1, total), progress
        self.warmup = max(1, round(WARMUP_SHARE * self.total))

    def at(self, step: int) -> float:
        """The rate of batch ``step`` (0-based) of the run."""
        if step < self.warmup:
            return self.rate * (0.1 + 0.9 * step / self.warmup)
        done = min(1.0, (step - self.warmup) / max(1, self.total - self.warmup))
        return self.rate * (FINAL_SHARE + (1 - FINAL_SHARE) * 0.5 * (1 + math.cos(math.pi * done)))

    def on_train_batch_begin(self, batch, logs=None):
        step = (self.progress.epoch - self.progress.first_epoch) * self.progress.steps + batch
        self.model.optimizer.learning_rate = self.at(step)


def train(db_path: str | Path, config: TrainConfig, job: JobToken | None = None, resume: int | None = None,
          start_from: int | None = None, strategy=None) -> RunResult:
    """Train a new run (or ``resume`` run N for ``config.epochs`` more epochs; ``start_from`` run N's best
    model as the initial weights of a new run: the one-click retrain). Returns how it ended."""
    from .multiworker import Start, follow, train_workers  # TensorFlow's multi-worker parts, only when asked

    job = job or JobToken()
    strategy = strategy or tf.distribute.get_strategy()
    start = Start(strategy)  # several workers: how the chief and the others agree; nothing otherwise
    if start.multi and not start.chief:  # the others train beside the chief, writing nothing to the project
        return follow(db_path, config, job, start)
    with start, Store.open(db_path) as store:
        recover_interrupted(store)
        notes: list[str] = []
        classes = None
        if resume is not None:
            previous = get_run(store, resume)
            extra = config.epochs
            what = f"run {previous.id}"
            try:
                config = TrainConfig.from_params(previous.params, notes, what, previous.task)
                classes = stored_classes(previous.params, what) if config.task in ("classify", "detect") else None
            except ParamsError as exc:
                raise TrainError(f"{exc}; it cannot be resumed") from exc
            if stored_size(previous.params, what) is None:
                raise TrainError(f"{what}: its stored input size ({shown(previous.params.get('size'))}) is not a "
                                 "size: it cannot be resumed; train a new run")
            run_id, history = previous.id, previous.history
            first_epoch = previous.epochs
            config.epochs = first_epoch + extra
        else:
            previous, run_id, history, first_epoch = None, None, {}, 0
        start.check_task(config.task)
        if config.balance not in BALANCES:
            raise TrainError(f"unknown balance {config.balance!r}: {', '.join(BALANCES)}")
        unusable_weights(config)
        for note in notes:
            job.status(note)
        ensure_split(store, seed=config.seed)
        data = collect(store, config.task, config.size, job, classes=classes)
        for path, reason in data.problems[:20]:  # images left out (unreadable, or a mask that cannot be used)
            job.status(f"left out of training: {path}: {reason}")
        if run_id is None:
            folded = few_validation_images_train(data, job)
            params = config.as_params()
            params["classes"] = data.classes
            params["counts"] = data.counts()
            params[VALIDATION_TRAINED] = folded > 0
            run_id = create_run(store, config.task, params, parent_id=start_from)
        elif previous.params.get(VALIDATION_TRAINED):  # a resume trains on what the run trained on
            data.fold_validation()
        folder = run_dir(store, run_id)
        folder.mkdir(parents=True, exist_ok=True)
        device = start.device(training_device(strategy))  # a resume records where it trains now
        update_run(store, run_id, status="running",
                   params={**get_run(store, run_id).params, **owner_params(), "device": device})
        job.report({"device": device})
        keras.utils.set_random_seed(config.seed + first_epoch)
        try:
            start.begin(run_id, first_epoch, config.epochs, resume is not None, data)  # the other workers start
            with strategy.scope(), start.variables():
                model = _run_model(config, data, run_id, folder, classes, resume,
                                   None if start_from is None else get_run(store, start_from))
            start.built()
        except (WeightsError, TrainError, ValueError) as exc:
            update_run(store, run_id, status="failed", finished_at=time.time(), message=str(exc))
            raise TrainError(str(exc)) from exc
        if start.multi:
            return train_workers(start, store, run_id, model, config, data, job, history, first_epoch, folder)
        return _fit(store, run_id, model, config, data, job, history, first_epoch, folder)


def few_validation_images_train(data: TaskData, job: JobToken) -> int:
    """A detector's validation images train too while there are fewer than :data:`FEW_VALIDATION_IMAGES` of them
    (a handful of reviewed images scores the epochs by chance, and each one reviewed is a tenth more to learn from
    when there are twenty); the run then keeps its lowest training loss (the last epochs: the learning rate decays
    to nothing). How many moved."""
    if data.task != "detect" or not 0 < len(data.ids["val"]) < FEW_VALIDATION_IMAGES:
        return 0
    moved = data.fold_validation()
    job.status(f"{moved} validation images, too few to judge the epochs: they train too")
    return moved


def _fit(store: Store, run_id: int, model: keras.Model, config: TrainConfig, data: TaskData, job: JobToken,
         history: dict[str, list[float]], first_epoch: int, folder: Path) -> RunResult:
    x, y, weights = _train_arrays(data, config)
    has_val = len(data.x["val"]) > 0
    if config.task == "detect":
        if config.augment.rotate:
            job.status("rotation is not used for detection (a rotated box is no longer tight)")
        seed, stride = config.seed + first_epoch, output_stride(model)  # a run of an earlier version: stride 4
        train_ds = make_detect_dataset(x, y, len(data.classes), config.batch, True, config.augment, seed,
                                       config.hard_negative_weight, stride)
        val_ds = make_detect_dataset(data.x["val"], data.y["val"], len(data.classes), config.batch, False,
                                     hard_negative_weight=config.hard_negative_weight, stride=stride) \
            if has_val else None
    else:
        train_ds = make_dataset(x, y, config.batch, True, config.augment, config.seed, config.task)
        val_ds = make_dataset(data.x["val"], data.y["val"], config.batch, False, task=config.task) \
            if has_val else None
    monitor = "val_loss" if has_val else "loss"
    plan = _run_plan(config, len(x), first_epoch)
    steps = plan.steps
    config.epochs = first_epoch + plan.epochs
    job.report({"plan": plan.as_dict(), "first_epoch": first_epoch})
    progress = _JobCallback(job, config.epochs, steps, first_epoch)
    best_before = min(history.get(monitor, []) or [math.inf])
    best = folder / "best.keras"

    def merged(new: dict[str, list[float]]) -> dict[str, list[float]]:
        return {k: history.get(k, []) + new.get(k, []) for k in {*history, *new}}

    def persist(new: dict[str, list[float]]) -> None:
        update_run(store, run_id, history=merged(new), model_path=str(best) if best.is_file() else None)

    checkpoints = _Checkpoints(folder, monitor, best_before, progress, persist)
    callbacks = [progress, checkpoints]
    if config.task == "detect":  # a resume decays again over the batches it adds
        callbacks.insert(0, _CosineSchedule(config.learning_rate, plan.batches, progress))
    if config.snapshot_every:
        pick = data.x["val"] if has_val else data.x["train"]
        ids = (data.ids["val"] if has_val else data.ids["train"])[:config.snapshot_images]
        callbacks.append(_Snapshots(store, run_id, config.task, pick[:len(ids)], ids, config.snapshot_every))
    started = time.time()
    status, message = "finished", ""
    job.status(f"training {config.task}: {len(x)} images, {steps} batches per epoch")
    job.progress(0, (config.epochs - first_epoch) * steps)  # a new stage: the bar of loading starts again at 0
    try:
        model.fit(validation_data=val_ds, epochs=config.epochs, initial_epoch=first_epoch, class_weight=weights,
                  callbacks=callbacks, verbose=0, **_epochs_of(train_ds, plan))
    except tf.errors.ResourceExhaustedError as exc:
        status, message = "failed", f"out of memory: use a smaller --batch or --size ({exc.message[:200]})"
    except TrainError as exc:  # a checkpoint could not be written
        status, message = "failed", str(exc)
    if progress.nan_at:
        status, message = "failed", (f"the loss became NaN at {progress.nan_at}; the best checkpoint so far is "
                                     "kept. Try a lower learning rate or check the labels")
    elif progress.cancelled:
        status, message = "cancelled", "cancelled; the best checkpoint so far is kept"
    history = merged(checkpoints.history)
    params = get_run(store, run_id).params
    before = params.get("seconds", 0.0)  # a number unless the database was edited
    params["seconds"] = (float(before) if finite(before) else 0.0) + (time.time() - started)
    update_run(store, run_id, history=history, status=status, finished_at=time.time(), message=message,
               model_path=str(best) if best.is_file() else None, params=params)
    if config.task == "detect" and status == "finished" and config.backbone != "small" \
            and is_pretrained(config.weights):
        fit_for_run(store, data.ids["train"], folder / REFINER_FILE, job)  # the proposals' second look
        fit_box_classes_for_run(store, data.ids["train"], folder / BOX_CLASSES_FILE, job)  # and their classes
    return RunResult(run_id, config.task, len(history.get("loss", [])), history,
                     str(best) if best.is_file() else None, status, message)


def _epochs_of(dataset, plan: EpochPlan) -> dict:
    """``model.fit``'s data and epoch length for ``plan``: with few images an epoch goes over them several times
    (``MIN_EPOCH_BATCHES``), the data repeated and the epoch's batches counted; otherwise one pass is an epoch."""
    if plan.passes > 1:
        return {"x": dataset.repeat(), "steps_per_epoch": plan.steps}
    return {"x": dataset, "steps_per_epoch": None}


def fit_detector(config: TrainConfig, x: np.ndarray, items, classes: list[str], job: JobToken,
                 seed: int = 0) -> tuple[keras.Model, bool]:
    """A detector trained in memory on ``x`` and ``items`` (:class:`ImageBoxes`), as a new run would train it (the
    config's model, plan of batches, augmentation and learning-rate schedule), without a run, a validation split or
    checkpoints: for models that judge the project rather than serve it (``ml/out_of_fold.py``). Returns the model
    and whether it trained to the end (not cancelled, no NaN loss)."""
    keras.utils.set_random_seed(seed)
    model = _build(config, TaskData(task="detect", size=config.size, classes=classes))
    _compile(model, config)
    dataset = make_detect_dataset(x, items, len(classes), config.batch, True, config.augment, seed,
                                  config.hard_negative_weight, output_stride(model))
    plan = epoch_plan(config.epochs, config.batch, len(x), config.min_steps)
    progress = _JobCallback(job, plan.epochs, plan.steps, 0)
    callbacks = [_CosineSchedule(config.learning_rate, plan.batches, progress), progress]
    model.fit(epochs=plan.epochs, callbacks=callbacks, verbose=0, **_epochs_of(dataset, plan))
    return model, not (progress.cancelled or progress.nan_at)
