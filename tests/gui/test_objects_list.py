"""The Objects list of the side panel takes the review keys and has a context menu; a drawn box takes the image's
class without a dialog unless the operator asks always (issue 19, item 6).

Real clicks on the list's rows, real key presses while the list has the focus, a real right click opening the
context menu (answered from a timer, as the menu blocks), real drags on the canvas."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt, QTimer
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication, QDialog, QMenu

from labelstudio_desktop.core.store.store import BoxRecord


def _proposal(window, image_id: int, edges, score: float) -> int:
    return window.store.insert_box(BoxRecord(0, image_id, "bolt", *edges, source="proposal", state="pending",
                                             method="exact", score=score))


def _row_of(window, box_id: int) -> int:
    box_list = window.properties.box_list
    return next(i for i in range(box_list.count()) if box_list.item(i).data(Qt.UserRole) == box_id)


def _click_row(window, qtbot, box_id: int, button=Qt.LeftButton) -> None:
    """Click the row of ``box_id`` in the Objects list, as a user. A right click is followed by the context menu
    event the window system sends with it (QTest's mouse events send none)."""
    viewport = window.properties.box_list.viewport()
    pos = window.properties.box_list.visualItemRect(window.properties.box_list.item(_row_of(window, box_id))).center()
    qtbot.mouseClick(viewport, button, pos=pos)
    if button == Qt.RightButton:
        QApplication.sendEvent(viewport, QContextMenuEvent(QContextMenuEvent.Mouse, pos, viewport.mapToGlobal(pos)))


def _three_boxes(window):
    image_id = window.annotation.image.id
    a = _proposal(window, image_id, (10, 10, 50, 40), 0.9)
    b = _proposal(window, image_id, (60, 60, 100, 90), 0.4)
    drawn = window.store.insert_box(BoxRecord(0, image_id, "bolt", 110, 20, 150, 60))
    window.annotation.show(image_id)
    window.properties_dock.raise_()
    return image_id, a, b, drawn


def test_the_objects_list_takes_x_enter_and_delete(window, qtbot):
    image_id, a, b, drawn = _three_boxes(window)
    box_list = window.properties.box_list
    _click_row(window, qtbot, b)
    assert window.canvas.selected == b and box_list.hasFocus()
    qtbot.keyClick(box_list, Qt.Key_X)
    assert window.store.box(b).state == "rejected"
    _click_row(window, qtbot, a)
    qtbot.keyClick(box_list, Qt.Key_Return)
    assert window.store.box(a).state == "accepted"
    _click_row(window, qtbot, drawn)
    qtbot.keyClick(box_list, Qt.Key_X)  # as on the canvas: X decides proposals only
    assert window.store.box(drawn).state == "accepted"
    qtbot.keyClick(box_list, Qt.Key_Delete)
    assert drawn not in {box.id for box in window.store.boxes(image_id)}
    window.act_undo.trigger()
    assert window.store.box(drawn).edges == (110, 20, 150, 60)


def _answer_menu(chosen: str, seen: list[list[str]], tries: int = 100) -> None:
    """When the context menu is open, note its entries and trigger the one whose text starts with ``chosen``; give
    up after ``tries`` (no menu: the test fails on what did not happen, never hangs)."""
    menu = QApplication.activePopupWidget()
    if not isinstance(menu, QMenu):
        if tries:
            QTimer.singleShot(20, lambda: _answer_menu(chosen, seen, tries - 1))
        return
    entries = [a for a in menu.actions() if not a.isSeparator()]
    seen.append([a.text() for a in entries])
    action = next(a for a in entries if a.text().startswith(chosen))
    menu.close()
    action.trigger()


def test_the_objects_list_has_a_context_menu_accept_reject_label_delete(window, qtbot):
    image_id, a, b, drawn = _three_boxes(window)
    seen: list[list[str]] = []
    QTimer.singleShot(0, lambda: _answer_menu("Reject", seen))
    _click_row(window, qtbot, b, Qt.RightButton)  # a right click selects the row and opens the menu
    qtbot.waitUntil(lambda: window.store.box(b).state == "rejected", timeout=3000)
    assert seen and [t.split()[0] for t in seen[0]] == ["Accept", "Reject", "Change", "Delete"]
    QTimer.singleShot(0, lambda: _answer_menu("Accept", seen))
    _click_row(window, qtbot, a, Qt.RightButton)
    qtbot.waitUntil(lambda: window.store.box(a).state == "accepted", timeout=3000)

    from dialogs_helper import answer_next_dialog

    answer_next_dialog("washer")
    QTimer.singleShot(0, lambda: _answer_menu("Change label", seen))
    _click_row(window, qtbot, drawn, Qt.RightButton)
    qtbot.waitUntil(lambda: window.store.box(drawn).label == "washer", timeout=3000)
    QTimer.singleShot(0, lambda: _answer_menu("Delete", seen))
    _click_row(window, qtbot, drawn, Qt.RightButton)
    qtbot.waitUntil(lambda: drawn not in {box.id for box in window.store.boxes(image_id)}, timeout=3000)


def _drag_on_canvas(window, qtbot, edges) -> None:
    canvas = window.canvas
    canvas.scale, canvas.offset = 2.0, QPointF(5, 5)
    start, end = (canvas.to_widget(*edges[:2]), canvas.to_widget(*edges[2:]))
    start, end = QPoint(round(start.x()), round(start.y())), QPoint(round(end.x()), round(end.y()))
    qtbot.mousePress(canvas, Qt.LeftButton, pos=start)
    for i in range(1, 5):
        qtbot.mouseMove(canvas, start + (end - start) * i / 4)
    qtbot.mouseRelease(canvas, Qt.LeftButton, pos=end)


@pytest.fixture
def dialogs_seen(qtbot):
    """Every label dialog that opens during the test is noted (the text it offers) and cancelled, so a test never
    waits on one; the watch stops with the test."""
    seen: list[str] = []

    def watch():
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, QDialog) and hasattr(dialog, "edit"):
            seen.append(dialog.edit.text())
            dialog.reject()

    timer = QTimer()
    timer.timeout.connect(watch)
    timer.start(10)
    yield seen
    timer.stop()


def test_a_drawn_box_takes_the_image_class_without_a_dialog_unless_always_asked(window, qtbot, dialogs_seen):
    image_id = window.annotation.image.id
    assert window.store.image(image_id).label == "bolt"
    dialogs = dialogs_seen
    _drag_on_canvas(window, qtbot, (10, 20, 50, 60))
    assert dialogs == []
    assert [(b.label, b.edges) for b in window.store.boxes(image_id)] == [("bolt", (10, 20, 50, 60))]

    settings_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Settings")
    always = next(a for a in settings_menu.actions() if a.text() == "Ask for a label even when the image's class "
                                                                   "gives it")
    assert not always.isChecked()
    always.trigger()  # as chosen from the Settings menu
    assert window.settings.value("prefs/ask_label_always", type=bool) is True
    _drag_on_canvas(window, qtbot, (60, 20, 100, 60))
    assert dialogs == ["bolt"]  # asked, the image's class filled in; cancelled: no box
    assert len(window.store.boxes(image_id)) == 1
    window.annotation.recent_labels = ["washer"]
    window.act_ask_label.trigger()  # never asking: the image's class still comes before the last label used
    _drag_on_canvas(window, qtbot, (60, 20, 100, 60))
    assert dialogs == ["bolt"] and [b.label for b in window.store.boxes(image_id)] == ["bolt", "bolt"]


def test_on_an_image_without_a_class_the_label_is_asked(window, qtbot):
    from dialogs_helper import answer_next_dialog

    window.browser.select_id(window.store.image_by_path("empty/empty_000.jpg").id)
    image_id = window.annotation.image.id
    answer_next_dialog("nut")
    _drag_on_canvas(window, qtbot, (10, 20, 50, 60))
    assert [b.label for b in window.store.boxes(image_id)] == ["nut"]


def test_a_long_row_wraps_within_the_panel_instead_of_scrolling_sideways(window, qtbot):
    image_id = window.annotation.image.id
    name = "Heltec_ESP32_Lora"
    box_id = window.store.insert_box(BoxRecord(0, image_id, name, 10, 10, 50, 40, source="proposal",
                                               state="pending", method="exact", score=0.5))
    window.annotation.show(image_id)
    window.properties_dock.raise_()
    box_list = window.properties.box_list
    box_list.setFixedWidth(160)
    item = box_list.item(_row_of(window, box_id))
    qtbot.waitUntil(lambda: box_list.visualItemRect(item).width() <= box_list.viewport().width() < 160, timeout=5000)
    assert box_list.visualItemRect(item).height() > 1.5 * box_list.fontMetrics().height()  # two lines or more
    assert box_list.horizontalScrollBar().maximum() == 0
    assert name in item.text() and "40×30" in item.text() and "(10,10)–(50,40)" in item.toolTip()
