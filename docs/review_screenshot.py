"""Make docs/review.png: the demo project after a short training, with Grad-CAM proposals pending review.

    python docs/review_screenshot.py [OUT.png] [--ja OUT_JA.png]
                                    (offscreen; about half a minute: it trains a small model)

With ``--ja``, the same view in Japanese is saved too (from the same project, model and proposals).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", nargs="?", type=Path, default=Path(__file__).with_name("review.png"))
    parser.add_argument("--ja", type=Path, help="also save the Japanese window here")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp()) / "demo"
    cli = [sys.executable, "-m", "labelstudio_desktop"]
    subprocess.run([*cli, "demo", str(folder)], check=True, capture_output=True)
    images = str(folder / "images")
    subprocess.run([*cli, "train", images, "--task", "classify", "--epochs", "15", "--augment", "hflip,vflip",
                    "--seed", "1"], check=True, capture_output=True)
    subprocess.run([*cli, "propose", images, "--use-labels", "--multi"], check=True, capture_output=True)

    from labelstudio_desktop.gui.app import make_app
    from labelstudio_desktop.gui.language import install_translators

    app = make_app(language="en")
    shoot(app, folder, images, args.out)
    if args.ja is not None:
        install_translators("ja")
        shoot(app, folder, images, args.ja)


def shoot(app, folder: Path, images: str, out: Path) -> None:
    from PySide6.QtCore import QSettings

    from labelstudio_desktop.gui.main_window import MainWindow

    window = MainWindow(QSettings(str(folder / "settings.ini"), QSettings.IniFormat))
    window.resize(1280, 800)
    window.open_project(images)
    window.show()
    window.browser.select_id(window.store.image_by_path("nut/nut_000.jpg").id)
    pending = window.store.boxes(window.annotation.image.id, states=("pending",))
    if pending:
        window.canvas.select(pending[-1].id)
    window.act_heatmap.trigger()
    for _ in range(3):
        window.wait_idle()
        app.processEvents()
    window.canvas.fit()
    app.processEvents()
    window.grab().save(str(out))
    window.close()
    print(f"saved {out}")


if __name__ == "__main__":
    main()
