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
