"""GUI fixtures: a real main window on a private copy of the demo project, settings in a temp folder."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QDialog


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


def answer_next_dialog(text: str | None) -> None:
    """Answer the next modal label dialog like a user: type ``text`` and press OK (None: Cancel)."""

    def answer():
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QDialog):
            QTimer.singleShot(10, answer)
            return
        if text is None:
            dialog.reject()
        else:
            dialog.edit.setText(text)
            dialog.accept()

    QTimer.singleShot(0, answer)
