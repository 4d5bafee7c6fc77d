"""Editing by mouse and keyboard without surprises: corner handles at every zoom, shaky clicks, focus while typing,
Enter in the side panel, box styles and tags. Real Qt mouse and key events on the real widgets."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtWidgets import QApplication

from labelstudio_desktop.core.store.store import BoxRecord

BOX = (1000, 600, 2000, 1400)  # on the 3000 x 2000 photo


@pytest.fixture
def photo_window(open_window, tmp_path):
    """A window on a project of one large photo (3000 x 2000) with one accepted box."""
    from helpers import write_image

    from labelstudio_desktop.core.store.store import Store
    from labelstudio_desktop.core.transfer.importer import import_folder

    folder = tmp_path / "photos"
    write_image(folder / "big.jpg", 3000, 2000, seed=4)
    with Store.create(folder) as store:
        import_folder(store)
        store.insert_box(BoxRecord(0, store.image_by_path("big.jpg").id, "deer", *BOX))
    return open_window(folder)


def _point(p: QPointF) -> QPoint:
    return QPoint(round(p.x()), round(p.y()))


def _drag(qtbot, widget, start: QPoint, end: QPoint, steps: int = 4) -> None:
    qtbot.mousePress(widget, Qt.LeftButton, pos=start)
    for i in range(1, steps + 1):
        qtbot.mouseMove(widget, start + (end - start) * i / steps)
    qtbot.mouseRelease(widget, Qt.LeftButton, pos=end)


def _view_centred_on(canvas, scale: float, x: float, y: float) -> None:
    """Zoom to ``scale`` with image point (x, y) in the middle of the canvas (as wheel zoom and pan would)."""
    canvas.zoom_to(scale)
    centre = QPointF(canvas.width() / 2, canvas.height() / 2)
    here = canvas.to_widget(x, y)
    canvas.offset += centre - here
    canvas.update()


def _reset_box(window, box_id: int) -> None:
    box = window.store.box(box_id)
    window.store.update_box(BoxRecord(**{**box.__dict__, "x0": BOX[0], "y0": BOX[1], "x1": BOX[2], "y1": BOX[3]}))
    window.annotation.show(window.annotation.image.id)
    window.canvas.select(box_id)


@pytest.mark.parametrize("scale", [0.16, 1.0, 4.0])
def test_a_corner_grab_moves_both_edges_at_every_zoom(photo_window, qtbot, scale):
    window = photo_window
    canvas = window.canvas
    (box,) = window.store.boxes()
    dx, dy = round(-40 / scale), round(-30 / scale)
    corners = {"tl": (BOX[0], BOX[1]), "tr": (BOX[2], BOX[1]), "bl": (BOX[0], BOX[3]), "br": (BOX[2], BOX[3])}
    for name, (cx, cy) in corners.items():
        # anywhere inside the drawn handle square (5.6 px): its centre and near each of its sides
        for off in [(0, 0), (2, 2), (-2, -2), (2, -2), (-2, 2)]:
            _reset_box(window, box.id)
            _view_centred_on(canvas, scale, cx, cy)
            start = _point(canvas.to_widget(cx, cy)) + QPoint(*off)
            _drag(qtbot, canvas, start, start + QPoint(-40, -30))
            x0, y0, x1, y1 = BOX
            expected = {"tl": (x0 + dx, y0 + dy, x1, y1), "tr": (x0, y0 + dy, x1 + dx, y1),
                        "bl": (x0 + dx, y0, x1, y1 + dy), "br": (x0, y0, x1 + dx, y1 + dy)}[name]
            assert window.store.box(box.id).edges == expected, (name, off)


@pytest.mark.parametrize("scale", [0.16, 1.0, 4.0])
def test_away_from_the_corners_an_edge_moves_alone(photo_window, qtbot, scale):
    window = photo_window
    canvas = window.canvas
    (box,) = window.store.boxes()
    _reset_box(window, box.id)
    mid_y = (BOX[1] + BOX[3]) / 2
    _view_centred_on(canvas, scale, BOX[2], mid_y)
    start = _point(canvas.to_widget(BOX[2], mid_y)) + QPoint(3, 0)
    _drag(qtbot, canvas, start, start + QPoint(-40, -30))
    assert window.store.box(box.id).edges == (BOX[0], BOX[1], BOX[2] + round(-40 / scale), BOX[3])


def test_a_shaky_click_at_low_zoom_draws_nothing_a_real_drag_draws(photo_window, qtbot):
    window = photo_window
    canvas = window.canvas
    window.act_ask_label.trigger()  # no dialog: a box, if drawn, would get the last label at once
    window.annotation.recent_labels = ["deer"]
    _view_centred_on(canvas, 0.16, 2500, 300)
    start = _point(canvas.to_widget(2500, 300))
    _drag(qtbot, canvas, start, start + QPoint(1, 1), steps=1)  # 1 screen px = 6 image px
    assert len(window.store.boxes()) == 1
    _drag(qtbot, canvas, start, start + QPoint(40, 30))
    assert len(window.store.boxes()) == 2


def test_after_drawing_a_box_the_tool_returns_to_select_unless_kept(window, qtbot):
    canvas = window.canvas
    canvas.setFocus()
    window.act_ask_label.trigger()
    window.annotation.recent_labels = ["nut"]
    qtbot.keyClick(canvas, Qt.Key_W)
    assert window.act_draw.isChecked() and canvas.draw_mode
    _drag(qtbot, canvas, _point(canvas.to_widget(10, 10)), _point(canvas.to_widget(60, 50)))
    assert not window.act_draw.isChecked() and not canvas.draw_mode
    window.act_keep_drawing.trigger()
    qtbot.keyClick(canvas, Qt.Key_W)
    _drag(qtbot, canvas, _point(canvas.to_widget(70, 70)), _point(canvas.to_widget(120, 110)))
    assert window.act_draw.isChecked() and canvas.draw_mode
    assert len(window.store.boxes(window.annotation.image.id)) == 2


def _focus(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.LeftButton, pos=QPoint(10, widget.height() // 2))
    qtbot.waitUntil(widget.hasFocus)


def _type(qtbot, text: str) -> None:
    """Type as a user does: every key goes to whatever widget has the focus at that moment."""
    for ch in text:
        qtbot.keyClick(QApplication.focusWidget(), ch)


def test_typing_in_the_search_field_never_reaches_the_canvas(window, qtbot):
    window.activateWindow()
    search = window.browser.search
    window.browser.select_id(window.store.image_by_path("bolt/bolt_010.jpg").id)
    labels = {i.id: i.label for i in window.store.images()}
    _focus(qtbot, search)
    _type(qtbot, "bolt_013")
    assert search.text() == "bolt_013"
    assert search.hasFocus()
    assert {i.id: i.label for i in window.store.images()} == labels  # no class was set anywhere
    assert window.editor.stack.count() == 0


def test_canvas_keys_act_only_with_the_canvas_focused(window, qtbot):
    window.activateWindow()
    image_id = window.annotation.image.id
    _focus(qtbot, window.browser.view)
    for key in (Qt.Key_3, Qt.Key_D, Qt.Key_W, Qt.Key_G):
        qtbot.keyClick(QApplication.focusWidget(), key)
    assert window.store.image(image_id).label == "bolt" and not window.act_draw.isChecked()
    assert not window.act_heatmap.isChecked()
    _focus(qtbot, window.canvas)
    qtbot.keyClick(window.canvas, Qt.Key_3)
    assert window.store.image(image_id).label == window.store.classes()[2]


def test_the_class_keys_are_shown_and_stay_put(window, qtbot):
    classes = window.store.class_keys()
    assert classes == ["bolt", "empty", "nut", "washer"]
    legend = window.properties.class_keys.text()
    assert all(f"{n}\u00a0{name}" in legend for n, name in enumerate(classes, start=1))
    assert window.class_actions[0].text().endswith("bolt") and not window.class_actions[len(classes)].isVisible()
    image_id = window.annotation.image.id
    window.annotation.set_field("label", "bentbolt")  # a new class comes last, whatever its name
    assert window.store.class_keys() == ["bolt", "empty", "nut", "washer", "bentbolt"]
    assert "5\u00a0bentbolt" in window.properties.class_keys.text()
    window.annotation.set_field("label", "bolt")  # no image has it any more: it keeps its key
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, Qt.Key_5)
    assert window.store.image(image_id).label == "bentbolt"
    qtbot.keyClick(window.canvas, Qt.Key_2)
    assert window.store.image(image_id).label == "empty"


def test_enter_saves_class_and_value_at_once_and_never_accepts_a_proposal(window, qtbot):
    window.activateWindow()
    image_id = window.annotation.image.id
    pending = window.store.insert_box(BoxRecord(0, image_id, "bolt", 5, 5, 40, 40, source="proposal",
                                                state="pending", score=0.9))
    window.annotation.show(image_id)
    window.canvas.select(pending)
    panel = window.properties
    _focus(qtbot, panel.class_box.lineEdit())
    panel.class_box.lineEdit().selectAll()
    _type(qtbot, "washer")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key_Tab)  # on to the value, then Enter saves both
    panel.value_box.lineEdit().selectAll()
    _type(qtbot, "4.5")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key_Return)
    image = window.store.image(image_id)
    assert (image.label, image.value) == ("washer", 4.5)
    assert window.store.box(pending).state == "pending"
    panel.value_box.lineEdit().selectAll()
    _type(qtbot, "2")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key_Enter)  # the keypad's Enter too
    assert window.store.image(image_id).value == 2.0
    _focus(qtbot, panel.class_box.lineEdit())
    panel.class_box.lineEdit().selectAll()
    _type(qtbot, "nut")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key_Return)
    assert window.store.image(image_id).label == "nut"  # saved at Enter, the field still focused
    assert panel.class_box.lineEdit().hasFocus()
    assert window.store.box(pending).state == "pending"


def test_box_states_look_different_and_rejected_boxes_hide(window, qtbot):
    image_id = window.annotation.image.id
    ids = {}
    for n, (state, edited) in enumerate([("accepted", False), ("accepted", True), ("pending", False),
                                         ("rejected", False)]):
        x = 5 + n * 45
        ids[(state, edited)] = window.store.insert_box(BoxRecord(
            0, image_id, "nut", x, 60, x + 40, 100, source="proposal", state=state, edited=edited, score=0.8))
    window.annotation.show(image_id)
    canvas = window.canvas
    canvas.fit()
    assert ids[("rejected", False)] not in {b.id for b in canvas.visible_boxes()}
    tags = canvas.tag_rects()
    shot = canvas.grab().toImage()
    ratio = shot.width() / canvas.width()

    def tag_colour(box_id):
        r = tags[box_id]
        return shot.pixelColor(round((r.left() + 1) * ratio), round((r.top() + 1) * ratio)).name()

    colours = {tag_colour(i) for key, i in ids.items() if key[0] != "rejected"}
    texts = {canvas.tag_text(window.store.box(i)) for i in ids.values()}
    assert len(texts) == 4  # accepted, edited (✎), pending (? and score), rejected (✗)
    assert tag_colour(ids[("pending", False)]) != tag_colour(ids[("accepted", False)]) and len(colours) >= 2
    window.act_show_rejected.trigger()
    assert ids[("rejected", False)] in {b.id for b in canvas.visible_boxes()}
    assert canvas.grab().toImage() != shot


def test_tags_of_boxes_sharing_a_corner_never_overlap(window):
    image_id = window.annotation.image.id
    for n, label in enumerate(["nut", "bolt", "washer", "nut"]):
        window.store.insert_box(BoxRecord(0, image_id, label, 20, 20, 80 + 10 * n, 70 + 5 * n,
                                          source="proposal" if n % 2 else "manual",
                                          state="pending" if n % 2 else "accepted", score=0.5))
    window.annotation.show(image_id)
    window.canvas.fit()
    rects = list(window.canvas.tag_rects().values())
    assert len(rects) == 4
    for i, a in enumerate(rects):
        assert a.top() >= 0
        for b in rects[i + 1:]:
            assert not a.intersects(b)


def test_ctrl_d_duplicates_the_selected_box(window, qtbot):
    image_id = window.annotation.image.id
    box_id = window.store.insert_box(BoxRecord(0, image_id, "nut", 20, 20, 60, 50))
    window.annotation.show(image_id)
    window.canvas.select(box_id)
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, Qt.Key_D, Qt.ControlModifier)
    boxes = window.store.boxes(image_id)
    assert [(b.label, b.edges) for b in boxes] == [("nut", (20, 20, 60, 50)), ("nut", (30, 30, 70, 60))]
    assert window.canvas.selected == boxes[1].id and window.annotation.image.id == image_id
    window.act_undo.trigger()
    assert len(window.store.boxes(image_id)) == 1


def test_the_help_sheet_lists_every_key(window):
    rows = dict(window.shortcut_rows())
    keyed = [a for a in [*window.actions(), *window.canvas.actions()] if a.shortcuts() and a.isVisible()]
    assert len(keyed) >= 25
    listed = " ".join(rows)
    for action in keyed:
        for key in action.shortcuts():
            assert key.toString() in listed or key.toString(key.SequenceFormat.NativeText) in listed, action.text()
    assert {"Ctrl+D", "Shift+D", "F1", "Ctrl+W", "Ctrl+Q"} <= {k for keys in rows for k in keys.split(", ")}


def test_project_menu_has_close_and_quit(window):
    menus = {a.text().replace("&", ""): a.menu() for a in window.menuBar().actions()}
    project = [a.text() for a in menus["Project"].actions()]
    assert "Close project" in project and "Quit" in project
    assert window.close_project()
    assert window.store is None and window.center.currentWidget() is window.start_page
    assert not window.act_export.isEnabled() and window.training_dock.isHidden()


def test_one_enter_takes_a_completed_label(qtbot):
    from PySide6.QtCore import QTimer

    from labelstudio_desktop.gui.dialogs import LabelDialog

    dialog = LabelDialog(["bolt", "nut", "washer"], "")
    qtbot.addWidget(dialog)
    results = []

    def key_target():  # where the keyboard goes: an open completion popup grabs it
        return QApplication.activePopupWidget() or dialog.edit

    offered = []

    def type_and_enter():
        QTimer.singleShot(2000, dialog.reject)  # a second Enter would be needed before the fix: give up then
        dialog.activateWindow()
        dialog.edit.setFocus()
        qtbot.waitUntil(dialog.edit.hasFocus)
        for ch in "bolt":
            qtbot.keyClick(key_target(), ch)
        offered.append(dialog.edit.completer().popup().isVisible())
        qtbot.keyClick(key_target(), Qt.Key_Return)

    QTimer.singleShot(0, type_and_enter)
    results.append(dialog.exec())
    assert offered == [True]  # "bolt" was offered in the completion popup...
    assert results == [1] and dialog.label() == "bolt"  # ...and one Enter took it


def test_an_opened_image_has_its_best_proposal_selected_so_enter_and_x_act_at_once(window, qtbot):
    target = window.store.image_by_path("nut/nut_005.jpg").id
    low = window.store.insert_box(BoxRecord(0, target, "nut", 5, 5, 40, 40, source="proposal", state="pending",
                                            score=0.3))
    high = window.store.insert_box(BoxRecord(0, target, "nut", 60, 60, 100, 100, source="proposal",
                                             state="pending", score=0.8))
    window.browser.model.reload()
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, Qt.Key_N)  # next image with proposals
    assert window.annotation.image.id == target and window.canvas.selected == high
    qtbot.keyClick(window.canvas, Qt.Key_Return)
    assert window.store.box(high).state == "accepted" and window.canvas.selected == low
    qtbot.keyClick(window.canvas, Qt.Key_X)
    assert window.store.box(low).state == "rejected"
    window.act_undo.trigger()  # the rejection undone: the proposal is pending and selected again
    assert window.store.box(low).state == "pending" and window.canvas.selected == low


def test_closing_the_project_clears_the_panel_and_lists_it_as_recent(window):
    path = str(window.store.root)
    assert window.close_project()
    panel = window.properties
    assert panel.size_label.text() == "" and panel.class_box.currentText() == "" and not panel.isEnabled()
    assert window.zoom_label.text() == "" and window.counts_label.text() == ""
    recent = [window.start_page.recent.item(i).text() for i in range(window.start_page.recent.count())]
    assert path in recent


def test_the_label_dialog_offers_the_image_class_first(window, qtbot):
    from dialogs_helper import answer_next_dialog
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QDialog

    offered = []

    def read_and_cancel():  # what the real dialog has filled in, then Cancel
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QDialog):
            QTimer.singleShot(10, read_and_cancel)
            return
        offered.append(dialog.edit.text())
        dialog.reject()

    window.act_ask_always.trigger()  # asked even where the image's class would label the box
    answer_next_dialog("washer")  # a washer box on the bolt image: "washer" becomes the last label used
    window.annotation.add_box(1, 1, 20, 20)
    QTimer.singleShot(0, read_and_cancel)
    window.annotation.add_box(30, 30, 50, 50)
    assert offered == ["bolt"]  # the image's class, not the last label used
    window.annotation.show(window.store.image_by_path("empty/empty_000.jpg").id)
    QTimer.singleShot(0, read_and_cancel)
    window.annotation.add_box(30, 30, 50, 50)
    assert offered[-1] == "washer"  # a background image: the last label used
