"""Small dialogs: the box label picker and the keyboard shortcut help."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QT_TRANSLATE_NOOP, QEvent, Qt
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QTextBrowser,
    QTextEdit,
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
        completer.activated.connect(self._completed)
        completer.popup().installEventFilter(self)
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

    def _completed(self, text: str) -> None:
        """A completion chosen with Enter or a click is the answer: one Enter, not two."""
        self.edit.setText(text)
        self.accept()

    def eventFilter(self, watched, event) -> bool:
        # Enter in the completion popup with no row chosen: take what is typed (the popup would swallow it)
        if (event.type() == QEvent.KeyPress and event.key() in (Qt.Key_Return, Qt.Key_Enter)
                and not self.edit.completer().popup().currentIndex().isValid()):
            self.edit.completer().popup().hide()
            self.accept()
            return True
        return super().eventFilter(watched, event)


#: What the canvas does with the mouse and with keys that are not actions (the F1 sheet lists these after
#: every action's keys). Marked for translation; translated where shown.
CANVAS_GESTURES = [
    (QT_TRANSLATE_NOOP("Shortcuts", "Drag on empty space"), QT_TRANSLATE_NOOP("Shortcuts", "draw a box")),
    (QT_TRANSLATE_NOOP("Shortcuts", "Drag a corner / an edge"),
     QT_TRANSLATE_NOOP("Shortcuts", "resize that corner / only that edge")),
    (QT_TRANSLATE_NOOP("Shortcuts", "Drag inside a box"), QT_TRANSLATE_NOOP("Shortcuts", "move it")),
    (QT_TRANSLATE_NOOP("Shortcuts", "Drag a proposal"),
     QT_TRANSLATE_NOOP("Shortcuts", "correct it (it becomes accepted, marked edited)")),
    (QT_TRANSLATE_NOOP("Shortcuts", "Arrows"), QT_TRANSLATE_NOOP("Shortcuts", "move the selected box by 1 px")),
    (QT_TRANSLATE_NOOP("Shortcuts", "Shift+Arrows"), QT_TRANSLATE_NOOP("Shortcuts", "move its right / bottom edge")),
    (QT_TRANSLATE_NOOP("Shortcuts", "Alt+Arrows"), QT_TRANSLATE_NOOP("Shortcuts", "move its left / top edge")),
    (QT_TRANSLATE_NOOP("Shortcuts", "Space"),
     QT_TRANSLATE_NOOP("Shortcuts", "mark verified, keeping its pending proposals, and go to the next image")),
    (QT_TRANSLATE_NOOP("Shortcuts", "Shift+Space"),
     QT_TRANSLATE_NOOP("Shortcuts", "mark verified, rejecting its pending proposals, and go to the next image")),
    (QT_TRANSLATE_NOOP("Shortcuts", "Wheel"), QT_TRANSLATE_NOOP("Shortcuts", "zoom around the cursor")),
    (QT_TRANSLATE_NOOP("Shortcuts", "Middle drag, Space+drag"), QT_TRANSLATE_NOOP("Shortcuts", "pan")),
    (QT_TRANSLATE_NOOP("Shortcuts", "Drag (brush B / eraser E)"),
     QT_TRANSLATE_NOOP("Shortcuts", "paint / erase the mask of the label in the panel; one undo step per stroke")),
    (QT_TRANSLATE_NOOP("Shortcuts", "Click (polygon P)"), QT_TRANSLATE_NOOP("Shortcuts", "add a vertex")),
    (QT_TRANSLATE_NOOP("Shortcuts", "Enter, double click / Backspace (polygon)"),
     QT_TRANSLATE_NOOP("Shortcuts", "close and fill the polygon / remove its last vertex")),
    (QT_TRANSLATE_NOOP("Shortcuts", "Drag a box (box to mask C)"),
     QT_TRANSLATE_NOOP("Shortcuts", "GrabCut finds the object in it and adds it to the mask")),
    (QT_TRANSLATE_NOOP("Shortcuts", "Drag / right drag inside that box"),
     QT_TRANSLATE_NOOP("Shortcuts", "mark foreground / background: GrabCut runs again")),
    (QT_TRANSLATE_NOOP("Shortcuts", "Esc (mask tools)"),
     QT_TRANSLATE_NOOP("Shortcuts", "cancel the open polygon or the GrabCut box, else back to boxes")),
    (QT_TRANSLATE_NOOP("Shortcuts", "Enter in a field"),
     QT_TRANSLATE_NOOP("Shortcuts", "save every field of the panel")),
    (QT_TRANSLATE_NOOP("Shortcuts", "Enter, X, Delete, L / right click in the Objects list"),
     QT_TRANSLATE_NOOP("Shortcuts", "accept, reject, delete, relabel the box of that row / a menu of them")),
]


def is_text_entry(widget: QWidget | None) -> bool:
    """A widget the user types into: it keeps the keyboard focus, whatever the images do meanwhile."""
    if isinstance(widget, QComboBox):
        return widget.isEditable()
    return isinstance(widget, (QLineEdit, QAbstractSpinBox, QTextEdit, QPlainTextEdit))


class ShortcutsDialog(QDialog):
    """The F1 sheet: every key of the window and the canvas's gestures, with the box styles."""

    def __init__(self, rows: list[tuple[str, str]], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Keyboard shortcuts"))
        self.text = QTextBrowser(self)
        body = "".join(f"<tr><td><b>{escape(k)}</b></td><td>{escape(v)}</td></tr>" for k, v in rows)
        styles = self.tr("Boxes: solid = accepted; ✎ = accepted after a correction; dashed with an amber tag and "
                         "'?' = pending proposal; grey dotted ✗ = rejected (View → Show rejected proposals). "
                         "Masks: in the label's colour; a proposed mask in green; ✎ = corrected.")
        self.text.setHtml(f"<table cellpadding='3'>{body}</table><p>{escape(styles)}</p>")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("Every edit is saved at once; undo is unlimited. Single keys act while the "
                                        "image has the focus (click it)."), self))
        layout.addWidget(self.text)
        buttons = QDialogButtonBox(QDialogButtonBox.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(520, 640)
