"""The crash torture's short mode (tests/torture.py): kill -9 at random points of an import, an export, a quarantine
and its undo, a tiny training run and an edit loop, then integrity and every acknowledged edit. About a minute on 2
cores; the seed is printed, so a failure can be replayed (``python tests/torture.py --seed N``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_kill_9_at_random_points_loses_nothing_acknowledged():
    script = Path(__file__).resolve().parents[1] / "torture.py"
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert "all checks held" in result.stdout
