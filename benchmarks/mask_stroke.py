"""Brush latency on a 4000x3000 photo: per mouse move and per stroke saved, against repainting the whole overlay.

A real 4000x3000 JPEG (a mosaic of the real BCCD microscope photos at their own resolution, or ``--image`` for
your own photo, scaled to 4000x3000) is imported into a new project and opened in the real main window (offscreen
unless ``QT_QPA_PLATFORM`` says otherwise). The brush paints strokes with real mouse events sent to the canvas,
at the fitted zoom, at 100% and at 400%; each move is timed from the event to the end of the repaint it causes
(the events are processed and the canvas painted before the clock stops). Then the same strokes with the whole
overlay re-rendered and the whole canvas repainted on every move (the baseline: what rebuilding the overlay image per
move costs). The stroke's save (PNG encoding, SQLite commit, the views' refresh) is timed at each button release.

    QT_QPA_PLATFORM=offscreen python benchmarks/mask_stroke.py [--image PHOTO] [--strokes 6] [--moves 80] [--brush PX]
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

WIDTH, HEIGHT = 4000, 3000
TARGET_MS = 16.0  # one frame at 60 Hz
BCCD = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "BCCD_Dataset" / "BCCD" / "JPEGImages"


def make_photo(path: Path, source: Path | None) -> str:
    """Write the 4000x3000 JPEG; says what it is made of."""
    if source is not None:
        Image.open(source).convert("RGB").resize((WIDTH, HEIGHT), Image.LANCZOS).save(path, quality=92)
        return f"{source.name} scaled to {WIDTH}x{HEIGHT}"
    tiles = sorted(BCCD.glob("*.jpg"))
    if not tiles:
        sys.exit(f"no photo: pass --image PHOTO (the BCCD photos are not at {BCCD})")
    canvas = Image.new("RGB", (WIDTH, HEIGHT))
    first = Image.open(tiles[0])
    columns, rows = math.ceil(WIDTH / first.width), math.ceil(HEIGHT / first.height)
    for n in range(columns * rows):
        canvas.paste(Image.open(tiles[n % len(tiles)]).convert("RGB"),
                     ((n % columns) * first.width, (n // columns) * first.height))
    canvas.save(path, quality=92)
    return f"a mosaic of {columns * rows} BCCD photos ({first.width}x{first.height}) at their own resolution"


def stroke_points(index: int, moves: int, view: tuple[float, float, float, float]) -> list[tuple[float, float]]:
    """A wavy horizontal stroke across the visible part ``view`` (x0, y0, x1, y1 in image pixels)."""
    x0, y0, x1, y1 = view
    y = y0 + (y1 - y0) * (index + 1) / 8
    amplitude = (y1 - y0) / 20
    return [(x0 + (x1 - x0) * (0.1 + 0.8 * k / moves), y + amplitude * math.sin(k / 6)) for k in range(moves + 1)]


def run_strokes(app, window, strokes: int, moves: int) -> tuple[list[float], list[float], int]:
    """Per-move latencies and per-stroke save times (ms), and how many paints the moves caused."""
    from PySide6.QtCore import QEvent, QPointF, Qt
    from PySide6.QtGui import QMouseEvent

    canvas = window.canvas
    paints = [0]
    original = canvas.paintEvent

    def counted(event):
        paints[0] += 1
        original(event)

    canvas.paintEvent = counted
    top_left = canvas.to_image(QPointF(0, 0))
    bottom_right = canvas.to_image(QPointF(canvas.width(), canvas.height()))
    view = (max(0, top_left[0]), max(0, top_left[1]), min(WIDTH, bottom_right[0]), min(HEIGHT, bottom_right[1]))

    def send(kind, x, y, buttons):
        pos = canvas.to_widget(x, y)
        button = Qt.LeftButton if kind != QEvent.MouseMove else Qt.NoButton
        event = QMouseEvent(kind, pos, canvas.mapToGlobal(pos), button, buttons, Qt.NoModifier)
        app.sendEvent(canvas, event)
        app.processEvents()

    latencies, saves = [], []
    for index in range(strokes):
        points = stroke_points(index, moves, view)
        send(QEvent.MouseButtonPress, *points[0], Qt.LeftButton)
        for x, y in points[1:]:
            started = time.perf_counter()
            send(QEvent.MouseMove, x, y, Qt.LeftButton)
            latencies.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        send(QEvent.MouseButtonRelease, *points[-1], Qt.NoButton)
        saves.append((time.perf_counter() - started) * 1000)
    canvas.paintEvent = original
    return latencies, saves, paints[0]


def whole_overlay_each_move(tool) -> None:
    """The baseline: every move re-renders the whole overlay and repaints the whole canvas."""
    def show_dirty(rect):
        if rect is not None:
            tool.owner.layer.render(None)
            tool.canvas.update()
    tool.show_dirty = show_dirty


def p95(values: list[float]) -> float:
    return float(np.percentile(values, 95))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image", type=Path, help="a photo to scale to 4000x3000 (default: a BCCD mosaic)")
    parser.add_argument("--strokes", type=int, default=6)
    parser.add_argument("--moves", type=int, default=80, help="mouse moves per stroke")
    parser.add_argument("--brush", type=int, help="brush diameter in image pixels (default: the app's, 3%% of 4000)")
    args = parser.parse_args()

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from labelstudio_desktop.core.store.store import Store
    from labelstudio_desktop.core.transfer.importer import import_folder
    from labelstudio_desktop.gui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "photo"
        folder.mkdir()
        what = make_photo(folder / "photo.jpg", args.image)
        with Store.create(folder) as store:
            import_folder(store)
            store.update_image_fields(store.image_by_path("photo.jpg").id, {"label": "cell"})
        settings = QSettings(str(Path(tmp) / "settings.ini"), QSettings.IniFormat)
        window = MainWindow(settings)
        window.resize(1920, 1080)
        window.show()
        app.processEvents()
        assert window.open_project(str(folder))
        window.mask_actions.tools["brush"].trigger()
        if args.brush:
            window.annotation.masks.tool.diameter = args.brush
        app.processEvents()
        image = window.annotation.image
        print(f"photo: {image.width}x{image.height}, {what}; canvas {window.canvas.width()}x"
              f"{window.canvas.height()} ({os.environ['QT_QPA_PLATFORM']}); brush "
              f"{window.annotation.masks.tool.diameter} px; {args.strokes} strokes of {args.moves} moves per view")
        tool = window.annotation.masks.tool
        for label, zoom in (("fitted", None), ("100%", 1.0), ("400%", 4.0)):
            if zoom is None:
                window.canvas.fit()
            else:
                window.canvas.zoom_to(zoom)
            app.processEvents()
            moves, saves, paints = run_strokes(app, window, args.strokes, args.moves)
            whole_overlay_each_move(tool)
            base_moves, _saves, _paints = run_strokes(app, window, max(1, args.strokes // 3), args.moves)
            del tool.show_dirty  # the tool's own method again
            print(f"\n{label} view ({window.canvas.scale:.3f} screen px per image px), {paints} repaints for "
                  f"{len(moves)} moves:")
            print(f"  dirty region (the app): median {statistics.median(moves):6.2f} ms, 95th percentile "
                  f"{p95(moves):6.2f} ms, {p95(moves) / TARGET_MS:.2f}x the {TARGET_MS:.0f} ms target at the 95th")
            print(f"  whole overlay (baseline): median {statistics.median(base_moves):6.2f} ms, 95th percentile "
                  f"{p95(base_moves):6.2f} ms, {p95(base_moves) / TARGET_MS:.2f}x the target")
            print(f"  the app is {statistics.median(base_moves) / statistics.median(moves):.1f}x faster per move "
                  f"(median)")
            print(f"  saving a stroke (button release: PNG, SQLite, refresh): median {statistics.median(saves):.1f}"
                  f" ms, max {max(saves):.1f} ms")
        window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
