"""One of two processes importing the same folders at the same moments (``test_concurrent_import.py``): waits for
each round's start time (the same for both processes), runs ``import`` on that round's folder through the command
line's entry point, and prints the round, the exit status and what the import printed, one JSON line per round."""

from __future__ import annotations

import contextlib
import io
import json
import sys
import time
from pathlib import Path

from labelstudio_desktop.cli import main


def race(start: float, gap: float, folders: list[Path]) -> None:
    for n, folder in enumerate(folders):
        while time.time() < start + n * gap:
            time.sleep(0.0005)
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            rc = main(["import", str(folder)])
        print(json.dumps({"round": n, "rc": rc, "out": out.getvalue(), "err": err.getvalue()}), flush=True)


if __name__ == "__main__":
    race(float(sys.argv[1]), float(sys.argv[2]), [Path(p) for p in sys.argv[3:]])
