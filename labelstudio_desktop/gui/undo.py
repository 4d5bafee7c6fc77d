"""Core edit commands on a QUndoStack: unlimited, exact undo/redo with merged drags."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from ..core.commands import Command
from ..core.store import Store

MERGEABLE_ID = 1001


class StoreUndoCommand(QUndoCommand):
    """Wraps one core :class:`Command`; the first ``redo`` (called by ``push``) applies it."""

    def __init__(self, editor: Editor, command: Command):
        super().__init__(command.text)
        self.editor = editor
        self.command = command
        self.pushed = False

    def _emit(self) -> None:
        image_id = self.command.image_id if self.command.image_id is not None else -1
        self.editor.sig_changed.emit(image_id)
        if self.pushed:  # an undo or a redo, not the edit itself: the user may be elsewhere
            self.editor.sig_revisited.emit(image_id)
        self.pushed = True

    def redo(self) -> None:
        self.command.do(self.editor.store)
        self._emit()

    def undo(self) -> None:
        self.command.undo(self.editor.store)
        self._emit()

    def id(self) -> int:
        return MERGEABLE_ID if self.command.merge_key() is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        return isinstance(other, StoreUndoCommand) and self.command.merge(other.command)


class Editor(QObject):
    """The one way the GUI edits the store: every change is a command on the undo stack, committed at once.

    ``sig_changed(image_id)`` tells views to reload that image (-1: several or unknown);
    ``sig_revisited(image_id)`` follows undo and redo, so the window can show the image they touched.
    """

    sig_changed = Signal(int)
    sig_revisited = Signal(int)  # an undo or redo touched this image (-1: several)

    def __init__(self, store: Store, parent: QObject | None = None):
        super().__init__(parent)
        self.store = store
        self.stack = QUndoStack(self)

    def push(self, command: Command) -> None:
        self.stack.push(StoreUndoCommand(self, command))

    def undo(self) -> None:
        self.stack.undo()

    def redo(self) -> None:
        self.stack.redo()
