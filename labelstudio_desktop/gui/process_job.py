"""Running a heavy job (TensorFlow training, evaluation) in a child process.

TensorFlow holds Python's GIL for long stretches (tracing a model can take 200 ms in one call), which would
freeze the GUI if training ran in a thread of the GUI's process. So the worker thread starts a child
process and relays its messages: progress, status and reports become the token's calls (hence Qt signals),
the result comes back pickled, and a cancel sets an event the child's token checks between batches. A crash
or an out-of-memory kill of the child ends the job with a message; the app keeps running.
"""

from __future__ import annotations

import importlib
import multiprocessing as mp
import os
import queue as queue_module
import threading
import traceback
from typing import Any, Callable

from ..core.jobs import Cancelled, JobToken

POLL_SECONDS = 0.05
CHILD_NICENESS = 10


class ChildFailed(Exception):
    """The child process raised or died; the message is what it said."""


class _ChildToken(JobToken):
    def __init__(self, messages, cancel_event):
        super().__init__()
        self.messages = messages
        self.cancel_event = cancel_event

    def progress(self, done: int, total: int) -> None:
        self.messages.put(("progress", (done, total)))

    def status(self, text: str) -> None:
        self.messages.put(("status", text))

    def report(self, data: dict) -> None:
        self.messages.put(("report", data))

    def cancelled(self) -> bool:
        return self.cancel_event.is_set()


def _child(target: str, kwargs: dict, messages, cancel_event) -> None:
    if hasattr(os, "nice"):  # the GUI gets the CPU first when both want it (2 cores, TF uses them all)
        os.nice(CHILD_NICENESS)
    token = _ChildToken(messages, cancel_event)
    try:
        module, name = target.split(":")
        function = getattr(importlib.import_module(module), name)
        result = function(job=token, **kwargs)
    except Cancelled:
        messages.put(("cancelled", None))
    except Exception as exc:  # noqa: BLE001 - reported to the parent as a message
        messages.put(("failed", f"{exc.__class__.__name__}: {exc}" if not str(exc) else str(exc)))
        traceback.print_exc()
    else:
        messages.put(("done", result))


def _reap(child, messages) -> None:
    """Let the child finish exiting (TensorFlow's teardown takes a while) without holding anyone up."""

    def wait() -> None:
        child.join(timeout=60)
        if child.is_alive():
            child.kill()
            child.join()
        messages.close()

    threading.Thread(target=wait, name="reap-child", daemon=True).start()


def in_process(target: str, **kwargs: Any) -> Callable[[JobToken], Any]:
    """A job function (for :class:`JobRunner`) that runs ``module:function`` as ``function(job=token, **kwargs)``
    in a child process. The parent never imports the module (so never TensorFlow); arguments and result
    must be picklable."""

    def job(token: JobToken) -> Any:
        ctx = mp.get_context("spawn")  # never fork a process that runs Qt threads
        messages = ctx.Queue()
        cancel_event = ctx.Event()
        child = ctx.Process(target=_child, args=(target, kwargs, messages, cancel_event), daemon=True)
        child.start()
        try:
            while True:
                if token.cancelled():
                    cancel_event.set()
                try:
                    kind, payload = messages.get(timeout=POLL_SECONDS)
                except queue_module.Empty:
                    if not child.is_alive():
                        from PySide6.QtCore import QCoreApplication  # here: the child process never needs Qt

                        raise ChildFailed(QCoreApplication.translate(
                            "ProcessJob", "the training process stopped unexpectedly (exit code {0}); it may have run "
                            "out of memory").format(child.exitcode)) from None
                    continue
                if kind == "progress":
                    token.progress(*payload)
                elif kind == "status":
                    token.status(payload)
                elif kind == "report":
                    token.report(payload)
                elif kind == "done":
                    return payload
                elif kind == "cancelled":
                    raise Cancelled()
                else:
                    raise ChildFailed(payload)
        finally:
            _reap(child, messages)

    return job
