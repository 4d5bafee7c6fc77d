"""Job tokens: how a long job reports progress and learns that it should stop.

A long job is a plain function taking a :class:`JobToken`. The CLI passes a token that draws a progress
bar; the GUI passes one whose callbacks emit Qt signals from a worker thread.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import TextIO


class Cancelled(Exception):
    """Raised by :meth:`JobToken.check` when the job was asked to stop."""


class JobToken:
    """Progress, status and cancellation for one job. Subclass or pass callbacks."""

    def __init__(self, on_progress: Callable[[int, int], None] | None = None,
                 on_status: Callable[[str], None] | None = None,
                 on_report: Callable[[dict], None] | None = None):
        self._cancel = threading.Event()
        self._on_progress = on_progress
        self._on_status = on_status
        self._on_report = on_report

    def progress(self, done: int, total: int) -> None:
        if self._on_progress:
            self._on_progress(done, total)

    def status(self, text: str) -> None:
        if self._on_status:
            self._on_status(text)

    def report(self, data: dict) -> None:
        """Structured news for a live view (e.g. the metrics of an epoch); ignored by default."""
        if self._on_report:
            self._on_report(data)

    def cancel(self) -> None:
        self._cancel.set()

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        """Raise :class:`Cancelled` if the job was asked to stop (call between units of work)."""
        if self.cancelled():
            raise Cancelled()


class ConsoleJob(JobToken):
    """A token that draws a one-line progress bar on a terminal (nothing when not a terminal)."""

    def __init__(self, label: str = "", stream: TextIO | None = None, width: int = 30):
        super().__init__()
        self.label = label
        self.stream = stream or sys.stderr
        self.width = width
        self._last = 0.0
        self._shown = False
        self._interactive = bool(getattr(self.stream, "isatty", lambda: False)())

    def progress(self, done: int, total: int) -> None:
        if not self._interactive:
            return
        now = time.monotonic()
        if done < total and now - self._last < 0.1:
            return
        self._last = now
        filled = int(self.width * done / total) if total else self.width
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {done}/{total}")
        self.stream.flush()
        self._shown = True
        if done >= total:
            self.finish()

    def status(self, text: str) -> None:
        self.finish()
        self.label = text

    def finish(self) -> None:
        if self._shown:
            self.stream.write("\n")
            self.stream.flush()
            self._shown = False
