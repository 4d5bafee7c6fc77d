"""Tests that would hang the suite without its guards; tests/gui/test_no_hang.py runs each in its own pytest process
with a deadline (the name does not match ``test_*.py``, so the suite itself never collects them)."""

from __future__ import annotations

import time

from PySide6.QtWidgets import QMessageBox

from labelstudio_desktop.core.jobs import JobToken


def _until_cancelled(job: JobToken) -> None:
    """A background job that runs until it is cancelled, as a long training does."""
    while True:
        job.check()
        time.sleep(0.05)


def test_a_job_left_running_when_the_test_ends(window, qtbot):
    """The window is closed at teardown while a job runs: closing must not ask (nobody would answer)."""
    assert window.jobs.start("Training", _until_cancelled)
    qtbot.waitUntil(window.jobs.runner.busy)


def test_the_window_closed_by_the_user_with_a_job_running(window, qtbot):
    """closeEvent's question opens while a job runs; the test forgot to answer it."""
    assert window.jobs.start("Training", _until_cancelled)
    window.close()


def test_an_unanswered_question(qtbot):
    """A modal question in the middle of a test that nobody answers."""
    QMessageBox.question(None, "Stop running jobs?", "Nobody answers this")
