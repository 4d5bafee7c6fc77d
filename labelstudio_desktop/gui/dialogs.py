"""Small dialogs: the box label picker and the keyboard shortcut help."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)


class LabelDialog(QDialog):
    """Type a label (with completion) or pick one; recent labels come first."""

    def __init__(self, labels: list[str], current: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Box label"))
        self.edit = QLineEdit(current, self)
        self.edit.selectAll()
        completer = QCompleter(labels, self)
        completer.setCaseSensitivity(Qt.CaseInsensitive)
        completer.setFilterMode(Qt.MatchContains)
        self.edit.setCompleter(completer)
        self.list = QListWidget(self)
        self.list.addItems(labels)
        self.list.itemClicked.connect(lambda item: self.edit.setText(item.text()))
        self.list.itemDoubleClicked.connect(lambda item: (self.edit.setText(item.text()), self.accept()))
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.edit)
        layout.addWidget(self.list)
        layout.addWidget(buttons)

    def label(self) -> str:
        return self.edit.text().strip()


SHORTCUTS = [
    ("W", "draw a box (or drag on empty space)"),
    ("Drag a corner / an edge", "resize that corner / only that edge"),
    ("Arrows", "move the selected box by 1 px"),
    ("Shift+Arrows", "move its right / bottom edge"),
    ("Alt+Arrows", "move its left / top edge"),
    ("Delete", "delete the selected box (a pending proposal is rejected)"),
    ("Enter / X", "accept / reject the selected proposal"),
    ("Drag a proposal's edge", "correct it (it becomes accepted, marked edited)"),
    ("Ctrl+Enter", "accept all proposals on this image"),
    ("N", "next image with pending proposals"),
    ("G", "show / hide the Grad-CAM heatmap"),
    ("Ctrl+P, Ctrl+T, Ctrl+R", "propose, train, retrain"),
    ("L", "change the selected box's label"),
    ("Ctrl+V", "copy the boxes of the previous image"),
    ("H", "hide / show boxes"),
    ("1-9", "set the image's class (the n-th class)"),
    ("Space", "mark verified and go to the next image"),
    ("D / A", "next / previous image"),
    ("Ctrl+D", "next unverified image"),
    ("Ctrl+Z", "undo"),
    ("Ctrl+Shift+Z, Ctrl+Y", "redo"),
    ("Wheel", "zoom around the cursor"),
    ("F / Ctrl+0", "fit the image / actual pixels (1:1)"),
    ("Middle drag, Space+drag", "pan"),
    ("F1", "this help"),
]


class ShortcutsDialog(QDialog):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Keyboard shortcuts"))
        text = QTextBrowser(self)
        rows = "".join(f"<tr><td><b>{k}</b></td><td>{self.tr(v)}</td></tr>" for k, v in SHORTCUTS)
        text.setHtml(f"<table cellpadding='3'>{rows}</table>")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("Every edit is saved at once; undo is unlimited."), self))
        layout.addWidget(text)
        buttons = QDialogButtonBox(QDialogButtonBox.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(460, 520)
