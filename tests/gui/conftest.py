"""GUI fixtures: a real main window on a private copy of the demo project, settings in a temp folder."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings


@pytest.fixture
def settings(tmp_path):
    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(tmp_path / "settings"))
    return QSettings(str(tmp_path / "settings" / "test.ini"), QSettings.IniFormat)


@pytest.fixture
def open_window(qtbot, settings):
    """``open_window(folder)``: a real, shown 1200 x 800 main window on the project of ``folder``; closed after the
    test, which fails if it left a background job running."""
    from labelstudio_desktop.gui.main_window import MainWindow

    opened = []

    def open_on(folder):
        w = MainWindow(settings)
        qtbot.addWidget(w)
        w.resize(1200, 800)
        w.show()
        qtbot.waitExposed(w)
        assert w.open_project(str(folder))
        opened.append(w)
        return w

    yield open_on
    for w in opened:
        w.close()
        assert not w.jobs.runner.busy(), "a background job was left running"


@pytest.fixture
def window(open_window, demo):
    return open_window(demo / "images")
