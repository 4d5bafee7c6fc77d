"""Answering modal dialogs the way a user would, from a timer."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog


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


def answer_next_message_box(yes: bool) -> list[str]:
    """Answer the next modal question box Yes or No, as a user clicking the button; returns its text."""
    from PySide6.QtWidgets import QMessageBox

    seen: list[str] = []

    def answer():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(10, answer)
            return
        seen.append(box.text())
        box.button(QMessageBox.Yes if yes else QMessageBox.No).click()

    QTimer.singleShot(0, answer)
    return seen
