"""Small helpers of the GUI tests: letting queued events run, a made-up clock, the browser's rows as a user sees and
clicks them."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication


def settle(qtbot) -> None:
    """Let queued events (layouts, queued signals, repaints) run."""
    for _ in range(3):
        QApplication.processEvents()
        qtbot.wait(10)


def hover(widget, pos: QPoint) -> None:
    """Move the pointer, no button held, to ``pos`` on ``widget``. qtbot.mouseMove on a widget moves the offscreen
    cursor, whose event goes to the first shown top-level window under it, which may be a window an earlier test left
    for deletion; sent to the widget's own window, the move reaches the widget whatever else is open."""
    window = widget.window()
    QTest.mouseMove(window.windowHandle(), widget.mapTo(window, pos))
    QApplication.processEvents()


def give_focus(qtbot, widget) -> None:
    """Focus ``widget`` as a click would, its window made active first: keys and a widget's own shortcuts go to the
    focused widget of the active window only, and another test's window may be the active one."""
    window = widget.window()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus, timeout=5000)


class Clock:
    """Made-up time, advanced by the test."""

    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def browser_ids(browser) -> list[int]:
    """The image ids of the browser's rows, in the order shown."""
    from labelstudio_desktop.gui.browser import ImageIdRole

    return [browser.model.index(r, 0).data(ImageIdRole) for r in range(browser.model.rowCount())]


def click_browser_row(qtbot, browser, row: int) -> None:
    """Click the tile of ``row`` as a user would, scrolling to it first."""
    index = browser.model.index(row, 0)
    browser.view.scrollTo(index)
    qtbot.mouseClick(browser.view.viewport(), Qt.LeftButton, pos=browser.view.visualRect(index).center())


def open_and_propose(qtbot, settings, folder, timeout_ms: int = 300000):
    """A real window on the project of ``folder`` (closed with the test), after one click on Propose and the
    proposing job's end."""
    from labelstudio_desktop.gui.main_window import MainWindow

    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.show()
    assert window.open_project(str(folder))
    with qtbot.waitSignal(window.jobs.runner.sig_stopped, timeout=timeout_ms):
        assert window.act_propose.isEnabled()
        window.act_propose.trigger()
    return window
