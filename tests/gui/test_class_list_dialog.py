"""The Classes dialog on a real window and a real project database: the list in export order with its counts; add,
rename, merge (asked first) and move, each one step on the window's undo stack that the browser's class filter,
the panel's class keys and the canvas follow."""

from __future__ import annotations

import pytest
from dialogs_helper import answer_next_message_box, answer_next_modal
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit

from labelstudio_desktop.core.editing.class_list import project_classes
from labelstudio_desktop.core.store.store import BoxRecord
from labelstudio_desktop.gui.class_list_dialog import ClassListDialog


def _open(window, qtbot) -> ClassListDialog:
    window.act_classes.trigger()
    dialog = window.findChild(ClassListDialog)
    qtbot.waitExposed(dialog)
    assert QApplication.activeModalWidget() is dialog
    _activate(qtbot, dialog)
    return dialog


def _activate(qtbot, widget) -> None:
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow, timeout=2000)


def _stored(window) -> list[tuple[int, str]]:
    """The class list as stored: (stable id, name) in export order."""
    return [(c.id, c.name) for c in project_classes(window.store)]


def _labels(window, table) -> list[str]:
    return [r[0] for r in window.store.conn.execute(f"SELECT label FROM {table} ORDER BY id")]


def _select(qtbot, dialog, name) -> None:
    row = dialog.names().index(name)
    rect = dialog.table.visualItemRect(dialog.table.item(row, 1))
    qtbot.mouseClick(dialog.table.viewport(), Qt.LeftButton, pos=rect.center())
    assert dialog.selected_name() == name


def _type_next_name(qtbot, name) -> None:
    """Answer the next name dialog as a user: select the text, type ``name``, press Enter."""

    def act(box):
        edit = box.findChild(QLineEdit)
        _activate(qtbot, box)  # as the window manager does (offscreen has none); the keys go to the focus
        qtbot.waitUntil(lambda: QApplication.focusWidget() is edit, timeout=2000)
        qtbot.keyClick(edit, Qt.Key_A, Qt.ControlModifier)
        qtbot.keyClicks(edit, name)
        qtbot.keyClick(edit, Qt.Key_Return)

    answer_next_modal(QInputDialog, act)


def _filter_classes(window) -> list[str]:
    box = window.browser.class_box
    return [box.itemData(i) for i in range(1, box.count()) if box.itemData(i)]


@pytest.fixture
def boxes(window):
    """Three boxes on the shown image: two 'nut', one 'bolt'."""
    image_id = window.annotation.image.id
    ids = [window.store.insert_box(BoxRecord(0, image_id, label, 10 + 30 * k, 10, 30 + 30 * k, 40))
           for k, label in enumerate(["nut", "bolt", "nut"])]
    window.annotation.show(image_id)
    return ids


def test_the_dialog_lists_the_classes_in_export_order_with_ids_and_counts(window, qtbot, boxes):
    dialog = _open(window, qtbot)
    t = dialog.table
    rows = [[t.item(r, c).text() for c in range(5)] for r in range(t.rowCount())]
    # empty and washer are only whole-image classes: no export id; bolt and nut are numbered among object classes
    assert rows == [["0", "bolt", "1", "0", "30"], ["–", "empty", "0", "0", "29"], ["1", "nut", "2", "0", "31"],
                    ["–", "washer", "0", "0", "32"]]
    assert not dialog.rename_button.isEnabled()
    dialog.close()


def test_rename_relabels_everything_keeps_the_id_and_undoes_exactly(window, qtbot, boxes):
    before = _stored(window)
    images_before = _labels(window, "images")
    dialog = _open(window, qtbot)
    _select(qtbot, dialog, "nut")
    _type_next_name(qtbot, "hex nut")
    qtbot.mouseClick(dialog.rename_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: "hex nut" in dialog.names())
    assert _stored(window) == [(1, "bolt"), (2, "empty"), (3, "hex nut"), (4, "washer")]
    assert _labels(window, "boxes") == ["hex nut", "bolt", "hex nut"]
    assert _labels(window, "images").count("hex nut") == 31 and "nut" not in _labels(window, "images")
    assert "hex nut" in _filter_classes(window) and "nut" not in _filter_classes(window)
    assert sorted(b.label for b in window.canvas.boxes) == ["bolt", "hex nut", "hex nut"]
    assert "hex nut" in window.properties.class_keys.text()
    assert dialog.table.item(2, 2).text() == "2"

    qtbot.mouseClick(dialog.undo_button, Qt.LeftButton)
    assert _stored(window) == before
    assert _labels(window, "boxes") == ["nut", "bolt", "nut"]
    assert _labels(window, "images") == images_before
    assert "nut" in _filter_classes(window) and "hex nut" not in _filter_classes(window)
    assert sorted(b.label for b in window.canvas.boxes) == ["bolt", "nut", "nut"]
    assert dialog.names() == ["bolt", "empty", "nut", "washer"]

    dialog.close()
    assert window.editor.redo()  # the window's undo stack holds the step after the dialog is gone
    assert _stored(window)[2] == (3, "hex nut")
    assert _labels(window, "boxes") == ["hex nut", "bolt", "hex nut"]


def test_renaming_onto_a_class_asks_naming_what_moves_then_merges(window, qtbot, boxes):
    dialog = _open(window, qtbot)
    _select(qtbot, dialog, "nut")
    _type_next_name(qtbot, "bolt")
    seen = answer_next_message_box(False)
    qtbot.mouseClick(dialog.rename_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: len(seen) == 2)
    assert "Merge 'nut'" in seen[0]
    assert seen[1].startswith("2 boxes, 0 masks and 31 images move from 'nut' to 'bolt'")
    assert _labels(window, "boxes") == ["nut", "bolt", "nut"]  # No: nothing changed
    assert not window.editor.stack.canUndo()

    _type_next_name(qtbot, "bolt")
    seen = answer_next_message_box(True)
    qtbot.mouseClick(dialog.rename_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: "nut" not in dialog.names())
    assert _stored(window) == [(1, "bolt"), (2, "empty"), (4, "washer")]
    assert _labels(window, "boxes") == ["bolt"] * 3
    assert _labels(window, "images").count("bolt") == 61
    assert dialog.table.item(0, 2).text() == "3" and dialog.table.item(0, 4).text() == "61"
    assert "nut" not in _filter_classes(window)

    _activate(qtbot, dialog)
    qtbot.keyClick(dialog.table, Qt.Key_Z, Qt.ControlModifier)  # Ctrl+Z in the dialog (the button's animated click)
    qtbot.waitUntil(lambda: "nut" in dialog.names())
    assert _stored(window) == [(1, "bolt"), (2, "empty"), (3, "nut"), (4, "washer")]
    assert _labels(window, "boxes") == ["nut", "bolt", "nut"]
    assert _labels(window, "images").count("nut") == 31
    qtbot.mouseClick(dialog.redo_button, Qt.LeftButton)
    assert _stored(window) == [(1, "bolt"), (2, "empty"), (4, "washer")]
    dialog.close()


def test_move_up_and_add_are_undo_steps(window, qtbot, boxes):
    dialog = _open(window, qtbot)
    _select(qtbot, dialog, "nut")
    qtbot.mouseClick(dialog.up_button, Qt.LeftButton)
    assert _stored(window) == [(1, "bolt"), (3, "nut"), (2, "empty"), (4, "washer")]
    assert dialog.selected_name() == "nut" and dialog.table.item(1, 0).text() == "1"
    qtbot.mouseClick(dialog.up_button, Qt.LeftButton)
    assert [n for _, n in _stored(window)] == ["nut", "bolt", "empty", "washer"]
    assert not dialog.up_button.isEnabled()

    _type_next_name(qtbot, "screw")
    qtbot.mouseClick(dialog.add_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: "screw" in dialog.names())
    assert _stored(window) == [(3, "nut"), (1, "bolt"), (2, "empty"), (4, "washer"), (5, "screw")]
    assert dialog.selected_name() == "screw"

    _type_next_name(qtbot, "bolt")  # a name the list has: refused, nothing pushed
    qtbot.mouseClick(dialog.add_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: "already" in dialog.message.text())
    assert window.editor.stack.count() == 3

    qtbot.mouseClick(dialog.undo_button, Qt.LeftButton)
    assert [n for _, n in _stored(window)] == ["nut", "bolt", "empty", "washer"]
    qtbot.mouseClick(dialog.undo_button, Qt.LeftButton)
    qtbot.mouseClick(dialog.undo_button, Qt.LeftButton)
    assert _stored(window) == [(1, "bolt"), (2, "empty"), (3, "nut"), (4, "washer")]
    assert not dialog.undo_button.isEnabled()
    for _ in range(3):
        qtbot.mouseClick(dialog.redo_button, Qt.LeftButton)
    assert _stored(window) == [(3, "nut"), (1, "bolt"), (2, "empty"), (4, "washer"), (5, "screw")]
    dialog.close()


def test_ctrl_z_in_the_main_window_undoes_class_list_edits(window, qtbot, boxes):
    dialog = _open(window, qtbot)
    _select(qtbot, dialog, "nut")
    qtbot.mouseClick(dialog.up_button, Qt.LeftButton)
    _type_next_name(qtbot, "screw")
    qtbot.mouseClick(dialog.add_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: "screw" in dialog.names())
    dialog.close()
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None)
    _activate(qtbot, window)
    window.canvas.setFocus()
    qtbot.waitUntil(window.canvas.hasFocus)
    qtbot.keyClick(window.canvas, Qt.Key_Z, Qt.ControlModifier)  # the main window's Edit > Undo
    assert "screw" not in [n for _, n in _stored(window)]
    qtbot.keyClick(window.canvas, Qt.Key_Z, Qt.ControlModifier)
    assert _stored(window) == [(1, "bolt"), (2, "empty"), (3, "nut"), (4, "washer")]
    qtbot.keyClick(window.canvas, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)  # redo
    assert [n for _, n in _stored(window)] == ["bolt", "nut", "empty", "washer"]
    dialog = _open(window, qtbot)  # opened again, the dialog shows what the window's undo and redo left
    assert dialog.names() == ["bolt", "nut", "empty", "washer"] and dialog.redo_button.isEnabled()
    dialog.close()


def test_a_class_name_with_a_control_character_is_refused_with_a_message(window, qtbot, boxes):
    """Issue 13 item 2: the Classes dialog follows the one label rule; the hostile name arrives as a paste."""
    dialog = _open(window, qtbot)
    names = dialog.names()

    def paste(box):
        edit = box.findChild(QLineEdit)
        edit.selectAll()
        QApplication.clipboard().setText("screw\x1b")
        qtbot.keyClick(edit, Qt.Key_V, Qt.ControlModifier)
        assert edit.text() == "screw\x1b"
        box.accept()

    answer_next_modal(QInputDialog, paste)
    qtbot.mouseClick(dialog.add_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: "U+001B" in dialog.message.text())
    assert dialog.names() == names and window.editor.stack.count() == 0
    dialog.close()
