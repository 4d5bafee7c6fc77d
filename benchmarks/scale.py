"""A million images on one machine: import, the app's first paint, sorting and filtering, and dedup, each step as a
whole process with its peak memory, printed beside the targets of the issue.

The folder is :func:`dedup_scale.make_scale_folder`'s (1,000 folders of 1,000 distinct 64x48 JPEG look-alikes by
default, written once and cached). Steps, each a child process measured by :func:`dedup_scale.measure` (wall time,
peak resident memory of the process tree sampled every 50 ms):

- ``import``: ``labelstudio-desktop import`` into a fresh database (target <= 120 s, <= 500 MB);
- ``open``: the app opening the project (a real main window, offscreen), painting its first screen of the image list
  and quitting; the child reports the seconds from the start of its process to that first paint (target <= 2 s,
  <= 500 MB), and the seconds to sort the list by date, size, class, by name again, filter it by a class and by a
  word of the file names, and clear the filter (target < 1 s each);
- ``dedup``: :func:`dedup_scale.dedup_run` from a fresh copy of the database (target <= 600 s, <= 1 GB).

Usage::

    python benchmarks/scale.py [--count 1000000] [--groups 1000] [--skip import open dedup]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dedup_scale import cli, dedup_run, imported, make_scale_folder, measure, scale_folder  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"import": (120, 500), "open": (2, 500), "dedup": (600, 1024)}
SORT_FILTER_TARGET = 1.0


def open_child(folder: str, db: str, started: float) -> None:
    """In the child: open the project in the real main window, time its first paint and the list's sorts and
    filters, print them as JSON."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, str(ROOT))
    from PySide6.QtCore import QSettings

    from labelstudio_desktop.gui.app import make_app
    from labelstudio_desktop.gui.main_window import MainWindow

    app = make_app()
    settings = QSettings(str(Path(tempfile.mkdtemp()) / "settings.ini"), QSettings.IniFormat)
    window = MainWindow(settings)
    window.resize(1280, 800)
    if not window.open_project(folder, db):
        sys.exit("the project did not open")
    window.show()
    app.processEvents()
    window.browser.view.viewport().grab()  # the first screen of the list, painted
    first_paint = time.time() - started
    model, browser = window.browser.model, window.browser
    timings = {}

    def timed(name, action) -> None:
        t = time.perf_counter()
        action()
        app.processEvents()
        timings[name] = time.perf_counter() - t

    labels = model.labels()
    timed("sort by date", lambda: model.set_sort_key("date"))
    timed("sort by size", lambda: model.set_sort_key("size"))
    timed("sort by class", lambda: model.set_sort_key("class"))
    timed("sort by name", lambda: model.set_sort_key("name"))
    timed("filter by a class", lambda: browser.set_filter(label=labels[len(labels) // 2] if labels else None))
    timed("filter by a word", lambda: browser.set_filter(label=None, text="img_00001"))
    timed("filter cleared", lambda: browser.set_filter(text=""))
    print(json.dumps({"first_paint_s": first_paint, "rows": model.rowCount(), "timings": timings}), flush=True)
    window.stop_jobs()
    window.close()


def _show(step: str, count: int, run: dict, seconds: float | None = None) -> None:
    limit_s, limit_mb = TARGETS[step]
    seconds = run["seconds"] if seconds is None else seconds
    met = seconds <= limit_s and run["tree_peak_mb"] <= limit_mb and run["code"] == 0
    print(f"{step:<7} {count:>9,} images  {seconds:7.1f} s (target {limit_s} s)  peak {run['tree_peak_mb']:6.0f} MB "
          f"(target {limit_mb} MB)  {'met' if met else 'MISSED'}" + ("" if run["code"] == 0 else
                                                                       f"  exit {run['code']}"), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--groups", type=int, default=1000)
    parser.add_argument("--skip", nargs="*", default=[], choices=("import", "open", "dedup"))
    parser.add_argument("--open-child", nargs=3, metavar=("FOLDER", "DB", "STARTED"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.open_child:
        open_child(args.open_child[0], args.open_child[1], float(args.open_child[2]))
        return
    folder = make_scale_folder(scale_folder(args.count, args.groups), args.count, args.groups)
    with tempfile.TemporaryDirectory(prefix="scale-") as tmp:
        work = Path(tmp)
        if "import" not in args.skip:
            fresh = work / "import.db"
            run = measure([*cli(), "import", str(folder), "--db", str(fresh)])
            _show("import", args.count, run)
            fresh.unlink(missing_ok=True)
        if "open" in args.skip and "dedup" in args.skip:
            return
        db = imported(folder)  # the project the other steps open (imported once, cached beside the folder)
        if "open" not in args.skip:
            _open_step(folder, db, work, args.count)
        if "dedup" not in args.skip:
            _show("dedup", args.count, dedup_run(folder, db, work, None, "scale"))


def _open_step(folder: Path, db: Path, work: Path, count: int) -> None:
    """The app opening a copy of the imported project, timed by the child (:func:`open_child`)."""
    opened = work / "open.db"
    shutil.copy(db, opened)
    out = work / "open.json"
    run = measure([sys.executable, __file__, "--open-child", str(folder), str(opened), repr(time.time())], out=out)
    if run["code"] != 0:
        _show("open", count, run)
        print(run["stderr"][-1500:])
        return
    figures = json.loads(out.read_text().strip().splitlines()[-1])
    _show("open", count, run, figures["first_paint_s"])
    print(f"        whole process (open, paint, quit) {run['seconds']:.1f} s; {figures['rows']:,} rows listed")
    for name, seconds in figures["timings"].items():
        print(f"        {name:<18} {seconds:6.2f} s  (target < {SORT_FILTER_TARGET:.0f} s)  "
              f"{'met' if seconds < SORT_FILTER_TARGET else 'MISSED'}")


if __name__ == "__main__":
    main()
