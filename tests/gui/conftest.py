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
def window(qtbot, demo, settings):
    from labelstudio_desktop.gui.main_window import MainWindow

    w = MainWindow(settings)
    qtbot.addWidget(w)
    w.resize(1200, 800)
    w.show()
    qtbot.waitExposed(w)
    assert w.open_project(str(demo / "images"))
    yield w
    w.close()
    assert not w.jobs.runner.busy(), "a background job was left running"
