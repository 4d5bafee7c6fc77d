"""Answering modal dialogs the way a user would, from a timer."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog

#: Bumped after every test (tests/gui/conftest.py): an answer a test prepared but never gave stops waiting then,
#: instead of answering a later test's dialog.
_test_generation = [0]


def forget_unused_answers() -> None:
    """Stop the answers prepared by the test that ended and not given."""
    _test_generation[0] += 1


def answer_next_modal(kind: type, act: Callable) -> None:
    """When the next modal widget of type ``kind`` is up, call ``act(widget)`` (which answers it). Should ``act``
    fail, the widget is closed (so the test fails instead of waiting for ever) and the error raised. Only while the
    test that asked runs."""
    generation = _test_generation[0]

    def answer():
        if generation != _test_generation[0]:
            return
        widget = QApplication.activeModalWidget()
        if not isinstance(widget, kind):
            QTimer.singleShot(10, answer)
            return
        try:
            act(widget)
        except BaseException:
            widget.close()
            raise

    QTimer.singleShot(0, answer)


def answer_next_dialog(text: str | None) -> None:
    """Answer the next modal label dialog like a user: type ``text`` and press OK (None: Cancel)."""

    def act(dialog):
        if text is None:
            dialog.reject()
        else:
            dialog.edit.setText(text)
            dialog.accept()

    answer_next_modal(QDialog, act)


def answer_next_message_box(yes: bool | None) -> list[str]:
    """Answer the next modal message box like a user clicking Yes or No (None: OK); returns its text and, once
    answered, its informative text."""
    from PySide6.QtWidgets import QMessageBox

    seen: list[str] = []

    def act(box):
        seen.extend([box.text(), box.informativeText()])
        box.button(QMessageBox.Ok if yes is None else QMessageBox.Yes if yes else QMessageBox.No).click()

    answer_next_modal(QMessageBox, act)
    return seen


def answer_next_folder_dialog(folder) -> None:
    """Choose ``folder`` in the next folder dialog (Qt's own: offscreen has no native one) as a user who went into
    it: the dialog showing ``folder``, no name typed, the Choose button clicked."""
    from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QLineEdit

    def act(dialog):
        dialog.setDirectory(str(folder))
        dialog.findChild(QLineEdit, "fileNameEdit").clear()
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.Open).click()

    answer_next_modal(QFileDialog, act)


def click_menu_action(qtbot, window, title: str, action) -> None:
    """Open the menu ``title`` with a click on the menu bar and click ``action`` in it, as a user would."""
    from PySide6.QtCore import Qt

    bar = window.menuBar()
    entry = next(a for a in bar.actions() if a.text() == title)
    qtbot.mouseClick(bar, Qt.LeftButton, pos=bar.actionGeometry(entry).center())
    menu = entry.menu()
    qtbot.waitUntil(menu.isVisible)
    qtbot.mouseClick(menu, Qt.LeftButton, pos=menu.actionGeometry(action).center())
