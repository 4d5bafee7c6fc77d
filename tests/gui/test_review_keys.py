"""Review keys act on proposals only, and deciding the last proposal of an image verifies it (issue 19, item 4).

Real key presses and clicks on the canvas of the demo window: X on a drawn or accepted box only says how to remove
it; Delete removes it (undoable); the decision on the last pending proposal of an image with an accepted box marks
the image verified, in the same undo step as the decision."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt

from labelstudio_desktop.core.store.store import BoxRecord


def _at(canvas, x: float, y: float) -> QPoint:
    p = canvas.to_widget(x, y)
    return QPoint(round(p.x()), round(p.y()))


def _view(canvas, scale: float = 2.0) -> None:
    canvas.scale, canvas.offset = scale, QPointF(5, 5)
    canvas.update()


def _proposal(window, image_id: int, edges, score: float) -> int:
    return window.store.insert_box(BoxRecord(0, image_id, "bolt", *edges, source="proposal", state="pending",
                                             method="exact", score=score))


def _click(qtbot, canvas, x: float, y: float) -> None:
    """A click inside a box (no drag): it selects the box and changes nothing."""
    qtbot.mouseClick(canvas, Qt.LeftButton, pos=_at(canvas, x, y))


def test_x_on_a_drawn_box_only_says_how_to_remove_it_and_delete_removes_it_with_undo(window, qtbot):
    image_id = window.annotation.image.id
    drawn = window.store.insert_box(BoxRecord(0, image_id, "bolt", 40, 30, 100, 90))  # manual, accepted
    window.annotation.show(image_id)
    canvas = window.canvas
    _view(canvas)
    canvas.setFocus()
    _click(qtbot, canvas, 70, 60)
    assert canvas.selected == drawn
    qtbot.keyClick(canvas, Qt.Key_X)
    box = window.store.box(drawn)
    assert box.state == "accepted" and canvas.selected == drawn  # neither rejected nor hidden
    assert "Delete removes this box" in window.statusBar().currentMessage()
    assert not window.editor.stack.canUndo()  # nothing was done
    qtbot.keyClick(canvas, Qt.Key_Delete)
    assert [b.id for b in window.store.boxes(image_id)] == []
    qtbot.keyClick(canvas, Qt.Key_Z, Qt.ControlModifier)
    assert window.store.box(drawn).edges == (40, 30, 100, 90)


def test_x_on_a_proposal_just_accepted_keeps_it(window, qtbot):
    image_id = window.annotation.image.id
    a = _proposal(window, image_id, (10, 10, 50, 40), 0.9)
    b = _proposal(window, image_id, (60, 60, 100, 90), 0.4)
    window.annotation.show(image_id)
    canvas = window.canvas
    _view(canvas)
    canvas.setFocus()
    qtbot.keyClick(canvas, Qt.Key_Return)  # a (the best) accepted, b selected
    assert window.store.box(a).state == "accepted" and canvas.selected == b
    _click(qtbot, canvas, 30, 25)  # back to a
    assert canvas.selected == a
    qtbot.keyClick(canvas, Qt.Key_X)
    assert window.store.box(a).state == "accepted" and window.store.box(b).state == "pending"
    assert "X rejects proposals" in window.statusBar().currentMessage()


def test_deciding_the_last_proposal_verifies_the_image_in_the_same_undo_step(window, qtbot):
    image_id = window.annotation.image.id
    a = _proposal(window, image_id, (10, 10, 50, 40), 0.9)
    b = _proposal(window, image_id, (60, 60, 100, 90), 0.4)
    window.annotation.show(image_id)
    canvas = window.canvas
    canvas.setFocus()
    qtbot.keyClick(canvas, Qt.Key_Return)  # a accepted: one proposal left, the image is not reviewed yet
    assert window.store.image(image_id).status == "unverified"
    qtbot.keyClick(canvas, Qt.Key_X)  # b rejected: the last one
    assert window.store.box(b).state == "rejected"
    assert window.store.image(image_id).status == "verified"  # the next Propose leaves this image alone
    assert "1 verified" in window.counts_label.text()
    qtbot.keyClick(canvas, Qt.Key_Z, Qt.ControlModifier)  # one step: the decision and the mark together
    assert window.store.box(b).state == "pending" and window.store.image(image_id).status == "unverified"
    assert window.store.box(a).state == "accepted"
    qtbot.keyClick(canvas, Qt.Key_Z, Qt.ControlModifier)
    assert window.store.box(a).state == "pending"
    qtbot.keyClick(canvas, Qt.Key_Z, Qt.ControlModifier)  # nothing more to undo: the verify was no step of its own
    assert window.store.box(a).state == "pending" and window.store.image(image_id).status == "unverified"


def test_rejecting_every_proposal_of_an_image_without_a_box_leaves_it_unverified(window, qtbot):
    image_id = window.annotation.image.id
    only = _proposal(window, image_id, (10, 10, 50, 40), 0.9)
    window.annotation.show(image_id)
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, Qt.Key_X)
    assert window.store.box(only).state == "rejected"
    assert window.store.image(image_id).status == "unverified"  # nothing accepted: the operator may draw one


def test_correcting_the_last_proposal_by_a_drag_verifies_the_image_and_undo_takes_both_back(window, qtbot):
    image_id = window.annotation.image.id
    only = _proposal(window, image_id, (10, 10, 50, 40), 0.9)
    window.annotation.show(image_id)
    canvas = window.canvas
    _view(canvas)
    assert canvas.selected == only
    start, end = _at(canvas, 50, 25), _at(canvas, 55, 25)  # the right edge, 5 image pixels to the right
    qtbot.mousePress(canvas, Qt.LeftButton, pos=start)
    qtbot.mouseMove(canvas, end)
    qtbot.mouseRelease(canvas, Qt.LeftButton, pos=end)
    box = window.store.box(only)
    assert (box.edges, box.state) == ((10, 10, 55, 40), "accepted")
    assert window.store.image(image_id).status == "verified"
    window.canvas.setFocus()
    qtbot.keyClick(canvas, Qt.Key_Z, Qt.ControlModifier)
    box = window.store.box(only)
    assert (box.edges, box.state) == ((10, 10, 50, 40), "pending")
    assert window.store.image(image_id).status == "unverified"
