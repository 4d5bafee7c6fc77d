"""Starting the desktop app (``labelstudio-desktop gui``, ``python main.py``)."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSettings, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from ..core.store.store import Store
from .language import chosen_language, install_translators
from .resources import APP_ID, app_icon

ORGANIZATION = "labelstudio-desktop"
APPLICATION = "labelstudio-desktop"


def make_app(argv: list[str] | None = None, language: str | None = None) -> QApplication:
    """The application with its names, icon and the user interface's translations (``language``: "en", "ja", "" for
    the system's; by default the setting, see :mod:`.language`)."""
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)
    QGuiApplication.setDesktopFileName(APP_ID)  # the task bar matches the window to the desktop entry and its icon
    app.setWindowIcon(app_icon())
    install_translators(chosen_language(override=language))
    return app


def run_app(project: Path | None = None, db: Path | None = None, screenshot: Path | None = None,
            image: str | None = None, language: str | None = None) -> int:
    """Open the window on ``project`` (or the last project, or the start page); with ``screenshot``, save
    a PNG of the window showing the first image and exit."""
    from .main_window import MainWindow

    app = make_app(language=language)
    window = MainWindow(QSettings())
    target = str(project) if project else window.settings.value("last_project", "")
    if target and Store.find_db(target, db):
        window.open_project(target, str(db) if db else None)
    elif project:
        window.open_project(str(project), str(db) if db else None)
    if image and window.store is not None:
        found = window.store.image_by_path(image)
        if found is None:
            print(f"warning: {image}: no such image in the project", file=sys.stderr)
        else:
            window.browser.select_id(found.id)
    if screenshot is not None:
        window.resize(1280, 800)
    window.show()
    if screenshot is not None:
        return save_screenshot(app, window, Path(screenshot))
    return app.exec()


def save_screenshot(app: QApplication, window, path: Path) -> int:
    while window.jobs.runner.busy():  # an import started by opening a new folder
        app.processEvents()
    for _ in range(3):
        window.wait_idle()
        app.processEvents()
    window.canvas.fit()
    app.processEvents()
    path.parent.mkdir(parents=True, exist_ok=True)
    ok = window.grab().save(str(path))
    QTimer.singleShot(0, window.close)
    app.processEvents()
    window.close()
    print(f"screenshot saved to {path}" if ok else f"could not save {path}")
    return 0 if ok else 1
