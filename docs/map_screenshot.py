"""Make docs/dataset-map.png: the main window with its Dataset map dock open on the screenshot project.

    python docs/map_screenshot.py [OUT.png] [--ja OUT_JA.png] [--project FOLDER]
                                 (offscreen; the first run computes the image features: under a minute)

The project is the one ``make screenshot`` makes (the demo with its true boxes imported into ``shot.db``, default
``/tmp/labelstudio-desktop-screenshot``). The images' features are computed first where missing (as the app does
after an import), then the window opens the map as a user would (View > Dataset map), colours it by class and opens
an image by clicking its point. With ``--ja``, the same view in Japanese is saved too.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

PROJECT = Path("/tmp/labelstudio-desktop-screenshot")
#: The image opened from the map (its point is clicked), the window's size and the map dock's width.
IMAGE = "nut/nut_000.jpg"
SIZE = (1440, 900)
MAP_SIZE = (560, 600)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", nargs="?", type=Path, default=Path(__file__).with_name("dataset-map.png"))
    parser.add_argument("--ja", type=Path, help="also save the Japanese window here")
    parser.add_argument("--project", type=Path, default=PROJECT,
                        help="the screenshot project (`make screenshot` makes it; default %(default)s)")
    args = parser.parse_args()
    images, db = args.project / "images", args.project / "shot.db"
    if not db.is_file():
        sys.exit(f"{db}: no screenshot project; `make screenshot` makes it")

    from labelstudio_desktop.core.store.features import feature_state
    from labelstudio_desktop.core.store.store import Store

    with Store.open(str(db)) as store:
        if feature_state(store).todo:
            from labelstudio_desktop.ml.features import compute_features

            report = compute_features(store)
            print(f"features computed in {report.seconds:.0f} s")

    from labelstudio_desktop.gui.app import make_app
    from labelstudio_desktop.gui.language import install_translators

    app = make_app(language="en")
    shoot(app, images, db, args.out)
    if args.ja is not None:
        install_translators("ja")
        shoot(app, images, db, args.ja)


def wait(app, done, what: str, seconds: float = 60.0) -> None:
    stop = time.monotonic() + seconds
    while not done():
        if time.monotonic() > stop:
            sys.exit(f"gave up waiting for {what}")
        app.processEvents()
        time.sleep(0.01)


def shoot(app, images: Path, db: Path, out: Path) -> None:
    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtTest import QTest

    from labelstudio_desktop.gui.app import save_screenshot
    from labelstudio_desktop.gui.main_window import MainWindow

    # Fresh settings for each window: the user's layout is neither read nor changed, and the Japanese window does
    # not start with the map the English one left open (the action toggles the dock: it would close it).
    settings = Path(tempfile.mkdtemp()) / "settings.ini"
    window = MainWindow(QSettings(str(settings), QSettings.IniFormat))
    window.resize(*SIZE)
    window.open_project(str(images), str(db))
    window.show()
    wait(app, lambda: not window.jobs.runner.busy() and not window.features.busy(), "the project's jobs")
    assert not window.map.dock.isVisible()
    window.map.action.trigger()  # View > Dataset map (Ctrl+M)
    wait(app, lambda: window.map.panel is not None, "the map dock")
    panel = window.map.panel
    # The dock opens below "Image and objects": wide and tall enough that the map reads at a glance.
    window.resizeDocks([window.map.dock], [MAP_SIZE[0]], Qt.Horizontal)
    window.resizeDocks([window.properties_dock, window.map.dock], [SIZE[1] - MAP_SIZE[1], MAP_SIZE[1]], Qt.Vertical)
    wait(app, lambda: panel.found is not None, "the map")
    panel.colour_box.setCurrentIndex(panel.colour_box.findData("label"))
    panel.recolour()
    app.processEvents()
    target = window.store.image_by_path(IMAGE)
    where = panel.canvas.place_of(target.id) if target is not None else None
    if where is not None:  # open the image by clicking its point, as a user would
        QTest.mouseClick(panel.canvas, Qt.LeftButton, Qt.NoModifier, where.toPoint())
        app.processEvents()
    shown = window.annotation.image
    if target is not None and (shown is None or shown.id != target.id):  # another point lay on top of it
        window.browser.select_id(target.id)
    if save_screenshot(app, window, out):  # settles, fits the image, saves and closes the window
        sys.exit(f"could not save {out}")


if __name__ == "__main__":
    main()
