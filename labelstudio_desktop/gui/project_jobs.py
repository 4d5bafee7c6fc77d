"""Project-level background jobs of the window: import, re-import, mask import, export, the demo project."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QStandardPaths
from PySide6.QtWidgets import QFileDialog, QMessageBox

from ..core.formats.writing import ExportError
from ..core.store.store import Store
from ..core.transfer.importer import ImportReport, import_folder
from ..core.transfer.mask_import import NOT_USED, MaskCounts
from .export_dialog import ExportChoice, ExportDialog, app_wording, run_export
from .image_notes import translate_note
from .job_status import translate_status
from .workers import JobRunner

#: The demo `make run` opens (the Makefile's DEMO and DEMO_ANNOTATED; a test keeps the two the same): part of its
#: images come with their true boxes and masks, so every model can be trained at once.
DEMO_NAME = "demo-annotated"
DEMO_ANNOTATED = 0.3
MAX_LISTED = 8  # problems listed in a message box; the rest under "Show Details"


def demo_folder() -> Path:
    base = QStandardPaths.writableLocation(QStandardPaths.GenericCacheLocation)
    return Path(base) / "labelstudio-desktop" / DEMO_NAME


def _below(path: str, folder: Path) -> str:
    """``path`` relative to ``folder`` when it lies inside it (mask files are named by their place in it)."""
    try:
        return Path(path).relative_to(folder).as_posix()
    except ValueError:
        return path


class ProjectJobs(QObject):
    """Runs the window's project jobs one at a time, with progress and cancel in the status bar."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.runner = JobRunner(self)
        self.runner.sig_started.connect(self._started)
        self.runner.sig_progress.connect(self._progress)
        self.runner.sig_status.connect(lambda text: window.job_label.setText(translate_status(text)))
        self.runner.sig_failed.connect(self._failed)
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
            self._reload_project()
            self.announce(self.tr("Import: {0} added, {1} refreshed, {2} missing, {3} problems").format(
                report.added, report.refreshed, report.missing, len(report.problems)), 10000)

        self.start(self.tr("Re-importing"), job, after)

    def import_masks_dialog(self) -> None:
        """Pick a folder of mask images and import it (matched to the project's images by file stem)."""
        start = self.window.settings.value("import/masks_folder", str(self.window.store.root.parent))
        folder = QFileDialog.getExistingDirectory(self.window, self.tr("Import masks from folder"), start)
        if folder:
            self.window.settings.setValue("import/masks_folder", folder)
            self.import_masks(folder)

    def import_masks(self, folder: str) -> None:
        db = str(self.window.store.db_path)

        def job(token):
            with Store.open(db) as store:
                return import_folder(store, job=token, masks=Path(folder))

        self.start(self.tr("Importing masks from {0}").format(Path(folder).name), job,
                   lambda report: self._masks_imported(report, Path(folder)))

    def _masks_imported(self, report, folder: Path) -> None:
        self._reload_project()
        counts = report.masks or MaskCounts()
        problems = sorted((_below(p.path, folder), p.reason) for p in report.problems if p.severity == NOT_USED)
        summary = self.tr("Masks: {0} imported from {1} files, {2} refreshed, {3} unchanged, {4} conflicts, "
                          "{5} problems").format(counts.masks, counts.files, counts.refreshed, counts.unchanged,
                                                 counts.conflicts, len(problems))
        if report.added:
            summary += self.tr(" · {0} new images").format(report.added)
        self.announce(summary, 20000)
        if problems:
            self._show_problems(self.tr("Mask import"), summary, problems)

    def import_annotations(self, path: str, fmt: str = "auto") -> bool:
        """Read the annotation files of ``path`` (a folder or a file) in ``fmt`` into the project's images (a
        re-import with those files); a summary in the status bar and every problem, by file, in a box."""
        db = str(self.window.store.db_path)

        def job(token):
            with Store.open(db) as store:
                return import_folder(store, fmt=fmt, annotations=Path(path), job=token)

        def after(report):
            self._reload_project()
            counts = report.annotations
            summary = self.tr("Annotations ({0}): {1} boxes and {2} masks on {3} images from {4} files, {5} "
                              "refreshed, {6} conflicts, {7} problems").format(
                report.format, counts.boxes if counts else 0, counts.masks if counts else 0,
                counts.images if counts else 0, counts.files if counts else 0, counts.refreshed if counts else 0,
                counts.conflicts if counts else 0, len(report.problems))
            self.announce(summary, 20000)
            if report.problems:
                self._show_problems(self.tr("Import annotations"), summary,
                                    [(_below(p.path, Path(path)), p.reason) for p in report.problems])

        return self.start(self.tr("Importing annotations from {0}").format(Path(path).name), job, after)

    def _reload_project(self) -> None:
        """After a job changed the project behind the window: the browser, the classes, the counts, the image."""
        w = self.window
        w.browser.model.reload()
        w.browser.refresh_classes()
        w._update_counts()
        if w.annotation is not None and w.annotation.image is not None:
            w.annotation.show(w.annotation.image.id)

    def open_demo(self) -> None:
        """Open the demo `make run` opens, generating it first when it is not there."""
        folder = demo_folder()
        if (folder / "images" / ".labelstudio" / "project.db").is_file():
            self.window.open_project(str(folder / "images"))
            return

        def job(token):
            from ..core.demo import create_demo_project

            store, report = create_demo_project(folder, job=token, annotated=DEMO_ANNOTATED)
            store.close()
            return report

        self.start(self.tr("Generating the demo project"), job,
                   lambda report: self.window.open_project(str(folder / "images")))

    def export_dialog(self) -> None:
        store = self.window.store
        dialog = ExportDialog(self.window.settings, store.root, store.db_path, self.window)
        if dialog.exec():
            self.export(dialog.choice(), dialog.format.currentText())

    def export(self, choice: ExportChoice, title: str = "") -> None:
        """Export in the background; a status-bar message says what was written where."""
        db = str(self.window.store.db_path)

        def job(token):
            with Store.open(db) as store:
                try:
                    return run_export(store, choice, token)
                except ExportError as exc:  # a plain refusal (files exist, bad option): nothing was written
                    return exc

        self.start(self.tr("Exporting"), job, lambda result: self._exported(choice, title or choice.fmt, result))

    def _exported(self, choice: ExportChoice, title: str, result) -> None:
        w = self.window
        if isinstance(result, ExportError):
            QMessageBox.warning(w, self.tr("Nothing exported"), app_wording(str(result)))
            return
        if not result.images and not result.objects:
            reason = app_wording(result.nothing_because) or self.tr("no usable image could be written")
            QMessageBox.information(w, self.tr("Nothing exported"), self.tr("Nothing was exported: {0}.").format(
                reason))
            return
        if choice.fmt == "crops":
            done = self.tr("{0}: {1} crops from {2} images written into {3}")
        else:
            done = self.tr("{0}: {2} images, {1} objects written into {3}")
        summary = done.format(title, result.objects, result.images, choice.written_to())
        self.announce(summary, 30000)
        if result.problems:
            self._show_problems(self.tr("Export"), summary, result.problems)

    def announce(self, text: str, timeout_ms: int) -> None:
        """A status-bar message (the counts beside it give way while it shows: MainWindow._status_message_changed)."""
        self.window.statusBar().showMessage(text, timeout_ms)

    def _show_problems(self, title: str, summary: str, problems: list[tuple[str, str]]) -> None:
        """The first problems, one line each by file, and all of them under Show Details."""
        lines = [f"{path}: {translate_note(reason)}" if path else translate_note(reason) for path, reason in problems]
        box = QMessageBox(QMessageBox.Information, title, summary, QMessageBox.Ok, self.window)
        more = len(lines) - MAX_LISTED
        box.setInformativeText("\n".join(lines[:MAX_LISTED]) + (
            "\n" + self.tr("… and {0} more").format(more) if more > 0 else ""))
        if more > 0:
            box.setDetailedText("\n".join(lines))
        box.exec()

    # ------------------------------------------------------------ plumbing
    def start(self, title: str, job, after=None) -> bool:
        """Run ``job`` (a function of a job token) in the background; ``after(result)`` when it succeeds."""
        if self.runner.busy():
            self.announce(self.tr("{0} is still running: try again when it has finished").format(self.runner.title),
                          8000)
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

    def _failed(self, title: str, message: str) -> None:
        self._after = None
        self._stopped(title)  # no "running" bar left beside the message
        QMessageBox.warning(self.window, title, message)

    def _done(self, title: str, result) -> None:
        after, self._after = self._after, None
        self._stopped(title)  # what comes after (a message box) never shows beside a "running" bar
        if after is not None:
            after(result)
        if isinstance(result, ImportReport):  # the images new or changed get their features in the background
            self.window.features.start()
