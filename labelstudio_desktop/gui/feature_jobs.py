"""Image features computed in the background after an import: their own progress and cancel in the status bar.

The job runs beside the window's other jobs (a long feature run never blocks an export or a re-import), in a child
process as training does (TensorFlow never loads into the app: ``process_job.py``), and only when some image needs its
features: whether any does is checked first, without TensorFlow. Stopping it loses nothing: the images done are
stored, and the next run (after the next import) goes on from there. So it is not among the jobs the window asks
about before closing; it is simply stopped.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QProgressBar, QToolButton

from ..core.store.features import EmbedReport, feature_state
from ..core.store.store import Store
from .job_status import translate_status
from .labels import ElidedLabel
from .process_job import in_process
from .workers import JobRunner

TARGET = "labelstudio_desktop.ml.features:embed_project"


class FeatureJobs(QObject):
    """Starts the feature job of the window's project (:meth:`start`), shows its progress, stops it on close."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.runner = JobRunner(self)
        self.label = ElidedLabel(window, max_width=260)
        self.progress = QProgressBar(window)
        self.progress.setMaximumWidth(120)
        self.cancel_button = QToolButton(window)
        self.cancel_button.setText(self.tr("Cancel"))
        self.cancel_button.setToolTip(self.tr("Stop computing image features (the images done are kept; the next "
                                              "import goes on from there)"))
        self.cancel_button.clicked.connect(self.cancel)
        for widget in self.widgets():
            widget.setVisible(False)
            window.statusBar().addPermanentWidget(widget)
        self.runner.sig_started.connect(lambda _title: self._show(True))
        self.runner.sig_progress.connect(self._progress)
        self.runner.sig_status.connect(lambda text: self.label.setToolTip(translate_status(text)))
        self.runner.sig_done.connect(lambda _title, result: self._finished(result))
        self.runner.sig_failed.connect(lambda _title, message: self.window.statusBar().showMessage(
            self.tr("Image features could not be computed: {0}").format(message), 15000))
        self.runner.sig_stopped.connect(self._stopped)
        self._again = False

    def widgets(self) -> tuple:
        return self.label, self.progress, self.cancel_button

    def busy(self) -> bool:
        return self.runner.busy()

    def start(self) -> bool:
        """Compute the features the open project's images lack, in the background (once the running job ends when
        one runs: it would miss the images imported since it began)."""
        store = self.window.store
        if store is None:
            return False
        if self.runner.busy():
            self._again = True
            return False
        db = str(store.db_path)

        def job(token):
            with Store.open(db) as opened:
                state = feature_state(opened)
            if not state.todo:  # nothing to compute: no child process, no TensorFlow
                return EmbedReport.start(state).as_dict()
            return in_process(TARGET, db_path=db)(token)

        self._again = False
        return self.runner.start(self.tr("Image features"), job)

    def cancel(self) -> None:
        self._again = False
        self.runner.cancel()

    def stop(self) -> None:
        self._again = False
        self.runner.stop()

    def _show(self, on: bool) -> None:
        self.label.setText(self.tr("Image features…"))
        self.progress.setRange(0, 0)
        for widget in self.widgets():
            widget.setVisible(on)

    def _progress(self, done: int, total: int) -> None:
        self.label.setText(self.tr("Image features {0}/{1}").format(done, total))
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _finished(self, report: dict) -> None:
        if report.get("done") or report.get("failed"):
            self.window.statusBar().showMessage(self.tr(
                "Image features: {0} computed, {1} already done, {2} failed ({3:.0f} s)").format(
                report["done"], report["skipped"], report["failed"], report["seconds"]), 15000)

    def _stopped(self, _title: str) -> None:
        for widget in self.widgets():
            widget.setVisible(False)
        if self._again:
            self.start()
