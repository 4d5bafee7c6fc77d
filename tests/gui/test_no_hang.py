"""The suite fails instead of hanging: a job left running at teardown, a question asked in closeEvent and a modal
dialog nobody answers each end their test with a failure, and the run goes on to the next test (each case runs in a
pytest process of its own, with a deadline: a hang would fail here as a timeout)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

CASES = Path(__file__).with_name("hang_cases.py")
ROOT = Path(__file__).resolve().parents[2]


def _run_case(name: str, tmp_path: Path, patience_s: float | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    if patience_s is not None:
        env["LABELSTUDIO_TEST_MODAL_PATIENCE_S"] = str(patience_s)
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--basetemp", str(tmp_path / "t"),
               f"{CASES}::{name}"]
    try:
        return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"{name} hung: {exc.stdout}")


def _outcome(result: subprocess.CompletedProcess) -> str:
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    assert re.search(r"\d+ (passed|failed|error)", summary), result.stdout + result.stderr
    return result.stdout


def test_a_job_left_running_fails_the_test_and_closing_asks_nothing(tmp_path):
    out = _outcome(_run_case("test_a_job_left_running_when_the_test_ends", tmp_path))
    assert "1 passed, 1 error" in out and "background jobs were left running: ['Training']" in out
    assert "modal dialog" not in out  # the fixture stopped the job before closing: no question was asked


def test_a_question_in_close_event_is_closed_and_fails_the_test(tmp_path):
    out = _outcome(_run_case("test_the_window_closed_by_the_user_with_a_job_running", tmp_path, patience_s=1.0))
    assert "1 passed, 1 error" in out
    assert "stayed unanswered" in out and "Stop running jobs?" in out


def test_an_unanswered_modal_dialog_is_closed_after_the_patience(tmp_path):
    out = _outcome(_run_case("test_an_unanswered_question", tmp_path, patience_s=1.0))
    assert "1 passed, 1 error" in out and "Nobody answers this" in out
