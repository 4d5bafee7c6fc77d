"""Drawing and editing boxes with real mouse and keyboard events on the canvas."""

from __future__ import annotations

import pytest
from dialogs_helper import answer_next_dialog
from PySide6.QtCore import QPoint, QPointF, Qt

from labelstudio_desktop.core.store.store import BoxRecord


def _at(canvas, x, y) -> QPoint:
    p = canvas.to_widget(x, y)
    return QPoint(round(p.x()), round(p.y()))


def _set_view(canvas, scale, ox=5.0, oy=5.0):
    canvas.scale = scale
    canvas.offset = QPointF(ox, oy)
    canvas.update()


def _drag(qtbot, canvas, start: QPoint, end: QPoint, steps=4):
    qtbot.mousePress(canvas, Qt.LeftButton, pos=start)
    for i in range(1, steps + 1):
        qtbot.mouseMove(canvas, start + (end - start) * i / steps)
    qtbot.mouseRelease(canvas, Qt.LeftButton, pos=end)


def _add_box(window, edges=(40, 30, 100, 90), label="nut"):
    image_id = window.annotation.image.id
    box_id = window.store.insert_box(BoxRecord(0, image_id, label, *edges))
    window.annotation.show(image_id)
    return box_id


def _selected_box(window, scale=2.0):
    """A 40,30-100,90 'nut' box on the current image, selected, with the view at ``scale``."""
    box_id = _add_box(window)
    _set_view(window.canvas, scale)
    window.canvas.select(box_id)
    return window.canvas, box_id


def test_drawing_a_box_creates_exactly_that_box(window, qtbot):
    canvas = window.canvas
    _set_view(canvas, 2.0)
    image_id = window.annotation.image.id  # a bolt image: its class labels the box, no dialog
    _drag(qtbot, canvas, _at(canvas, 10, 20), _at(canvas, 50, 60))
    boxes = window.store.boxes(image_id)
    assert [(b.label, b.edges, b.source, b.state) for b in boxes] == [("bolt", (10, 20, 50, 60), "manual", "accepted")]
    assert canvas.selected == boxes[0].id


def test_cancelling_the_label_dialog_draws_nothing(window, qtbot):
    canvas = window.canvas
    _set_view(canvas, 2.0)
    window.act_ask_always.trigger()  # asked even on the bolt image, whose class would label the box
    answer_next_dialog(None)
    _drag(qtbot, canvas, _at(canvas, 10, 20), _at(canvas, 50, 60))
    assert window.store.boxes(window.annotation.image.id) == []


def test_a_box_drawn_past_the_image_is_clamped(window, qtbot):
    canvas = window.canvas
    _set_view(canvas, 1.0, 40, 40)
    _drag(qtbot, canvas, _at(canvas, 150, 100), _at(canvas, 260, 200))
    w, h = canvas.image_size
    assert window.store.boxes(window.annotation.image.id)[0].edges == (150, 100, w, h)


@pytest.mark.parametrize("scale", [0.25, 4.0])
@pytest.mark.parametrize("handle, delta, expected", [
    ("l", (-8, 0), (32, 30, 100, 90)),  # multiples of 4: at zoom 0.25 a screen pixel is 4 image pixels
    ("r", (4, 0), (40, 30, 104, 90)),
    ("t", (0, -4), (40, 26, 100, 90)),
    ("b", (0, 8), (40, 30, 100, 98)),
])
def test_dragging_an_edge_changes_only_that_edge(window, qtbot, scale, handle, delta, expected):
    canvas = window.canvas
    box_id = _add_box(window)
    _set_view(canvas, scale, 20, 20)
    canvas.select(box_id)
    x0, y0, x1, y1 = 40, 30, 100, 90
    grab = {"l": (x0, (y0 + y1) / 2), "r": (x1, (y0 + y1) / 2), "t": ((x0 + x1) / 2, y0), "b": ((x0 + x1) / 2, y1)}
    gx, gy = grab[handle]
    start = _at(canvas, gx, gy)
    # grab a little off the edge: the grab radius is in screen pixels, whatever the zoom
    start += QPoint(3, 0) if handle in "lr" else QPoint(0, 3)
    assert canvas.hit(QPointF(start))[1] == handle
    end = start + QPoint(round(delta[0] * scale), round(delta[1] * scale))
    _drag(qtbot, canvas, start, end)
    assert window.store.box(box_id).edges == expected


def test_dragging_a_corner_moves_two_edges_and_interior_moves_the_box(window, qtbot):
    canvas, box_id = _selected_box(window)
    _drag(qtbot, canvas, _at(canvas, 100, 90), _at(canvas, 110, 95))
    assert window.store.box(box_id).edges == (40, 30, 110, 95)
    _drag(qtbot, canvas, _at(canvas, 60, 60), _at(canvas, 50, 50))
    assert window.store.box(box_id).edges == (30, 20, 100, 85)


def test_an_edge_cannot_cross_its_opposite(window, qtbot):
    canvas, box_id = _selected_box(window)
    _drag(qtbot, canvas, _at(canvas, 40, 60), _at(canvas, 150, 60))
    assert window.store.box(box_id).edges == (99, 30, 100, 90)


def test_keyboard_nudge_and_resize(window, qtbot):
    canvas, box_id = _selected_box(window)
    canvas.setFocus()
    qtbot.keyClick(canvas, Qt.Key_Right)
    qtbot.keyClick(canvas, Qt.Key_Down)
    assert window.store.box(box_id).edges == (41, 31, 101, 91)
    qtbot.keyClick(canvas, Qt.Key_Right, Qt.ShiftModifier)
    qtbot.keyClick(canvas, Qt.Key_Up, Qt.ShiftModifier)
    assert window.store.box(box_id).edges == (41, 31, 102, 90)
    qtbot.keyClick(canvas, Qt.Key_Left, Qt.AltModifier)
    qtbot.keyClick(canvas, Qt.Key_Down, Qt.AltModifier)
    assert window.store.box(box_id).edges == (40, 32, 102, 90)


def test_undo_redo_restore_exact_coordinates_one_step_per_gesture(window, qtbot):
    canvas, box_id = _selected_box(window)
    _drag(qtbot, canvas, _at(canvas, 100, 60), _at(canvas, 110, 60))  # right edge
    _drag(qtbot, canvas, _at(canvas, 70, 90), _at(canvas, 70, 97))  # bottom edge
    _drag(qtbot, canvas, _at(canvas, 60, 50), _at(canvas, 65, 50))  # move
    canvas.setFocus()
    for _ in range(8):  # a burst of nudges
        qtbot.keyClick(canvas, Qt.Key_Left)
    assert window.store.box(box_id).edges == (37, 30, 107, 97)
    assert window.editor.stack.count() == 4  # right edge, bottom edge, move, the burst
    window.act_undo.trigger()
    assert window.store.box(box_id).edges == (45, 30, 115, 97)
    window.act_undo.trigger()
    assert window.store.box(box_id).edges == (40, 30, 110, 97)
    window.act_undo.trigger()
    assert window.store.box(box_id).edges == (40, 30, 110, 90)
    window.act_undo.trigger()
    assert window.store.box(box_id).edges == (40, 30, 100, 90)
    for _ in range(4):
        window.act_redo.trigger()
    assert window.store.box(box_id).edges == (37, 30, 107, 97)


def test_nudges_a_second_apart_are_separate_steps(window, qtbot):
    canvas, box_id = _selected_box(window)
    now = [100.0]
    window.annotation.clock = lambda: now[0]  # the burst window, on a clock the test controls
    canvas.setFocus()
    qtbot.keyClick(canvas, Qt.Key_Right)
    now[0] += 0.4
    qtbot.keyClick(canvas, Qt.Key_Right)
    assert window.editor.stack.count() == 1
    now[0] += 1.5
    qtbot.keyClick(canvas, Qt.Key_Down)
    assert window.editor.stack.count() == 2
    window.act_undo.trigger()
    assert window.store.box(box_id).edges == (42, 30, 102, 90)


def test_delete_and_undo_brings_back_the_same_box(window, qtbot):
    box_id = _add_box(window)
    window.canvas.select(box_id)
    before = window.store.box(box_id)
    window.act_delete.trigger()
    assert window.store.boxes(window.annotation.image.id) == []
    window.act_undo.trigger()
    assert window.store.box(box_id) == before


def test_zoom_keeps_the_point_under_the_cursor(window, qtbot):
    canvas = window.canvas
    anchor = QPointF(300, 200)
    before = canvas.to_image(anchor)
    canvas.zoom_to(canvas.scale * 3, anchor)
    after = canvas.to_image(anchor)
    assert before == pytest.approx(after)


def test_handles_have_a_constant_screen_radius(window):
    canvas = window.canvas
    box_id = _add_box(window)
    for scale in (0.25, 1.0, 8.0):
        _set_view(canvas, scale, 10, 10)
        edge = canvas.to_widget(40, 60)
        assert canvas.hit(QPointF(edge.x() - 6, edge.y())) == (box_id, "l")
        assert canvas.hit(QPointF(edge.x() - 9, edge.y()))[1] != "l"
