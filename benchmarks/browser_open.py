"""Opening a project of 10,000 images: time to the first painted grid and peak memory.

Baseline: what older annotation tools do (labelImg's file list, many Qt demos): a ``QListWidget`` with one
``QListWidgetItem`` and one icon per image, each icon made by loading the image. Ours: the store-backed
``QListView`` model, thumbnails made in the background only for what is visible.

Each side runs in its own process (so peak RSS is its own) on the same generated folder, in one run of this
script, which prints both figures and the ratios. Usage::

    python benchmarks/browser_open.py [--images 10000] [--folder DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def make_folder(folder: Path, count: int) -> None:
    """``count`` distinct 320x240 JPEGs in 20 class folders (written once, reused)."""
    import numpy as np
    from PIL import Image

    marker = folder / f".complete-{count}"
    if marker.exists():
        return
    rng = np.random.default_rng(0)
    base = rng.integers(0, 255, (240, 320, 3), dtype=np.uint8)
    for i in range(count):
        target = folder / f"class_{i % 20:02d}" / f"img_{i:05d}.jpg"
        target.parent.mkdir(parents=True, exist_ok=True)
        arr = np.roll(base, i * 7, axis=1)
        arr[:16, :16] = i % 255
        Image.fromarray(arr).save(target, quality=85)
    marker.touch()


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_ours(folder: str) -> dict:
    from PySide6.QtCore import QSize
    from PySide6.QtWidgets import QApplication

    from labelstudio_desktop.core.store.store import Store
    from labelstudio_desktop.core.transfer.importer import import_folder
    from labelstudio_desktop.gui.browser import BrowserPanel
    from labelstudio_desktop.gui.thumbnails import ThumbnailLoader

    db = Path(folder) / ".labelstudio" / "project.db"
    if not db.exists():
        with Store.create(folder) as s:
            import_folder(s)
    app = QApplication.instance() or QApplication([])
    start = time.perf_counter()
    store = Store.open(folder)
    loader = ThumbnailLoader(Path(tempfile.mkdtemp()) / "thumbs")
    panel = BrowserPanel(store, loader)
    panel.resize(QSize(330, 800))
    panel.show()
    app.processEvents()
    panel.view.viewport().grab()  # forces the first paint of the grid
    first_paint = time.perf_counter() - start
    rows = panel.model.rowCount()
    loader.shutdown()
    store.close()
    return {"seconds": first_paint, "rows": rows, "peak_rss_mb": _peak_rss_mb()}


def run_baseline(folder: str) -> dict:
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QIcon, QPixmap
    from PySide6.QtWidgets import QApplication, QListWidget, QListWidgetItem

    app = QApplication.instance() or QApplication([])
    start = time.perf_counter()
    files = sorted(str(p) for p in Path(folder).rglob("*.jpg"))
    widget = QListWidget()
    widget.setViewMode(QListWidget.IconMode)
    widget.setIconSize(QSize(96, 96))
    for path in files:
        pixmap = QPixmap(path).scaled(96, 96)  # one full decode per image, as the old tools do
        QListWidgetItem(QIcon(pixmap), Path(path).name, widget)
    widget.resize(QSize(330, 800))
    widget.show()
    app.processEvents()
    widget.viewport().grab()
    return {"seconds": time.perf_counter() - start, "rows": widget.count(), "peak_rss_mb": _peak_rss_mb()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=int, default=10000)
    parser.add_argument("--folder", type=Path, default=Path(tempfile.gettempdir()) / "lsd-bench-browser")
    parser.add_argument("--side", choices=("ours", "baseline"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side:
        result = run_ours(str(args.folder)) if args.side == "ours" else run_baseline(str(args.folder))
        print(json.dumps(result))
        return
    print(f"preparing {args.images} JPEGs in {args.folder} ...", flush=True)
    make_folder(args.folder, args.images)
    # the import (reading headers into the store) is done once beforehand, as opening an existing project
    subprocess.run([sys.executable, __file__, "--side", "ours", "--folder", str(args.folder)], check=True,
                   capture_output=True)
    results = {}
    for side in ("baseline", "ours"):
        out = subprocess.run([sys.executable, __file__, "--side", side, "--folder", str(args.folder)],
                             check=True, capture_output=True, text=True).stdout
        results[side] = json.loads(out.strip().splitlines()[-1])
    b, o = results["baseline"], results["ours"]
    print(f"baseline QListWidget + one icon per image: {b['seconds']:.2f} s to first paint, "
          f"peak RSS {b['peak_rss_mb']:.0f} MB ({b['rows']} items)")
    print(f"ours (store model + QListView + lazy thumbnails): {o['seconds']:.3f} s to first paint, "
          f"peak RSS {o['peak_rss_mb']:.0f} MB ({o['rows']} rows)")
    print(f"ratio: {b['seconds'] / o['seconds']:.0f}x faster to first paint, "
          f"{b['peak_rss_mb'] / o['peak_rss_mb']:.2f}x less peak memory")


if __name__ == "__main__":
    main()
