"""The crash torture's short mode (tests/torture.py): kill -9 at random points of an import, an export, a quarantine
and its undo, a tiny training run and an edit loop, then integrity and every acknowledged edit. About half a minute
on 2 cores; the seed is printed, so a failure can be replayed (``python tests/torture.py --replay KIND:SEED``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "torture.py"


def _torture(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=600)


def test_kill_9_at_random_points_loses_nothing_acknowledged():
    result = _torture("--formats", "voc,crops")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert "all checks held" in result.stdout


def test_exports_of_every_format_killed_part_way_leave_nothing_half_written():
    result = _torture("--kinds", "export", "--formats", "yolo,coco,labelme", "--trials", "3")
    assert result.returncode == 0, result.stdout[-4000:]
