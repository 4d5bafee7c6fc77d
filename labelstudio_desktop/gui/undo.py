"""Core edit commands on a QUndoStack: unlimited, exact undo/redo with merged key bursts.

The store is written before the stack moves: an edit, undo or redo that the database refuses (locked past its
busy timeout, disk full, read-only) leaves the stack where it was, the views are reloaded from the database
(so the screen shows what is saved), and ``sig_failed`` says why in plain words.
"""

from __future__ import annotations

import sqlite3

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from ..core.editing.commands import Command
from ..core.store.store import Store, StoreError

MERGEABLE_ID = 1001


def save_error_text(exc: Exception) -> str:
    """What went wrong with a save, for the operator."""
    text = str(exc)
    lowered = text.lower()
    if "locked" in lowered or "busy" in lowered:
        return QCoreApplication.translate("Editor", "the project database is locked by another program ({0}); close "
                                          "it or wait, then try again").format(text)
    if "full" in lowered:
        return QCoreApplication.translate("Editor", "the disk is full ({0}); free some space, then try again").format(
            text)
    if "readonly" in lowered or "read-only" in lowered:
        return QCoreApplication.translate("Editor", "the project database is read-only ({0})").format(text)
    return text


class StoreUndoCommand(QUndoCommand):
    """Wraps one core :class:`Command` that the :class:`Editor` has already applied to the store.

    QUndoStack calls ``redo`` on push and ``undo``/``redo`` when it moves; the editor applies the store change
    first and then moves the stack, so these only tell the views (``applied`` guards the store call)."""

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
        self._emit()

    def undo(self) -> None:
        self._emit()

    def id(self) -> int:
        return MERGEABLE_ID if self.command.merge_key() is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        return isinstance(other, StoreUndoCommand) and self.command.merge(other.command)


class Editor(QObject):
    """The one way the GUI edits the store: every change is a command on the undo stack, committed at once.

    ``sig_changed(image_id)`` tells views to reload that image (-1: several or unknown);
    ``sig_revisited(image_id)`` follows undo and redo, so the window can show the image they touched;
    ``sig_failed(text)`` says why an edit, undo or redo could not be saved (nothing changed then).
    """

    sig_changed = Signal(int)
    sig_revisited = Signal(int)  # an undo or redo touched this image (-1: several)
    sig_failed = Signal(str)

    def __init__(self, store: Store, parent: QObject | None = None):
        super().__init__(parent)
        self.store = store
        self.stack = QUndoStack(self)

    def _apply(self, command: Command, step) -> bool:
        try:
            step(self.store)
        except (sqlite3.Error, StoreError, OSError) as exc:
            self.store.rollback()
            image_id = command.image_id if command.image_id is not None else -1
            self.sig_changed.emit(image_id)  # the views show what the database holds
            self.sig_failed.emit(self.tr("Not saved: {0}").format(save_error_text(exc)))
            return False
        return True

    def push(self, command: Command) -> bool:
        """Apply ``command`` to the store, then put it on the stack; False (and ``sig_failed``) if not saved."""
        if not self._apply(command, command.do):
            return False
        self.stack.push(StoreUndoCommand(self, command))
        return True

    def undo(self) -> bool:
        if not self.stack.canUndo():
            return False
        wrapper = self.stack.command(self.stack.index() - 1)
        if not self._apply(wrapper.command, wrapper.command.undo):
            return False
        self.stack.undo()
        return True

    def redo(self) -> bool:
        if not self.stack.canRedo():
            return False
        wrapper = self.stack.command(self.stack.index())
        if not self._apply(wrapper.command, wrapper.command.do):
            return False
        self.stack.redo()
        return True
