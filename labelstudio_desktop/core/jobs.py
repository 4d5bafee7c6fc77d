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


def asked_batches(plan: dict) -> int:
    """The batches a training plan's asked epochs would have made (``ml.config.EpochPlan.as_dict``): one pass over the
    training images each."""
    return int(plan["asked"]) * max(1, int(plan["steps"]) // max(1, int(plan.get("passes", 1))))


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


class JobPart(JobToken):
    """Part ``index`` of ``parts`` equal parts of ``job``: its progress fills that share of the job's bar; status and
    cancellation are the job's."""

    def __init__(self, job: JobToken, index: int, parts: int):
        super().__init__()
        self.job, self.index, self.parts = job, index, max(1, parts)

    def progress(self, done: int, total: int) -> None:
        total = max(1, total)
        self.job.progress(self.index * total + min(done, total), self.parts * total)

    def status(self, text: str) -> None:
        self.job.status(text)

    def cancel(self) -> None:
        self.job.cancel()

    def cancelled(self) -> bool:
        return self.job.cancelled()


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
        self.eta = EtaEstimator()

    def report(self, data) -> None:
        """An epoch's end feeds the ETA; a training plan (``{"plan": {...}}``, see ``ml.config.EpochPlan``) is
        printed as one line: how many epochs will run, and why when the task's minimum of batches raised them."""
        if not isinstance(data, dict):
            return
        if "epoch" in data:
            self.eta.epoch_finished(time.monotonic())
        plan = data.get("plan")
        if isinstance(plan, dict):
            self.finish()
            text = f"{plan['epochs']} epochs of {plan['steps']} batches"
            if plan.get("passes", 1) > 1:
                text += f" ({plan['passes']} passes over the training images each)"
            if plan.get("raised", plan["epochs"] > plan["asked"]):
                text += (f" ({plan['asked']} epochs asked, {asked_batches(plan)} batches: raised to at least "
                         f"{plan['min_steps']} batches, since few images make short epochs)")
            self.stream.write(text + "\n")
            self.stream.flush()

    def progress(self, done: int, total: int) -> None:
        if not self._interactive:
            return
        now = time.monotonic()
        if done < total and now - self._last < 0.1:
            return
        self._last = now
        self.eta.progress(done, total, now)
        filled = int(self.width * done / total) if total else self.width
        bar = "#" * filled + "-" * (self.width - filled)
        left = self.eta.remaining(now)
        left = f"  {left:.0f} s left " if left is not None and done < total else ""
        self.stream.write(f"\r{self.label} [{bar}] {done}/{total}{left}")
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


class EtaEstimator:
    """Remaining time of a job that reports ``progress(done, total)`` and, if it trains, the end of each epoch.

    Every call takes the time explicitly (``time.monotonic()`` in the app, made-up times in tests). A new
    sequence of progress (another total, or ``done`` going back) starts a new estimate: a job's bar may fill
    more than once (loading images, then training).

    - Before any epoch ended, the rate of the units after the first report is extrapolated (the first batches
      include start-up work such as tracing the model, so they are not counted).
    - Once epochs ended, their measured durations are used, since they include what batches alone do not show
      (validation, checkpoints): the mean of the recent half of the epochs (at least :attr:`RECENT`; the first one,
      with its warm-up, left out as soon as a later one is known) times the epochs still to start, plus what is
      left of the current epoch. The window grows with the run, so on a busy machine, where one epoch takes twice
      as long as the next, the estimate settles instead of jumping with each epoch, and still follows a lasting
      slowdown.

    :attr:`settled` tells the two apart: before, the estimate misses what epochs do besides batches and is a
    lower bound.
    """

    RECENT = 8  # epochs at least in the mean (all of them while fewer were measured)

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.total = 0
        self.done = 0
        self.first: tuple[float, int] | None = None  # (time, done) of the sequence's first progress
        self.last_at: float | None = None
        self.steps = 0  # units per epoch, known once an epoch ended
        self.epoch_ends: list[float] = []
        self.durations: list[float] = []

    def progress(self, done: int, total: int, now: float) -> None:
        if total != self.total or done < self.done:
            self.reset()
            self.total = total
        if self.first is None and done > 0:  # a stage announced at 0 starts measuring at its first unit of work
            self.first = (now, done)
        self.done, self.last_at = done, now

    def epoch_finished(self, now: float) -> None:
        if self.first is None:
            return
        if not self.epoch_ends:
            self.steps = max(1, self.done)
            start, first_done = self.first
            rate = self._unit_rate()
            self.durations.append(now - start + (rate * first_done if rate is not None else 0.0))
        else:
            self.durations.append(now - self.epoch_ends[-1])
        self.epoch_ends.append(now)

    def epoch_time(self) -> float | None:
        """The expected duration of one epoch, from the measured ones (None before the first ended)."""
        if not self.durations:
            return None
        measured = self.durations[1:] if len(self.durations) > 1 else self.durations
        recent = measured[-max(self.RECENT, (len(measured) + 1) // 2):]
        return sum(recent) / len(recent)

    @property
    def settled(self) -> bool:
        """True once an epoch was measured (before, batches alone are extrapolated: a lower bound)."""
        return bool(self.durations)

    def remaining(self, now: float) -> float | None:
        """Seconds left (None while there is too little to go on)."""
        if self.first is None:
            return None
        epoch = self.epoch_time()
        if epoch is None:
            rate = self._unit_rate()
            if rate is None:
                return None
            return max(0.0, rate * (self.total - self.done) - (now - self.last_at))
        finished = len(self.epoch_ends)
        epochs = max(finished, round(self.total / self.steps))
        if finished >= epochs:
            return 0.0
        fraction_done = min(1.0, max(0, self.done - finished * self.steps) / self.steps)
        current = max(epoch - (now - self.epoch_ends[-1]), epoch * (1.0 - fraction_done), 0.0)
        return current + epoch * (epochs - finished - 1)

    def _unit_rate(self) -> float | None:
        start, first_done = self.first
        if self.done <= first_done or self.last_at <= start:
            return None
        return (self.last_at - start) / (self.done - first_done)
