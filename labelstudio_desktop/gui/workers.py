"""Background jobs: a core job function run on a QThread, its token turned into Qt signals.

The function gets a :class:`QtJobToken`; it must open its own :class:`Store` (SQLite connections belong
to the thread that made them). The owner calls :meth:`JobRunner.stop` on close: cancel, quit, wait.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from ..core.jobs import Cancelled, JobToken


class QtJobToken(JobToken):
    def __init__(self, worker: JobWorker):
        super().__init__()
        self.worker = worker

    def progress(self, done: int, total: int) -> None:
        self.worker.sig_progress.emit(done, total)

    def status(self, text: str) -> None:
        self.worker.sig_status.emit(text)

    def report(self, data: dict) -> None:
        self.worker.sig_report.emit(data)


class JobWorker(QObject):
    sig_progress = Signal(int, int)
    sig_status = Signal(str)
    sig_report = Signal(object)
    sig_finished = Signal(object)  # the function's result
    sig_failed = Signal(str)  # a plain message
    sig_cancelled = Signal()

    def __init__(self, function: Callable[[JobToken], Any]):
        super().__init__()
        self.function = function
        self.token = QtJobToken(self)

    @Slot()
    def run(self) -> None:
        try:
            result = self.function(self.token)
        except Cancelled:
            self.sig_cancelled.emit()
        except Exception as exc:  # noqa: BLE001 - any failure becomes a message, never a crash
            traceback.print_exc()
            self.sig_failed.emit(str(exc) or exc.__class__.__name__)
        else:
            self.sig_finished.emit(result)


class JobRunner(QObject):
    """Runs one job of a kind at a time on its own QThread."""

    sig_started = Signal(str)
    sig_progress = Signal(int, int)
    sig_status = Signal(str)
    sig_report = Signal(object)
    sig_done = Signal(str, object)  # title, result
    sig_failed = Signal(str, str)  # title, message
    sig_stopped = Signal(str)  # title (cancelled, or finished either way)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.thread: QThread | None = None
        self.worker: JobWorker | None = None
        self.title = ""

    def busy(self) -> bool:
        return self.thread is not None

    def start(self, title: str, function: Callable[[JobToken], Any]) -> bool:
        if self.busy():
            return False
        self.title = title
        self.thread = QThread()
        self.worker = JobWorker(function)
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.run)
        self.worker.sig_progress.connect(self.sig_progress)
        self.worker.sig_status.connect(self.sig_status)
        self.worker.sig_report.connect(self.sig_report)
        # bound slots of this main-thread object: queued, so _end runs in the GUI thread
        self.worker.sig_finished.connect(self._on_finished)
        self.worker.sig_failed.connect(self._on_failed)
        self.worker.sig_cancelled.connect(self._on_cancelled)
        self.thread.start()
        self.sig_started.emit(title)
        return True

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.token.cancel()

    @Slot(object)
    def _on_finished(self, result: Any) -> None:
        self._end(result=result)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self._end(error=message)

    @Slot()
    def _on_cancelled(self) -> None:
        self._end()

    def _end(self, result: Any = None, error: str | None = None) -> None:
        title = self.title
        self._join()
        if error is not None:
            self.sig_failed.emit(title, error)
        elif result is not None:
            self.sig_done.emit(title, result)
        self.sig_stopped.emit(title)

    def _join(self) -> None:
        if self.thread is None:
            return
        self.thread.quit()
        self.thread.wait()
        self.worker.deleteLater()
        self.thread.deleteLater()
        self.thread, self.worker = None, None

    def stop(self) -> None:
        """Cancel, wait for the thread and drop it (used on close)."""
        if self.thread is None:
            return
        self.cancel()
        self.thread.quit()
        self.thread.wait()
        self.worker.sig_finished.disconnect()
        self.worker.sig_failed.disconnect()
        self.worker.sig_cancelled.disconnect()
        self._join()
