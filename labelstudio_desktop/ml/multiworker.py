"""Training on several machines: ``tf.distribute.MultiWorkerMirroredStrategy`` with a training loop of its own.

Keras 3's ``model.fit`` cannot train under that strategy (it stops at the first batch with "Attempt to convert a value
(PerReplica...)", keras-team/keras#20585), so each batch is a ``tf.function`` step run by ``strategy.run`` on every
worker: the loss of the task (the compiled one's, per image), the gradients summed across the workers by the optimizer
(Keras' ``apply_gradients`` all-reduces them in a replica context), the same update applied everywhere. The run's data
pipeline is :func:`.data.make_dataset`'s; each worker takes every n-th training image (``distribute_datasets_from_
function``), a batch of ``--batch`` images in all, shared between the workers. BatchNorm's moving statistics (and
every other variable a layer updates itself) are averaged across the workers at each update
(:meth:`Start.variables`), so every worker ends with the same weights, bit for bit (:func:`weights_digest`).

The chief (task 0) alone writes: it records the run in the project database and saves ``best.keras`` and
``last.keras``; the other workers only read the database (after the chief has created the run and made the split)
and write nothing to the project. Workers agree at each stage (:class:`Start`): when one cannot go on (no
data, an unreadable image folder, a failed checkpoint), the others stop with a plain message instead of waiting.

Tasks: classify and regress (a loss that is a mean over images); segment (a dice loss over the batch) and detect
(its own losses and learning-rate schedule) train on one machine only.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import time
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from ..core.jobs import JobToken
from ..core.store.db_values import finite
from ..core.store.runs import get_run, run_dir, update_run
from ..core.store.store import Store, StoreError
from .config import ParamsError, TrainConfig, stored_classes
from .data import TaskData, collect, make_dataset
from .device import training_device
from .models import WeightsError
from .run_parts import (
    RunResult,
    TrainError,
    _atomic_save,
    _run_model,
    _run_plan,
    _Snapshots,
    _train_arrays,
)

#: The tasks a multi-worker run trains, and the metric each logs beside its loss (as ``model.fit`` names it).
METRICS = {"classify": "accuracy", "regress": "mae"}

#: How many numbers each stage of :class:`Start` exchanges, the first (how many workers failed) included.
_STAGES = {"start": 5, "data": 5, "model": 1}
_NEXT = {"start": "data", "data": "model", "model": None}


def is_multiworker(strategy) -> bool:
    return isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)


def unsupported(task: str) -> str | None:
    """Why a ``task`` run cannot train on several workers (None: it can)."""
    if task in METRICS:
        return None
    return (f"--distribute multiworker trains classify and regress runs, not {task}: a {task} run trains on one "
            "machine (--distribute mirrored uses all of its GPUs)")


class Start:
    """How the workers of a run agree while it starts: the chief tells the run it created (``start``), every worker
    says whether it read the same data (``data``) and built the model (``model``). Each stage is a collective every
    worker must reach, in the same order; leaving the ``with`` block by an exception sends the failure of the stage
    due, so that no worker waits forever for one that gave up. Under another strategy it does nothing."""

    def __init__(self, strategy):
        self.strategy = strategy
        self.multi = is_multiworker(strategy)
        self.index, self.workers, self.chief = 0, 1, True
        self.pending: str | None = None
        self._total = None
        if self.multi:
            resolver = strategy.cluster_resolver
            spec = resolver.cluster_spec()
            chiefs = spec.num_tasks("chief") if "chief" in spec.jobs else 0
            self.workers = chiefs + (spec.num_tasks("worker") if "worker" in spec.jobs else 0)
            self.index = int(resolver.task_id or 0) + (chiefs if resolver.task_type == "worker" else 0)
            self.chief = bool(strategy.extended.should_checkpoint)
            self.pending = "start"

    def __enter__(self) -> Start:
        return self

    def __exit__(self, kind, exc, tb) -> bool:
        if self.pending and kind is not None and issubclass(kind, Exception):
            stage, self.pending = self.pending, None
            with contextlib.suppress(Exception):  # the others then stop; this worker's own error is the one to tell
                self.agree([1.0] + [0.0] * (_STAGES[stage] - 1))
        return False

    # ------------------------------------------------------------ collectives
    def agree(self, values) -> np.ndarray:
        """The sum over the workers of each one's ``values`` (float64); every worker must call it at the same
        point. Several replicas on a worker count the worker once."""
        if self._total is None:  # one function for every call (any length)
            @tf.function(input_signature=[tf.TensorSpec([None], tf.float64)])
            def total(value):
                return self.strategy.run(
                    lambda: tf.distribute.get_replica_context().all_reduce("SUM", tf.identity(value)))

            self._total = total
        local = max(1, len(self.strategy.extended.worker_devices))
        vector = tf.constant(np.asarray(values, np.float64))
        return self.strategy.experimental_local_results(self._total(vector))[0].numpy() / local

    def _stage(self, name: str, values: list[float]) -> np.ndarray:
        assert self.pending == name and len(values) + 1 == _STAGES[name], (self.pending, name, values)
        self.pending = None  # a collective that fails cannot be answered again
        total = self.agree([0.0, *values])
        self.pending = _NEXT[name]
        if total[0]:
            self.pending = None
            raise TrainError(self._failed(name, int(total[0])))
        return total[1:]

    def _failed(self, stage: str, count: int) -> str:
        if stage == "start":
            return f"worker {self.index}: the chief (worker 0) could not start the run; its output says why"
        others = f"{count} worker{'s' if count > 1 else ''}"
        if stage == "data":
            return (f"{others} of {self.workers} could not read the project's images (each needs the project folder at "
                    "the same path, e.g. a shared folder); their output says why")
        return f"{others} of {self.workers} could not build the model; their output says why"

    # ------------------------------------------------------------ the stages
    def check_task(self, task: str) -> None:
        if self.multi and unsupported(task):
            raise TrainError(unsupported(task))

    def device(self, text: str) -> str:
        """Where the run trains, in words: ``text`` (this machine's device), and which worker of how many."""
        if not self.multi:
            return text
        return f"{text} on the chief of {self.workers} workers" if self.chief else \
            f"{text} on worker {self.index} of {self.workers}"

    def begin(self, run_id: int, first_epoch: int, epochs: int, resumed: bool, data: TaskData) -> None:
        """The chief: the run is in the database and the data loaded; the others may read them now."""
        if self.multi:
            self._stage("start", [run_id, first_epoch, epochs, float(resumed)])
            self.data(data)

    def receive(self, task: str) -> tuple[int, int, int, bool]:
        """Another worker: (run id, first epoch, last epoch, whether it resumes) of the run the chief started."""
        try:
            run_id, first_epoch, epochs, resumed = self._stage("start", [0.0, 0.0, 0.0, 0.0])
        except TrainError:
            if unsupported(task):
                raise TrainError(unsupported(task)) from None
            raise
        return int(run_id), int(first_epoch), int(epochs), bool(resumed)

    def data(self, data: TaskData) -> None:
        """Every worker loaded the same number of training and validation images (of the same database)."""
        if not self.multi:
            return
        train, val = len(data.x["train"]), len(data.x["val"])
        total = self._stage("data", [train, train ** 2, val, val ** 2])
        # all equal when n * sum(c^2) == sum(c)^2 (no spread); every worker reaches the same verdict
        if self.workers * total[1] != total[0] ** 2 or self.workers * total[3] != total[2] ** 2:
            raise TrainError(f"the workers do not see the same project: {total[0] / self.workers:g} training images "
                             f"on average, {train} here; each needs the project folder at the same path")
        if train < self.workers:
            raise TrainError(f"{train} training images for {self.workers} workers: each needs one at least")

    def built(self) -> None:
        if self.multi:
            self._stage("model", [])

    def variables(self):
        """The scope the model is built (or loaded) in: a variable that a layer updates itself in training and that
        Keras creates without an aggregation (BatchNorm's moving mean and variance, a dropout's seed) is averaged
        across the workers (floats) or taken from the first one (integers) at each update; otherwise each worker
        would keep its own statistics and the saved model would be the chief's alone."""
        if not self.multi:
            return contextlib.nullcontext()

        def creator(next_creator, **kwargs):
            if not kwargs.get("trainable", True) and kwargs.get("aggregation") in (None, tf.VariableAggregation.NONE):
                dtype = kwargs.get("dtype")
                floating = dtype is not None and tf.as_dtype(dtype).is_floating
                kwargs["aggregation"] = tf.VariableAggregation.MEAN if floating else \
                    tf.VariableAggregation.ONLY_FIRST_REPLICA
            return next_creator(**kwargs)

        return tf.variable_creator_scope(creator)


def weights_digest(model: keras.Model) -> str:
    """SHA-256 of every weight of ``model`` (trainable or not: BatchNorm's statistics too), in order: two workers
    that ended with the same model give the same digest, and so does the saved model loaded again."""
    digest = hashlib.sha256()
    for weight in model.weights:
        value = np.ascontiguousarray(keras.ops.convert_to_numpy(weight))
        digest.update(f"{value.dtype}{value.shape}".encode())
        digest.update(value.tobytes())
    return digest.hexdigest()


def follow(db_path: str | Path, config: TrainConfig, job: JobToken, start: Start) -> RunResult:
    """A worker that is not the chief: waits for the chief's run, reads its settings and data from the project
    (read-only), builds the same model (a new one, the resumed run's last or the parent run's best, as the chief does)
    and trains beside the chief. Nothing is written to the project. ``config``: this worker's own, for its task."""
    strategy = start.strategy
    job.report({"device": start.device(training_device(strategy))})
    with start:
        run_id, first_epoch, epochs, resumed = start.receive(config.task)
        try:
            with Store.open(db_path, readonly=True) as store:
                run = get_run(store, run_id)
                what = f"run {run_id}"
                notes: list[str] = []
                config = TrainConfig.from_params(run.params, notes, what, run.task)  # as the chief recorded it
                classes = stored_classes(run.params, what) if config.task in ("classify", "detect") else None
                config.epochs = epochs
                for note in notes:
                    job.status(note)
                data = collect(store, config.task, config.size, job, classes=classes)
                folder = run_dir(store, run_id)
                history = run.history
                parent = get_run(store, run.parent_id) if run.parent_id is not None and not resumed else None
        except (ParamsError, StoreError) as exc:
            raise TrainError(f"worker {start.index}: {exc} (every worker needs the chief's project folder, at the same "
                             "path: e.g. a shared folder)") from exc
        start.data(data)
        keras.utils.set_random_seed(config.seed + first_epoch)
        try:
            with strategy.scope(), start.variables():
                model = _run_model(config, data, run_id, folder, classes, run_id if resumed else None, parent)
        except (WeightsError, ValueError) as exc:
            raise TrainError(f"worker {start.index}: {exc}") from exc
        start.built()
    return train_workers(start, None, run_id, model, config, data, job, history, first_epoch, None)


# ---------------------------------------------------------------- the training loop
def _loss_and_metric(task: str):
    """Per-image loss and metric of ``task``, as ``model.compile`` of :func:`.train._compile` defines them."""
    if task == "classify":
        def loss(targets, pred):
            return keras.losses.sparse_categorical_crossentropy(targets, pred)

        def metric(targets, pred):
            return tf.cast(tf.equal(tf.argmax(pred, axis=-1), tf.cast(targets, tf.int64)), tf.float32)
    else:
        def loss(targets, pred):
            return tf.square(tf.cast(targets, tf.float32) - pred[:, 0])

        def metric(targets, pred):
            return tf.abs(tf.cast(targets, tf.float32) - pred[:, 0])
    return loss, metric


class _Inference:
    """What :class:`.train._Snapshots` calls ``predict`` on: the model called directly (Keras' predict loop is not
    used under this strategy)."""

    def __init__(self, model: keras.Model):
        self.model = model

    def predict(self, images, verbose=0) -> np.ndarray:
        return keras.ops.convert_to_numpy(self.model(tf.constant(images), training=False))


def train_workers(start: Start, store: Store | None, run_id: int, model: keras.Model, config: TrainConfig,
                  data: TaskData, job: JobToken, history: dict[str, list[float]], first_epoch: int,
                  folder: Path | None) -> RunResult:
    """Train ``model`` on every worker at once; the chief (``store`` and ``folder`` given) saves the checkpoints and
    records each epoch as :func:`.train._fit` does, the others (``store`` None) write nothing."""
    strategy = start.strategy
    chief = store is not None
    x, y, class_weight = _train_arrays(data, config)
    has_val = len(data.x["val"]) > 0
    monitor = "val_loss" if has_val else "loss"
    metric_name = METRICS[config.task]
    plan = _run_plan(config, len(x), first_epoch)
    steps = plan.steps
    config.epochs = first_epoch + plan.epochs
    job.report({"plan": plan.as_dict(), "first_epoch": first_epoch})
    replicas = strategy.num_replicas_in_sync
    per_replica = max(1, math.ceil(config.batch / replicas))
    job.status(f"worker {start.index} of {start.workers}: batches of "  # worker 0 is the chief
               f"{per_replica * replicas} images, {per_replica} on each of {replicas} replicas")

    def pipeline(context: tf.distribute.InputContext):
        part, parts = context.input_pipeline_id, context.num_input_pipelines
        return make_dataset(x[part::parts], y[part::parts], per_replica, True, config.augment, config.seed,
                            config.task).repeat()

    batches = iter(strategy.distribute_datasets_from_function(pipeline))
    loss_of, metric_of = _loss_and_metric(config.task)
    weight_of = None
    if class_weight:
        weight_of = tf.constant([class_weight.get(k, 1.0) for k in range(len(data.classes))], tf.float32)

    @tf.function
    def step(iterator, stop):
        def replica_step(batch, stop):
            images, targets = batch
            context = tf.distribute.get_replica_context()
            count = tf.cast(tf.shape(targets)[0], tf.float32)
            total = context.all_reduce("SUM", count)  # the batch across the workers: its loss is a mean over it
            weights = tf.ones(tf.shape(targets)[:1]) if weight_of is None else tf.gather(weight_of, targets)
            with tf.GradientTape() as tape:
                pred = model(images, training=True)
                loss = tf.reduce_sum(loss_of(targets, pred) * weights) / tf.maximum(total, 1.0)
                if model.losses:
                    loss += tf.add_n(model.losses) / replicas
            grads = tape.gradient(loss, model.trainable_variables)
            model.optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
            metric = tf.reduce_sum(metric_of(targets, pred) * weights)
            return context.all_reduce("SUM", tf.stack([loss, count, metric, tf.reduce_sum(weights), stop]))

        return strategy.run(replica_step, args=(next(iterator), stop))

    val_x, val_y = data.x["val"][start.index::start.workers], data.y["val"][start.index::start.workers]
    infer = tf.function(lambda images: model(images, training=False))

    def validate() -> np.ndarray:  # this worker's share of the validation images, summed over the workers
        sums = np.zeros(4)
        if len(val_x):
            for images, targets in make_dataset(val_x, val_y, config.batch, False, task=config.task):
                pred = infer(images)
                sums += [float(tf.reduce_sum(loss_of(targets, pred))), len(targets),
                         float(tf.reduce_sum(metric_of(targets, pred))), len(targets)]
        return start.agree(sums)

    best = min(history.get(monitor, []) or [math.inf])
    session: dict[str, list[float]] = {}
    best_path = folder / "best.keras" if chief else None

    def merged() -> dict[str, list[float]]:
        return {k: history.get(k, []) + session.get(k, []) for k in {*history, *session}}

    snapshots = None
    if chief and config.snapshot_every:
        pick = data.x["val"] if has_val else data.x["train"]
        ids = (data.ids["val"] if has_val else data.ids["train"])[:config.snapshot_images]
        snapshots = _Snapshots(store, run_id, config.task, pick[:len(ids)], ids, config.snapshot_every)
        snapshots.set_model(_Inference(model))
    started = time.time()
    status, message, nan_at, cancelled = "finished", "", None, False
    total_batches = (config.epochs - first_epoch) * steps
    job.status(f"training {config.task}: {len(x)} images, {steps} batches per epoch")
    job.progress(0, total_batches)
    try:
        for epoch in range(first_epoch, config.epochs):
            sums = np.zeros(4)
            for batch in range(steps):
                out = strategy.experimental_local_results(step(batches, tf.constant(float(job.cancelled()))))[0]
                out = out.numpy().astype(np.float64)
                if not math.isfinite(out[0]):
                    nan_at = f"epoch {epoch + 1}, batch {batch + 1}"
                    break
                if out[4]:  # a worker was cancelled: all stop at the same batch
                    cancelled = True
                    break
                sums += [out[0] * out[1], out[1], out[2], out[3]]
                job.progress((epoch - first_epoch) * steps + batch + 1, total_batches)
                if batch == 0 or batch + 1 == steps:
                    job.status(f"epoch {epoch + 1}/{config.epochs}")
            if nan_at or cancelled:
                break  # a cut-short epoch is not an epoch: resuming repeats it
            logs = {"loss": sums[0] / max(sums[1], 1.0), metric_name: sums[2] / max(sums[3], 1e-12)}
            if has_val:
                val = validate()
                logs.update({"val_loss": val[0] / max(val[1], 1.0), f"val_{metric_name}": val[2] / max(val[3], 1.0)})
            job.report({"epoch": epoch + 1, "logs": logs})
            failed = ""
            value = logs.get(monitor, logs["loss"])
            if math.isfinite(value):  # never record or save a diverged model (as _Checkpoints)
                for k, v in logs.items():
                    session.setdefault(k, []).append(v)
                if chief:
                    try:
                        if value < best:
                            best = value
                            _atomic_save(model, best_path)
                        _atomic_save(model, folder / "last.keras")
                        update_run(store, run_id, history=merged(),
                                   model_path=str(best_path) if best_path.is_file() else None)
                        if snapshots is not None:
                            snapshots.on_epoch_end(epoch)
                    except TrainError as exc:
                        failed = str(exc)
            if start.agree([1.0 if failed else 0.0])[0]:  # the others wait for the chief's files of the epoch
                status, message = "failed", failed or "the chief (worker 0) could not save the checkpoint; its " \
                                                      "output says why"
                break
    except tf.errors.ResourceExhaustedError as exc:
        status, message = "failed", f"out of memory: use a smaller --batch or --size ({exc.message[:200]})"
    except tf.errors.OpError as exc:  # a worker gone (killed, its machine down, the network cut): the others stop
        status, message = "failed", (f"the workers lost each other ({exc.__class__.__name__}: a worker stopped, or "
                                     "the network between them failed); the best checkpoint so far is kept: resume "
                                     f"the run (--resume {run_id}) on every worker")
    if nan_at:
        status, message = "failed", (f"the loss became NaN at {nan_at}; the best checkpoint so far is kept. Try a "
                                     "lower learning rate or check the labels")
    elif cancelled:
        status, message = "cancelled", "cancelled; the best checkpoint so far is kept"
    digest = weights_digest(model)
    everything = merged()
    epochs = len(everything.get("loss", []))
    if not chief:
        note = f"worker {start.index} of {start.workers}: the chief (worker 0) records run {run_id} and saves its model"
        return RunResult(run_id, config.task, epochs, everything, None, status,
                         f"{message}; {note}" if message else note, digest)
    params = get_run(store, run_id).params
    before = params.get("seconds", 0.0)
    params["seconds"] = (float(before) if finite(before) else 0.0) + (time.time() - started)
    model_path = str(best_path) if best_path.is_file() else None
    update_run(store, run_id, history=everything, status=status, finished_at=time.time(), message=message,
               model_path=model_path, params=params)
    return RunResult(run_id, config.task, epochs, everything, model_path, status, message, digest)
