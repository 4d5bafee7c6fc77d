"""The Classes dialog: the project's class list (:mod:`..core.class_list`) in order, with the id every export gives
each class and how many boxes, masks and images use it; add, rename (onto another class: a merge, asked first) and
move classes. Every change is one step on the window's undo stack (:mod:`..core.commands`)."""

from __future__ import annotations

import sqlite3

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core.editing.class_list import object_class_names, project_classes
from ..core.editing.commands import CLASS_TABLES, AddClass, RenameClass, ReorderClasses
from ..core.labels_rule import label_problem
from ..core.store.store import StoreError
from .image_notes import translate_note
from .undo import Editor, save_error_text


def class_usage(editor: Editor) -> dict[str, dict[str, int]]:
    """For each label: how many rows of each of :data:`CLASS_TABLES` carry it."""
    usage: dict[str, dict[str, int]] = {}
    for table in CLASS_TABLES:
        for label, count in editor.store.conn.execute(
                f"SELECT label, COUNT(*) FROM {table} WHERE label IS NOT NULL GROUP BY label"):
            usage.setdefault(label, dict.fromkeys(CLASS_TABLES, 0))[table] = count
    return usage


class ClassListDialog(QDialog):
    """The class list as a table (export id, name, boxes, masks, images) with Add, Rename, Move up, Move down."""

    def __init__(self, editor: Editor, parent: QWidget | None = None):
        super().__init__(parent)
        self.editor = editor
        self.setWindowTitle(self.tr("Classes"))
        self.setAttribute(Qt.WA_DeleteOnClose)
        self.resize(520, 420)
        self.table = QTableWidget(0, 5, self)
        self.table.setHorizontalHeaderLabels([self.tr("Id"), self.tr("Class"), self.tr("Boxes"), self.tr("Masks"),
                                              self.tr("Images")])
        self.table.horizontalHeaderItem(0).setToolTip(self.tr(
            "The class id box and mask exports write (YOLO; COCO category ids and mask indices add 1): the place "
            "among the object classes. A class given only to whole images has none."))
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.itemDoubleClicked.connect(lambda _item: self.rename())
        self.add_button = QPushButton(self.tr("Add…"), self)
        self.rename_button = QPushButton(self.tr("Rename…"), self)
        self.up_button = QPushButton(self.tr("Move up"), self)
        self.down_button = QPushButton(self.tr("Move down"), self)
        self.undo_button = QPushButton(self.tr("Undo"), self)
        self.undo_button.setShortcut(QKeySequence.Undo)
        self.redo_button = QPushButton(self.tr("Redo"), self)
        self.redo_button.setShortcut(QKeySequence("Ctrl+Shift+Z"))
        for button, slot in ((self.add_button, self.add), (self.rename_button, self.rename),
                             (self.up_button, lambda: self.move(-1)), (self.down_button, lambda: self.move(1)),
                             (self.undo_button, lambda: editor.undo()), (self.redo_button, lambda: editor.redo())):
            button.setAutoDefault(False)
            button.clicked.connect(slot)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.Close, self)
        buttons.rejected.connect(self.close)
        row = QHBoxLayout()
        for button in (self.add_button, self.rename_button, self.up_button, self.down_button, None,
                       self.undo_button, self.redo_button):
            row.addStretch(1) if button is None else row.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("Every export numbers the classes in this order."), self))
        layout.addWidget(self.table)
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        editor.sig_changed.connect(self._changed)
        editor.sig_failed.connect(self.message.setText)
        self.undo_button.setEnabled(editor.stack.canUndo())
        self.redo_button.setEnabled(editor.stack.canRedo())
        editor.stack.canUndoChanged.connect(self.undo_button.setEnabled)
        editor.stack.canRedoChanged.connect(self.redo_button.setEnabled)
        self.refresh()

    # ----------------------------------------------------------------- showing
    def names(self) -> list[str]:
        return [self.table.item(r, 1).text() for r in range(self.table.rowCount())]

    def selected_name(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return self.table.item(rows[0].row(), 1).text() if rows else None

    def refresh(self, select: str | None = None) -> None:
        """Re-read the list and the counts; keep (or move to ``select``) the selected class."""
        select = select or self.selected_name()
        try:
            classes = project_classes(self.editor.store)
            objects = object_class_names(self.editor.store)
        except (StoreError, sqlite3.Error) as exc:
            self.message.setText(self.tr("Cannot read the class list: {0}").format(save_error_text(exc)))
            return
        usage = class_usage(self.editor)
        self.table.setRowCount(len(classes))
        for r, c in enumerate(classes):
            counts = usage.get(c.name, dict.fromkeys(CLASS_TABLES, 0))
            export_id = objects.index(c.name) if c.name in objects else "–"
            for col, value in enumerate([export_id, c.name] + [counts[t] for t in CLASS_TABLES]):
                item = QTableWidgetItem(str(value))
                if col == 0 and c.name not in objects:
                    item.setToolTip(self.tr("An image class: box and mask exports leave it out"))
                if col != 1:
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                self.table.setItem(r, col, item)
        self.table.resizeColumnsToContents()
        names = self.names()
        if select in names:
            self.table.selectRow(names.index(select))
        self._update_buttons()

    def _changed(self, _image_id: int) -> None:
        self.refresh()

    def _update_buttons(self) -> None:
        name = self.selected_name()
        names = self.names()
        self.rename_button.setEnabled(name is not None)
        self.up_button.setEnabled(name is not None and names.index(name) > 0)
        self.down_button.setEnabled(name is not None and names.index(name) < len(names) - 1)

    # ------------------------------------------------------------------ editing
    def _ask_name(self, title: str, prompt: str, current: str = "") -> str | None:
        dialog = QInputDialog(self)
        dialog.setWindowTitle(title)
        dialog.setLabelText(prompt)
        dialog.setTextValue(current)
        name = dialog.textValue().strip() if dialog.exec() else ""
        problem = label_problem(name) if name else None
        if problem:  # a line break or a control character: never a class name
            self.message.setText(self.tr("Not saved: {0}").format(translate_note(problem)))
        return name if name and not problem else None

    def _push(self, make, select: str | None) -> bool:
        """Build a command (which may refuse, e.g. a name taken) and put it on the undo stack."""
        try:
            command = make()
        except StoreError as exc:
            self.message.setText(str(exc))
            return False
        self.message.setText("")
        ok = self.editor.push(command)
        if ok:
            self.refresh(select)
        return ok

    def add(self) -> bool:
        name = self._ask_name(self.tr("Add class"), self.tr("Name of the new class:"))
        if name is None:
            return False
        if name in self.names():
            self.message.setText(self.tr("The list already has the class '{0}'.").format(name))
            self.refresh(name)
            return False
        return self._push(lambda: AddClass(self.editor.store, name), name)

    def rename(self) -> bool:
        old = self.selected_name()
        if old is None:
            return False
        new = self._ask_name(self.tr("Rename class"), self.tr("New name of '{0}':").format(old), old)
        if new is None or new == old:
            return False
        if new in self.names() and not self._confirm_merge(old, new):
            return False
        return self._push(lambda: RenameClass(self.editor.store, old, new), new)

    def _confirm_merge(self, old: str, new: str) -> bool:
        counts = class_usage(self.editor).get(old, dict.fromkeys(CLASS_TABLES, 0))
        box = QMessageBox(QMessageBox.Question, self.tr("Merge classes"),
                          self.tr("'{0}' is a class already. Merge '{1}' into it?").format(new, old),
                          QMessageBox.Yes | QMessageBox.No, self)
        box.setInformativeText(self.tr("{0} boxes, {1} masks and {2} images move from '{3}' to '{4}', and '{3}' "
                                       "leaves the list.").format(counts["boxes"], counts["masks"],
                                                                  counts["images"], old, new))
        box.setDefaultButton(QMessageBox.No)
        return box.exec() == QMessageBox.Yes

    def move(self, step: int) -> bool:
        name = self.selected_name()
        names = self.names()
        if name is None or not 0 <= names.index(name) + step < len(names):
            return False
        k = names.index(name)
        names[k], names[k + step] = names[k + step], names[k]
        return self._push(lambda: ReorderClasses(self.editor.store, names), name)


def show_class_list(window) -> ClassListDialog | None:
    """Open the Classes dialog on ``window``'s project, modal to the window (so the project stays open under it)."""
    if window.editor is None:
        return None
    dialog = ClassListDialog(window.editor, window)
    dialog.open()
    return dialog
