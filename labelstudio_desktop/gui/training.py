"""The training dock: configure, train in the background, watch the curves, resume, retrain, evaluate.

TensorFlow runs in a child process (see process_job.py): the app never imports it, never waits for it,
and its long GIL-holding calls cannot freeze the GUI.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core.editing.annotation_work import WORK_TASKS, annotation_work
from ..core.editing.training_needs import train_counts
from ..core.jobs import EtaEstimator, asked_batches
from ..core.store.runs import THRESHOLD_FROM, Run, get_run, last_run, list_runs, recover_interrupted
from ..core.store.store import Store, StoreError
from .evaluation_gallery import EvaluationGallery
from .evaluation_table import EvaluationView
from .job_status import run_status, translate_status
from .labels import FlowLabel, scrolled
from .plots import CurvePlot
from .process_job import in_process
from .run_device import DeviceLine, device_tooltip
from .run_snapshots import SnapshotStrips
from .workers import JobRunner

AUGMENTS = (("hflip", QT_TRANSLATE_NOOP("TrainingPanel", "flip ↔")),
            ("vflip", QT_TRANSLATE_NOOP("TrainingPanel", "flip ↕")),
            ("shift", QT_TRANSLATE_NOOP("TrainingPanel", "shift")),
            ("rotate", QT_TRANSLATE_NOOP("TrainingPanel", "rotate")),
            ("zoom", QT_TRANSLATE_NOOP("TrainingPanel", "zoom")),
            ("brightness", QT_TRANSLATE_NOOP("TrainingPanel", "brightness")),
            ("erase", QT_TRANSLATE_NOOP("TrainingPanel", "random erasing")))
#: The command line's values of --backbone and --balance, shown as they are typed there (names, not words).
BACKBONES = ["mobilenetv2", "small", "resnet50v2", "vgg16"]
BALANCES = ["none", "weights", "oversample", "undersample"]
WATCH_MS = 1000  # how often the visible dock looks whether the project changed (its counts and plan follow)


def retrain_plan(db, notes: list[str] | None = None) -> tuple[int | None, object]:
    """What one click on Retrain trains: (the run to start from or None, the config), or (None, None) when there
    is nothing to retrain. Reviewed boxes make it the detector's job, accepted masks the U-Net's (with both, the
    one trained last: see :func:`~..core.annotation_work.annotation_work`); before either, the last task again.
    The run's stored values that no run can have take their defaults, with a note in ``notes`` each; a run whose
    parameters name no task raises :class:`~..ml.config.ParamsError`."""
    from ..ml.config import TrainConfig

    with Store.open(db) as store:
        task = WORK_TASKS.get(annotation_work(store))
        previous = last_run(store, task) if task else last_run(store)
    if previous is not None:
        return previous.id, TrainConfig.from_params(previous.params, notes, f"run {previous.id}", previous.task)
    return None, (TrainConfig.for_task(task) if task else None)


class TrainingPanel(QWidget):
    """``sig_show_image(image_id)``: open an image (from the misclassified gallery) in the canvas."""

    sig_show_image = Signal(int)

    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.db = str(store.db_path)
        self.runner = JobRunner(self)
        self.clock = time.monotonic  # the time the ETA is measured with
        self.estimator = EtaEstimator()
        self.runner.sig_report.connect(self._epoch)
        self.runner.sig_progress.connect(self._progress)
        self.runner.sig_status.connect(self._status)
        self.runner.sig_done.connect(self._done)
        self.runner.sig_failed.connect(lambda title, msg: self._finished_with(f"{title}: {msg}"))
        self.runner.sig_started.connect(lambda _t: self._running(True))
        self.runner.sig_stopped.connect(lambda _t: self._running(False))
        self.evaluation = None
        self.run_plan: dict | None = None  # what the running training said it will do (ml.config.EpochPlan)
        self._seen_version: tuple[int, int] | None = None
        self.watch = QTimer(self)
        self.watch.setInterval(WATCH_MS)
        self.watch.timeout.connect(self._watch)
        self._build()
        self.refresh_runs()

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        from ..ml.config import DEFAULT_WEIGHTS, TASK_DEFAULTS, TASKS

        self.task = QComboBox(self)
        self.task.addItems(list(TASKS))
        self.task.setItemData(TASKS.index("detect"), self.tr("A box detector trained on the reviewed boxes"),
                              Qt.ToolTipRole)
        self._last_task = self.task.currentText()
        self.task.currentTextChanged.connect(lambda _t: self._task_changed())
        self.backbone = QComboBox(self)
        self.backbone.addItems(BACKBONES)
        self.backbone.setToolTip(self.tr("mobilenetv2: pretrained features, the default; small: each task's own "
                                         "network from scratch (small CNN, plain U-Net, ResNet-style regressor)"))
        self.weights = QLineEdit(DEFAULT_WEIGHTS, self)
        self.weights.setToolTip(self.tr("imagenet: for mobilenetv2 the weights shipped with the app, used offline "
                                        "(resnet50v2, vgg16: downloaded once, needs the internet); none: from "
                                        "scratch; or a local weights file"))
        self.epochs = QSpinBox(self)
        self.epochs.setRange(1, 10000)
        self.epochs.setValue(10)
        self.batch = QSpinBox(self)
        self.batch.setRange(1, 1024)
        self.batch.setValue(16)
        self.size = QSpinBox(self)
        self.size.setRange(16, 1024)
        self.size.setSingleStep(16)
        self.size.setValue(TASK_DEFAULTS[self._last_task]["size"])
        self.lr = QDoubleSpinBox(self)
        self.lr.setDecimals(5)
        self.lr.setRange(1e-5, 1.0)
        self.lr.setValue(1e-3)
        self.balance = QComboBox(self)
        self.balance.addItems(BALANCES)
        self.snapshot_every = QSpinBox(self)
        self.snapshot_every.setRange(0, 1000)
        self.snapshot_every.setSpecialValueText(self.tr("never"))
        self.snapshot_every.setToolTip(self.tr("Store predictions on a few images every K epochs"))
        self.counts = FlowLabel("", self)
        self.plan = FlowLabel("", self)
        self.plan.setToolTip(self.tr("The epochs a run does: with few images an epoch is a few batches, so a task "
                                     "that needs a minimum of batches runs more epochs than asked"))
        self.augment = {}
        aug_box = QGridLayout()
        for n, (key, title) in enumerate(AUGMENTS):
            box = QCheckBox(self.tr(title), self)
            aug_box.addWidget(box, n // 4, n % 4)
            self.augment[key] = box
        form = QFormLayout()
        for label, widget in ((self.tr("Task"), self.task), (self.tr("Backbone"), self.backbone),
                              (self.tr("Weights"), self.weights), (self.tr("Epochs"), self.epochs),
                              (self.tr("Batch"), self.batch), (self.tr("Size"), self.size),
                              (self.tr("Learning rate"), self.lr), (self.tr("Balance"), self.balance),
                              (self.tr("Snapshots every"), self.snapshot_every)):
            form.addRow(label, widget)
        form.addRow(self.counts)
        form.addRow(self.plan)
        form.addRow(DeviceLine(self))  # the device a run trains on (its report)
        for box in (self.epochs, self.batch):
            box.valueChanged.connect(lambda _v: self.refresh_counts())
        self.train_button = QPushButton(self.tr("Train"), self)
        self.train_button.clicked.connect(lambda: self.start())
        self.cancel_button = QPushButton(self.tr("Cancel"), self)
        self.cancel_button.clicked.connect(self.runner.cancel)
        self.cancel_button.setEnabled(False)
        self.preview_button = QPushButton(self.tr("Preview augmentation"), self)
        self.preview_button.clicked.connect(self.preview)
        self.progress = QProgressBar(self)
        self.eta = QLabel(self)
        self.eta.setToolTip(self.tr("Time left, from the measured epochs once one has finished"))
        self.status = FlowLabel("", self)
        self.status.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.plot = CurvePlot(self)
        self.plot.setMinimumHeight(150)  # lower, no layout fits the tick labels and the axis labels

        self.runs = QTreeWidget(self)
        self.runs.setHeaderLabels([self.tr("Run"), self.tr("Task"), self.tr("Status"), self.tr("Epochs"),
                                   self.tr("Best val_loss"), self.tr("From")])
        self.runs.setRootIsDecorated(False)
        self.runs.currentItemChanged.connect(lambda item, _p: self._show_run(item))
        self.resume_button = QPushButton(self.tr("Resume (+epochs)"), self)
        self.resume_button.clicked.connect(self.resume_selected)
        self.evaluate_button = QPushButton(self.tr("Evaluate"), self)
        self.evaluate_button.clicked.connect(self.evaluate_selected)
        self.evaluation_view = EvaluationView(self)
        self.metrics = self.evaluation_view.summary  # run, split and images of the last evaluation
        self.eval_plot = QLabel(self)
        self.gallery = EvaluationGallery(self)
        self.gallery.sig_show_image.connect(self.sig_show_image)
        self.snapshots = SnapshotStrips(self)
        self.misses_button = QPushButton(self.tr("Export misses…"), self)
        self.misses_button.clicked.connect(self.export_misses)
        self.misses_button.setEnabled(False)

        setup = QWidget(self)
        sv = QVBoxLayout(setup)
        sv.addLayout(form)
        sv.addWidget(QLabel(self.tr("Augmentation"), self))
        sv.addLayout(aug_box)
        row = QHBoxLayout()
        for w in (self.train_button, self.cancel_button, self.preview_button):
            row.addWidget(w)
        sv.addLayout(row)
        row = QHBoxLayout()
        row.addWidget(self.progress, 1)
        row.addWidget(self.eta)
        sv.addLayout(row)
        sv.addWidget(self.status)
        sv.addWidget(self.plot, 1)
        runs = QWidget(self)
        rv = QVBoxLayout(runs)
        rv.addWidget(self.runs, 1)
        row = QHBoxLayout()
        row.addWidget(self.resume_button)
        row.addWidget(self.evaluate_button)
        rv.addLayout(row)
        rv.addWidget(self.evaluation_view)
        rv.addWidget(self.eval_plot)
        rv.addWidget(FlowLabel(self.tr("Predictions during training (one strip per image)"), self))
        rv.addWidget(self.snapshots)
        self.gallery_title = FlowLabel(self.tr("Misclassified (click to open)"), self)
        rv.addWidget(self.gallery_title)
        rv.addWidget(self.gallery, 1)
        rv.addWidget(self.misses_button)
        tabs = QTabWidget(self)
        self.setup = setup
        tabs.addTab(scrolled(setup), self.tr("Train"))  # both scroll: the dock never makes the window outgrow the
        tabs.addTab(scrolled(runs), self.tr("Runs"))  # screen (tables, plots, the form on a low screen)
        self.tabs = tabs
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(tabs)
        self._task_changed()

    def wanted_width(self) -> int:
        """The dock width that shows the Train tab's form, buttons and status lines without cutting them."""
        scrollbar = self.style().pixelMetric(self.style().PixelMetric.PM_ScrollBarExtent)
        return self.setup.sizeHint().width() + scrollbar + 16  # the tab's and the layout's margins

    def show_config(self, config) -> None:
        """Set the form to ``config``'s task, size, epochs, batch and augmentation."""
        self.task.setCurrentText(config.task)
        self.size.setValue(config.size)
        self.epochs.setValue(config.epochs)
        self.batch.setValue(config.batch)
        for key, box in self.augment.items():  # each option is on when its amount is (erasing: its probability)
            box.setChecked(bool(getattr(config.augment, "erase_p" if key == "erase" else key)))

    def _task_changed(self) -> None:
        from ..ml.config import TASK_DEFAULTS

        task = self.task.currentText()
        classify = task == "classify"
        self.balance.setEnabled(classify)
        before, after = TASK_DEFAULTS[self._last_task], TASK_DEFAULTS[task]
        self._last_task = task
        # a task's own defaults replace the previous task's, never a value the user chose
        if self.size.value() == before["size"]:
            self.size.setValue(after["size"])
        if self.epochs.value() == before["epochs"]:
            self.epochs.setValue(after["epochs"])
        if {k for k, box in self.augment.items() if box.isChecked()} == set(filter(None, before["augment"].split(","))):
            for key, box in self.augment.items():
                box.setChecked(key in after["augment"].split(","))
        self.refresh_counts()

    def refresh_counts(self) -> None:
        """What the chosen task would train on now, and the epochs that makes (before a run; during one, the
        run's own plan)."""
        from ..ml.config import epoch_plan

        task = self.task.currentText()
        counts = train_counts(self.store, task)
        shown = ", ".join(f"{k} {v}" for k, v in counts.per_class.items()) or self.tr("none yet")
        if task == "detect":
            head = self.tr("Accepted boxes in train images: ") if counts.split else \
                self.tr("Accepted boxes (no split yet: training makes one): ")
            self.counts.setText(head + shown)
        elif task == "classify":
            head = self.tr("Train images per class: ") if counts.split else \
                self.tr("Images per class (no split yet: training makes one): ")
            self.counts.setText(head + shown)
        else:
            self.counts.setText(self.tr("Train images: {0}").format(counts.images))
        if self.run_plan is None and not counts.images:
            self.plan.setText(self.tr("A new run: no training images yet"))
        elif self.run_plan is None:
            config = self.config()
            plan = epoch_plan(config.epochs, config.batch, counts.images, config.min_steps)
            self.plan.setText(self.plan_text(plan.as_dict(), self.tr("A new run: ")))
        self._seen_version = self._version()

    def plan_text(self, plan: dict, head: str) -> str:
        """``head`` + ``300 epochs (batches per epoch: 2)`` and, when the task's minimum of batches raised them, why."""
        text = head + self.tr("{0} epochs (batches per epoch: {1})").format(plan["epochs"], plan["steps"])
        if plan.get("passes", 1) > 1:
            text += self.tr(" ({0} passes over the training images each)").format(plan["passes"])
        if plan.get("raised", plan["epochs"] > plan["asked"]):
            text += self.tr(" ({0} epochs asked, {1} batches: raised to at least {2} batches, since few images make "
                            "short epochs)").format(plan["asked"], asked_batches(plan), plan["min_steps"])
        return text

    def _version(self) -> tuple[int, int]:
        """Changes by this app's connection, and by others' (a training process that made the split)."""
        return self.store.conn.total_changes, self.store.conn.execute("PRAGMA data_version").fetchone()[0]

    def _watch(self) -> None:
        if self.isVisible() and self._version() != self._seen_version:
            self.refresh_counts()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.refresh_counts()
        self.watch.start()

    def hideEvent(self, event) -> None:
        super().hideEvent(event)
        self.watch.stop()

    def config(self):
        from ..ml.config import TASK_DEFAULTS, AugmentConfig, TrainConfig

        names = [k for k, box in self.augment.items() if box.isChecked()]
        task = self.task.currentText()
        defaults = TASK_DEFAULTS[task]  # few images, default epochs: at least the task's minimum of batches
        return TrainConfig(task=task, backbone=self.backbone.currentText(),
                           weights=self.weights.text().strip() or "none", epochs=self.epochs.value(),
                           batch=self.batch.value(), size=self.size.value(), learning_rate=self.lr.value(),
                           augment=AugmentConfig.from_names(names), balance=self.balance.currentText(),
                           snapshot_every=self.snapshot_every.value(),
                           min_steps=defaults.get("min_steps", 0) if self.epochs.value() == defaults["epochs"] else 0)

    # ----------------------------------------------------------------- runs
    def _running(self, on: bool) -> None:
        for w in (self.train_button, self.resume_button, self.evaluate_button):
            w.setEnabled(not on)
        self.cancel_button.setEnabled(on)
        self.estimator.reset()
        self.eta.clear()
        if not on:
            self.run_plan = None

    def start(self, resume: int | None = None, start_from: int | None = None, config=None) -> bool:
        """Train in the background: a new run, ``resume`` run N, or a new run from run N's model."""
        if self.runner.busy():
            return False
        if config is None:
            config = self.config()
        else:
            self.show_config(config)  # the form shows what trains (Retrain chooses its task and settings)
        db = self.db
        with Store.open(db) as store:
            if resume is not None:  # the curves go on where they stopped
                self.plot.set_history(get_run(store, resume).history)
            elif start_from is not None:  # a retrain: the previous run's curves stay, dotted, for comparison
                self.plot.set_history({}, get_run(store, start_from).history, self.tr("run {0}").format(start_from))
            else:
                self.plot.set_history({})
        self.progress.setValue(0)
        self.tabs.setCurrentIndex(0)
        self.status.setText(self.tr("starting TensorFlow…"))
        job = in_process("labelstudio_desktop.ml.train:train", db_path=db, config=config, resume=resume) \
            if start_from is None else \
            in_process("labelstudio_desktop.ml.retrain:retrain", db_path=db, config=config, start_from=start_from)
        return self.runner.start(self.tr("Training"), job)

    def retrain(self) -> bool:
        """One click: once the project has reviewed boxes the box detector, once it has accepted masks the U-Net
        (from its last model, or a new one with the task's defaults); before, the last task again from its last
        model; always on the current reviewed annotations."""
        from ..ml.config import ParamsError

        notes: list[str] = []
        try:
            start_from, config = retrain_plan(self.db, notes)
        except ParamsError as exc:
            QMessageBox.warning(self, self.tr("Retrain"), self.tr("Cannot retrain: {0}").format(str(exc)))
            return False
        if config is None:
            QMessageBox.information(self, self.tr("Retrain"), self.tr("Train a model first."))
            return False
        started = self.start(start_from=start_from, config=config)
        if started and notes:
            self.status.setText(self.tr("Values of the run that cannot be used were replaced: {0}").format(
                "; ".join(notes)))
        return started

    def resume_selected(self) -> bool:
        """Continue the selected run for the number of epochs set above."""
        item = self.runs.currentItem()
        if item is None:
            return False
        from ..ml.config import TrainConfig

        run = item.data(0, Qt.UserRole)
        return self.start(resume=run.id, config=TrainConfig(task=run.task, epochs=self.epochs.value()))

    def _epoch(self, data: dict) -> None:
        if "plan" in data:
            self.run_plan = data["plan"]
            self.plan.setText(self.plan_text(self.run_plan, self.tr("This run: ")))
        if "epoch" in data:
            self.estimator.epoch_finished(self.clock())
            self._show_eta()
            self.plot.add_epoch(data["epoch"], data["logs"])

    def _progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(done)
        self.estimator.progress(done, total, self.clock())
        self._show_eta()

    def _status(self, text: str) -> None:
        self.status.setText(translate_status(text))

    def _show_eta(self) -> None:
        seconds = self.estimator.remaining(self.clock())
        full = self.progress.value() >= self.progress.maximum()  # a finished stage (loading) says nothing yet
        if seconds is None or full:
            self.eta.setText("")
        elif self.estimator.settled:
            self.eta.setText(self.format_eta(seconds))
        else:  # batches alone: validation and checkpoints are not measured before an epoch ends
            self.eta.setText(self.tr("at least {0}").format(self.format_eta(seconds)))

    def format_eta(self, seconds: float) -> str:
        """``42 s left``, ``3 min 05 s left``, ``2 h 07 min left``."""
        seconds = round(seconds)
        if seconds < 60:
            return self.tr("{0} s left").format(seconds)
        if seconds < 3600:
            return self.tr("{0} min {1:02d} s left").format(seconds // 60, seconds % 60)
        return self.tr("{0} h {1:02d} min left").format(seconds // 3600, seconds % 3600 // 60)

    def _done(self, title: str, result) -> None:
        self.refresh_runs(keep_selection=hasattr(result, "metrics"))  # an evaluation shows the run it evaluated
        self.refresh_counts()  # a run may have made the split
        if hasattr(result, "metrics"):  # an Evaluation
            self.show_evaluation(result)
        elif hasattr(result, "status"):  # a RunResult
            text = self.tr("Run {0}: {1} after {2} epochs").format(result.run_id, run_status(result.status),
                                                                    result.epochs)
            with Store.open(self.db) as store:
                run = get_run(store, result.run_id)
                compared = self.comparison(get_run(store, run.parent_id), run) if run.parent_id is not None else ""
            self._finished_with("\n".join(line for line in (text, compared, self.carried_threshold(run),
                                                             result.message) if line))

    def _finished_with(self, text: str) -> None:
        self.status.setText(text)

    def carried_threshold(self, run: Run) -> str:
        """What a retrained detector's next proposals keep, and where that threshold came from (``ml/retrain.py``);
        empty when nothing was carried (or the record holds values no run writes)."""
        from ..ml.config import stored_number

        source, tuned = run.params.get(THRESHOLD_FROM), run.params.get("proposal_params")
        if not isinstance(source, dict) or not isinstance(tuned, dict):
            return ""
        threshold = stored_number(tuned.get("threshold"), float, 0.0, 1.0)
        previous = stored_number(source.get("run"), int, 1, 2 ** 62)
        images = stored_number(source.get("images"), int, 0, 2 ** 62)
        if threshold is None or previous is None or images is None:
            return ""
        if images:
            return self.tr("The next proposals keep detections scoring {0:.2f} or more: run {1}'s threshold, "
                           "calibrated on the {2} reviewed images it did not train on.").format(threshold, previous,
                                                                                                 images)
        return self.tr("The next proposals keep detections scoring {0:.2f} or more: run {1}'s calibrated "
                       "threshold.").format(threshold, previous)

    @staticmethod
    def comparison(before: Run, after: Run) -> str:
        keys = sorted(k for k in after.history if k.startswith("val_") and before.history.get(k))
        parts = []
        for key in keys:
            better = min if "loss" in key or "mae" in key else max
            parts.append(f"{key}: {better(before.history[key]):.4f} → {better(after.history[key]):.4f}")
        if not parts:  # nothing both runs measured (a detector whose few validation images trained too)
            return ""
        head = QCoreApplication.translate("TrainingPanel", "run {0} → run {1}: ").format(before.id, after.id)
        return head + ", ".join(parts)

    def refresh_runs(self, keep_selection: bool = False) -> None:
        """List the runs again with the newest selected, or with ``keep_selection`` the one selected now."""
        current = self.runs.currentItem() if keep_selection else None
        keep = current.data(0, Qt.UserRole).id if current is not None else None
        self.runs.clear()
        recover_interrupted(self.store)  # a run whose process died shows as interrupted, ready to resume
        for run in list_runs(self.store):
            best = run.best()
            item = QTreeWidgetItem([str(run.id), run.task, run_status(run.status), str(run.epochs),
                                    f"{best:.4f}" if best is not None else "-",
                                    str(run.parent_id or "")])
            item.setData(0, Qt.UserRole, run)
            device_tooltip(item, run)
            self.runs.addTopLevelItem(item)
        items = [self.runs.topLevelItem(n) for n in range(self.runs.topLevelItemCount())]
        kept = next((i for i in items if i.data(0, Qt.UserRole).id == keep), None)
        if items:
            self.runs.setCurrentItem(kept or items[-1])

    def _show_run(self, item: QTreeWidgetItem | None) -> None:
        if item is None or self.runner.busy():
            return
        run: Run = item.data(0, Qt.UserRole)
        try:
            parent = get_run(self.store, run.parent_id) if run.parent_id is not None else None
        except StoreError:  # a parent the database names but does not hold
            parent = None
        self.plot.set_history(run.history, parent.history if parent else None,
                              self.tr("run {0}").format(parent.id) if parent else "")
        self.show_snapshots(run)

    def show_snapshots(self, run: Run) -> None:
        """Per image, its predictions every K epochs (:class:`.run_snapshots.SnapshotStrips`)."""
        self.snapshots.show_run(self.store, run)

    # ------------------------------------------------------------- evaluation
    def evaluate_selected(self) -> bool:
        item = self.runs.currentItem()
        run_id = item.data(0, Qt.UserRole).id if item is not None else None
        return self.runner.start(self.tr("Evaluating"), in_process(
            "labelstudio_desktop.ml.evaluate:evaluate", db_path=self.db, run_id=run_id))

    def show_evaluation(self, evaluation) -> None:
        self.evaluation = evaluation
        self.tabs.setCurrentIndex(1)
        self.evaluation_view.show_evaluation(evaluation)
        self.gallery_title.setText(self.tr("Most errors first (click to open)") if evaluation.task == "detect"
                                   else self.tr("Misclassified (click to open)"))
        first_plot = next(iter(evaluation.plots.values()), None)
        self.eval_plot.setPixmap(QPixmap(first_plot).scaledToWidth(320, Qt.SmoothTransformation)
                                 if first_plot else QPixmap())
        self.gallery.show_evaluation(self.store, evaluation)
        self.misses_button.setEnabled(bool(evaluation.misclassified))

    def export_misses(self) -> None:
        if self.evaluation is None:
            return
        out = QFileDialog.getExistingDirectory(self, self.tr("Copy misclassified images into"))
        if out:
            from ..ml.evaluate import export_misses

            written = export_misses(self.db, self.evaluation, Path(out))
            self.status.setText(self.tr("{0} images copied to {1}").format(len(written), out))

    # ------------------------------------------------------------- preview
    def preview(self) -> None:
        from .augment_preview import AugmentPreview

        AugmentPreview(self.store, self.config(), self).exec()
