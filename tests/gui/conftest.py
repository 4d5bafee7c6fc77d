"""GUI fixtures: a real main window on a private copy of the demo project, settings in a temporary folder; and a
watchdog that closes a modal dialog nobody answers, so a GUI test fails instead of hanging."""

from __future__ import annotations

import os
import time

import pytest
from dialogs_helper import forget_unused_answers
from PySide6.QtCore import QObject, QSettings, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox
from widgets_helper import settle

#: A modal dialog a test opened and left unanswered this long is closed and fails the test: tests answer their
#: dialogs within milliseconds (a QTimer picks the button), so only a stuck test waits this long.
UNANSWERED_MODAL_S = float(os.environ.get("LABELSTUDIO_TEST_MODAL_PATIENCE_S", "60"))


class ModalWatchdog(QObject):
    """Every 200 ms, while a Qt event loop runs (a modal dialog runs its own), looks at the active modal widget and
    closes it when it has been open longer than :data:`UNANSWERED_MODAL_S`, or at once while a test is being torn
    down (pytest-qt closes the windows then: a question asked in ``closeEvent`` would wait forever). What it closed is
    kept in ``closed`` for the test's report."""

    def __init__(self):
        super().__init__()
        self.tearing_down = False
        self.closed: list[str] = []
        self._first_seen: dict[int, float] = {}
        self.timer = QTimer(self)
        self.timer.setInterval(200)
        self.timer.timeout.connect(self.check)
        self.timer.start()

    def check(self) -> None:
        modal = QApplication.activeModalWidget()
        if modal is None:
            self._first_seen.clear()
            return
        first = self._first_seen.setdefault(id(modal), time.monotonic())
        if not self.tearing_down and time.monotonic() - first < UNANSWERED_MODAL_S:
            return
        text = modal.text() if isinstance(modal, QMessageBox) else ""
        self.closed.append(f"{type(modal).__name__} {modal.windowTitle()!r} {text!r}".strip())
        if isinstance(modal, QDialog):
            modal.reject()
        else:
            modal.close()


_watchdog: ModalWatchdog | None = None


def modal_watchdog() -> ModalWatchdog:
    """The session's watchdog, made once the QApplication exists."""
    global _watchdog
    if _watchdog is None:
        _watchdog = ModalWatchdog()
    return _watchdog


@pytest.fixture(autouse=True)
def no_modal_left_unanswered(qapp):
    """Fail a test whose modal dialog stayed unanswered (the watchdog closed it: the test goes on failing, the
    suite does not hang)."""
    watchdog = modal_watchdog()
    watchdog.closed.clear()
    watchdog.tearing_down = False
    yield
    forget_unused_answers()
    _fail_if_closed(watchdog)


def _fail_if_closed(watchdog: ModalWatchdog) -> None:
    if watchdog.closed:
        closed, watchdog.closed = list(watchdog.closed), []
        pytest.fail(f"a modal dialog stayed unanswered and was closed by the test watchdog: {closed}", pytrace=False)


def stop_window_jobs() -> list[str]:
    """Stop the background jobs of every open main window; the titles of those that were running."""
    running = []
    for widget in QApplication.topLevelWidgets():
        if hasattr(widget, "running_jobs") and hasattr(widget, "stop_jobs"):
            running += widget.running_jobs()
            widget.stop_jobs()
    return running


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_teardown(item):
    """Before pytest-qt closes the test's widgets (its own teardown hook, which runs before the fixtures'), stop the
    jobs of open main windows, so that closing asks nothing; a job left running fails the test. While the test is torn
    down, modal dialogs are closed at once, and one that opened fails the test."""
    if QApplication.instance() is None:
        return (yield)
    watchdog = modal_watchdog()
    left_running = stop_window_jobs()
    watchdog.tearing_down = True
    try:
        result = yield
    finally:
        watchdog.tearing_down = False
    _fail_if_closed(watchdog)
    if left_running:
        pytest.fail(f"background jobs were left running: {left_running}", pytrace=False)
    return result


@pytest.fixture
def settings(tmp_path):
    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(tmp_path / "settings"))
    return QSettings(str(tmp_path / "settings" / "test.ini"), QSettings.IniFormat)


@pytest.fixture
def open_window(qtbot, settings):
    """``open_window(folder)``: a real, shown 1200 x 800 main window on the project of ``folder``; closed after the
    test, which fails if it left a background job running (see :func:`pytest_runtest_teardown`)."""
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


@pytest.fixture
def window(open_window, demo):
    return open_window(demo / "images")


@pytest.fixture
def panel(window, qtbot):
    """The window's Training dock, shown."""
    window.act_train.trigger()
    settle(qtbot)
    return window.training


@pytest.fixture
def japanese(monkeypatch):
    """The Japanese translations installed in the test's application, removed afterwards."""
    from labelstudio_desktop.gui.language import ENV, install_translators, remove_translators

    monkeypatch.delenv(ENV, raising=False)
    assert install_translators("ja") == "ja"
    yield
    remove_translators()
