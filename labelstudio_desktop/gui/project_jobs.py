"""Project-level background jobs of the window: import, re-import, export, the demo project."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QStandardPaths
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QMessageBox,
)

from ..core.export import LAYOUTS, ExportError, export_voc
from ..core.importer import import_folder
from ..core.store import Store
from .workers import JobRunner


def demo_folder() -> Path:
    base = QStandardPaths.writableLocation(QStandardPaths.GenericCacheLocation)
    return Path(base) / "labelstudio-desktop" / "demo"


class ExportDialog(QDialog):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Export Pascal VOC"))
        self.layout_box = QComboBox(self)
        for layout in LAYOUTS:
            self.layout_box.addItem(layout, layout)
        self.pending = QCheckBox(self.tr("Include pending proposals"), self)
        self.overwrite = QCheckBox(self.tr("Replace files that already exist"), self)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(self.tr("Layout"), self.layout_box)
        form.addRow(self.pending)
        form.addRow(self.overwrite)
        form.addRow(buttons)


class ProjectJobs(QObject):
    """Runs the window's project jobs one at a time, with progress and cancel in the status bar."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.runner = JobRunner(self)
        self.runner.sig_started.connect(self._started)
        self.runner.sig_progress.connect(self._progress)
        self.runner.sig_status.connect(lambda text: window.job_label.setText(text))
        self.runner.sig_failed.connect(lambda title, msg: QMessageBox.warning(window, title, msg))
        self.runner.sig_stopped.connect(self._stopped)
        self.runner.sig_done.connect(self._done)
        self._after = None

    # ----------------------------------------------------------------- jobs
    def import_new(self, folder: str, db: str | None = None) -> None:
        def job(token):
            with Store.create(folder, db) as store:
                return import_folder(store, job=token)

        self.start(self.tr("Importing {0}").format(Path(folder).name), job,
                   lambda report: self.window.open_project(folder, db))

    def reimport(self) -> None:
        db = str(self.window.store.db_path)

        def job(token):
            with Store.open(db) as store:
                return import_folder(store, job=token)

        def after(report):
            self.window.browser.model.reload()
            self.window.browser.refresh_classes()
            self.window._update_counts()
            self.window.statusBar().showMessage(self.tr(
                "Import: {0} added, {1} refreshed, {2} missing, {3} problems").format(
                report.added, report.refreshed, report.missing, len(report.problems)), 10000)

        self.start(self.tr("Re-importing"), job, after)

    def open_demo(self) -> None:
        folder = demo_folder()
        if (folder / "images" / ".labelstudio" / "project.db").is_file():
            self.window.open_project(str(folder / "images"))
            return

        def job(token):
            from ..core.demo import create_demo_project

            store, report = create_demo_project(folder, job=token)
            store.close()
            return report

        self.start(self.tr("Generating the demo project"), job,
                   lambda report: self.window.open_project(str(folder / "images")))

    def export_dialog(self) -> None:
        out = QFileDialog.getExistingDirectory(self.window, self.tr("Export into folder"))
        if not out:
            return
        dialog = ExportDialog(self.window)
        if not dialog.exec():
            return
        self.export(out, dialog.layout_box.currentData(), dialog.pending.isChecked(), dialog.overwrite.isChecked())

    def export(self, out: str, layout: str, include_pending: bool = False, overwrite: bool = False) -> None:
        db = str(self.window.store.db_path)

        def job(token):
            with Store.open(db) as store:
                try:
                    return export_voc(store, Path(out), layout, include_pending, overwrite, token)
                except ExportError as exc:
                    raise RuntimeError(str(exc)) from exc

        self.start(self.tr("Exporting"), job, lambda report: self.window.statusBar().showMessage(self.tr(
            "Exported {0} images, {1} objects to {2}").format(report.images, report.objects, report.out), 10000))

    # ------------------------------------------------------------ plumbing
    def start(self, title: str, job, after=None) -> bool:
        """Run ``job`` (a function of a job token) in the background; ``after(result)`` when it succeeds."""
        if self.runner.busy():
            return False
        self._after = after
        return self.runner.start(title, job)

    def cancel(self) -> None:
        self.runner.cancel()

    def stop(self) -> None:
        self.runner.stop()

    def _started(self, title: str) -> None:
        w = self.window
        w.job_label.setText(title)
        w.job_progress.setRange(0, 0)
        for widget in (w.job_label, w.job_progress, w.job_cancel):
            widget.setVisible(True)

    def _progress(self, done: int, total: int) -> None:
        self.window.job_progress.setRange(0, max(total, 1))
        self.window.job_progress.setValue(done)

    def _stopped(self, title: str) -> None:
        w = self.window
        for widget in (w.job_label, w.job_progress, w.job_cancel):
            widget.setVisible(False)

    def _done(self, title: str, result) -> None:
        after, self._after = self._after, None
        if after is not None:
            after(result)
