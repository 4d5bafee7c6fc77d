"""A label with a line break or a control character is refused where it is typed, with a message naming it (issue 13
item 2): the box label dialog (boxes and relabelling) and the image's class field. Real key events; the hostile
text arrives as a user's paste (Ctrl+V) would bring it."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication

from labelstudio_desktop.core.labels_rule import label_problem
from labelstudio_desktop.core.store.store import BoxRecord


def _paste(qtbot, widget, text: str) -> None:
    QApplication.clipboard().setText(text)
    qtbot.keyClick(widget, Qt.Key_V, Qt.ControlModifier)


def _answer_by_paste(qtbot, text: str) -> None:
    """Answer the next label dialog like a user: paste ``text`` over what is filled in, then OK."""
    from dialogs_helper import answer_next_modal
    from PySide6.QtWidgets import QDialog

    def act(dialog):
        dialog.edit.selectAll()
        _paste(qtbot, dialog.edit, text)
        assert dialog.edit.text() == text
        dialog.accept()

    answer_next_modal(QDialog, act)


def test_label_problem_names_line_breaks_and_control_characters():
    assert label_problem("nut") is None and label_problem("écrou à 6 pans") is None
    assert "line break" in label_problem("cat\ndog") and "'cat\\ndog'" in label_problem("cat\ndog")
    assert "U+001B" in label_problem("/tmp/x/\x1b")
    assert "line break" in label_problem("a\u2028b")


def test_a_box_label_with_a_control_character_is_refused_with_a_message(window, qtbot):
    from dialogs_helper import answer_next_dialog

    image_id = window.annotation.image.id
    before = len(window.store.boxes(image_id))
    window.act_ask_always.trigger()  # asked even where the image's class would label the box
    _answer_by_paste(qtbot, "bolt\x1b")
    window.annotation.add_box(1, 1, 20, 20)
    assert len(window.store.boxes(image_id)) == before  # no box with that label
    message = window.statusBar().currentMessage()
    assert "Label refused" in message and "U+001B" in message and "bolt" in message
    answer_next_dialog("bolt")
    window.annotation.add_box(1, 1, 20, 20)
    assert len(window.store.boxes(image_id)) == before + 1


def test_relabelling_to_a_label_with_a_line_break_keeps_the_old_label(window, qtbot):
    image_id = window.annotation.image.id
    box = window.store.insert_box(BoxRecord(0, image_id, "nut", 5, 5, 30, 30))
    window.annotation.show(image_id)
    window.canvas.select(box)
    _answer_by_paste(qtbot, "nut\nwasher")
    window.annotation.relabel_selected()
    assert window.store.box(box).label == "nut"
    assert "line break" in window.statusBar().currentMessage()


def test_a_class_with_a_line_break_is_not_saved_and_the_panel_says_why(window, qtbot):
    window.activateWindow()
    image_id = window.annotation.image.id
    old = window.store.image(image_id).label
    panel = window.properties
    edit = panel.class_box.lineEdit()
    qtbot.mouseClick(edit, Qt.LeftButton, pos=QPoint(10, edit.height() // 2))
    qtbot.waitUntil(edit.hasFocus)
    edit.selectAll()
    _paste(qtbot, edit, "cat\ndog")
    qtbot.keyClick(edit, Qt.Key_Return)
    assert window.store.image(image_id).label == old
    assert panel.class_problem.isVisible() and "line break" in panel.class_problem.text()
    edit.selectAll()
    for ch in "cat":
        qtbot.keyClick(edit, ch)
    qtbot.keyClick(edit, Qt.Key_Return)
    assert window.store.image(image_id).label == "cat"
    assert not panel.class_problem.isVisible()
