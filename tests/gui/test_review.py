"""Reviewing proposals on the canvas: accept, reject, correct by dragging, accept all, next pending; all undoable."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image
from PySide6.QtCore import QPoint, QPointF, Qt
from widgets_helper import open_and_propose

from labelstudio_desktop.core.store.store import BoxRecord


def _pending(window, image_id, edges, score):
    return window.store.insert_box(BoxRecord(0, image_id, "bolt", *edges, source="proposal", state="pending",
                                             method="exact", score=score, threshold=0.3, map_iou=0.9))


def _setup(window):
    image_id = window.annotation.image.id
    ids = [_pending(window, image_id, (10, 10, 50, 40), 0.9), _pending(window, image_id, (60, 60, 100, 90), 0.4)]
    window.annotation.show(image_id)
    return image_id, ids


def test_enter_accepts_x_rejects_and_undo(window, qtbot):
    image_id, (a, b) = _setup(window)
    window.canvas.select(a)
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, Qt.Key_Return)
    assert window.store.box(a).state == "accepted"
    assert window.canvas.selected == b  # moves on to the next pending proposal
    qtbot.keyClick(window.canvas, Qt.Key_X)
    assert window.store.box(b).state == "rejected"
    assert "1 accepted, 1 rejected" in window.counts_label.text()
    window.act_undo.trigger()
    window.act_undo.trigger()
    assert window.store.box(a).state == window.store.box(b).state == "pending"
    window.canvas.select(b)
    window.act_delete.trigger()  # Delete on a proposal rejects it, keeping its provenance
    assert window.store.box(b).state == "rejected" and window.store.box(b).method == "exact"


def test_dragging_a_proposal_corrects_and_accepts_it(window, qtbot):
    image_id, (a, _b) = _setup(window)
    canvas = window.canvas
    canvas.scale, canvas.offset = 2.0, QPointF(0, 0)
    canvas.select(a)
    start = QPoint(100, 50)  # right edge x=50 at y=25
    qtbot.mousePress(canvas, Qt.LeftButton, pos=start)
    qtbot.mouseMove(canvas, QPoint(110, 50))
    qtbot.mouseRelease(canvas, Qt.LeftButton, pos=QPoint(110, 50))
    box = window.store.box(a)
    assert (box.edges, box.state, box.edited) == ((10, 10, 55, 40), "accepted", True)
    assert box.score == 0.9 and box.run_id is None and box.method == "exact"  # provenance kept
    window.act_undo.trigger()
    box = window.store.box(a)
    assert (box.edges, box.state, box.edited) == ((10, 10, 50, 40), "pending", False)


def test_accept_all_and_by_score(window):
    image_id, (a, b) = _setup(window)
    assert window.annotation.accept_all(min_score=0.5) == 1
    assert window.store.box(a).state == "accepted" and window.store.box(b).state == "pending"
    window.act_undo.trigger()
    window.act_accept_all.trigger()
    assert {window.store.box(a).state, window.store.box(b).state} == {"accepted"}
    window.act_undo.trigger()
    assert {window.store.box(a).state, window.store.box(b).state} == {"pending"}


def test_next_image_with_pending_proposals(window, qtbot):
    target = window.store.image_by_path("nut/nut_005.jpg").id
    _pending(window, target, (1, 1, 20, 20), 0.7)
    window.browser.model.reload()
    qtbot.keyClick(window, Qt.Key_N)
    assert window.annotation.image.id == target


def test_heatmap_overlay(window, qtbot):
    image_id = window.annotation.image.id
    heat = (np.linspace(0, 255, 64 * 64).reshape(64, 64)).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(heat).save(buf, "PNG")
    window.store.conn.execute("INSERT INTO runs(id, task, started_at) VALUES(1, 'classify', 0)")
    window.store.conn.execute("INSERT INTO heatmaps(image_id, run_id, kind, png) VALUES(?,?,?,?)",
                              (image_id, 1, "gradcam", buf.getvalue()))
    window.act_heatmap.trigger()
    assert window.canvas.overlay is not None and window.canvas.overlay.width() == window.annotation.image.width
    shot = window.canvas.grab().toImage()
    window.act_heatmap.trigger()
    assert shot != window.canvas.grab().toImage()  # the overlay was painted


def test_mask_proposal_overlay_threshold_and_accept(window, qtbot):
    from labelstudio_desktop.core.store.masks import decode_mask

    image = window.annotation.image
    ramp = np.tile(np.linspace(0, 255, image.width).astype(np.uint8), (image.height, 1))  # left 0 -> right 1
    buf = io.BytesIO()
    Image.fromarray(ramp).save(buf, "PNG")
    mask_id = window.store.add_mask(image.id, "bolt", buf.getvalue(), source="proposal", state="pending")
    window.annotation.show(image.id)
    panel = window.properties
    assert panel.mask_box.isVisible() and "pending" in panel.mask_state.text()
    before = window.canvas.grab().toImage()
    panel.threshold.setValue(75)
    assert window.canvas.grab().toImage() != before  # less of the image is covered
    panel.sig_mask_action.emit("accept")
    row = window.store.mask(mask_id)
    kept = decode_mask(row["png"], image.width, image.height)
    assert row["state"] == "accepted" and abs(kept.mean() - 0.25) < 0.02  # the right quarter passed 0.75
    window.act_undo.trigger()
    assert window.store.mask(mask_id)["state"] == "pending"


def test_propose_from_the_toolbar_then_review(qtbot, settings, tmp_path):
    from fixed_model import SQUARES, squares_project


    db, _run = squares_project(tmp_path / "squares")  # a classifier with fixed weights: known proposals
    window = open_and_propose(qtbot, settings, tmp_path / "squares")
    pending = window.store.boxes(states=("pending",))
    assert len(pending) == sum(len(boxes) for _label, boxes in SQUARES.values())  # one box per object
    assert all(b.source == "proposal" for b in pending)
    assert f"{len(pending)} pending" in window.counts_label.text()
    window.act_next_pending.trigger()
    assert window.store.boxes(window.annotation.image.id, states=("pending",))
    window.close()


def test_enter_on_the_last_proposal_goes_on_to_the_next_image_with_proposals(window, qtbot):
    first = window.annotation.image.id
    only = _pending(window, first, (10, 10, 50, 40), 0.6)
    target = window.store.image_by_path("nut/nut_002.jpg").id
    there = _pending(window, target, (20, 20, 60, 60), 0.7)
    window.browser.model.reload()
    window.annotation.show(first)
    assert window.canvas.selected == only  # selected on opening: Enter acts at once
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, Qt.Key_Return)
    assert window.store.box(only).state == "accepted"
    assert window.annotation.image.id == target and window.canvas.selected == there
    assert "images: 1 reviewed, 1 with proposals to review" in window.counts_label.text()


def test_accept_by_score_states_its_scope_and_is_one_undo_step(window, qtbot):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from labelstudio_desktop.gui.review import AcceptByScoreDialog

    image_id, (a, b) = _setup(window)  # scores 0.9 and 0.4 on this image
    others = [_pending(window, window.store.image_by_path(f"nut/nut_00{n}.jpg").id, (5, 5, 30, 30), 0.85)
              for n in range(3)]
    seen = {}

    def answer(all_images: bool):
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, AcceptByScoreDialog):
            QTimer.singleShot(10, lambda: answer(all_images))
            return
        seen[all_images] = (dialog.this_image.text(), dialog.all_images.text())
        (dialog.all_images if all_images else dialog.this_image).click()
        dialog.accept()

    QTimer.singleShot(0, lambda: answer(False))
    assert window.review.accept_by_score() == 1  # default 0.8 on this image: the 0.9 one
    assert seen[False] == ("On this image: 1 proposals", "On every image: 4 proposals on 4 images")
    assert window.store.box(a).state == "accepted" and window.store.box(b).state == "pending"
    QTimer.singleShot(0, lambda: answer(True))
    assert window.review.accept_by_score() == 3
    assert {window.store.box(i).state for i in others} == {"accepted"}
    finished = {window.store.box(i).image_id for i in others}  # their only proposal accepted: reviewed
    status = lambda: {window.store.image_fields(i, ("status",))["status"] for i in finished}  # noqa: E731
    assert status() == {"verified"}
    window.act_undo.trigger()  # one step for all three, and their verified marks
    assert {window.store.box(i).state for i in others} == {"pending"} and window.store.box(a).state == "accepted"
    assert "verified" not in status()


def test_enter_after_a_correction_moves_on_and_with_nothing_selected_selects_the_best(window, qtbot):
    image_id, (a, b) = _setup(window)  # a: 0.9 (selected on opening), b: 0.4
    canvas = window.canvas
    canvas.scale, canvas.offset = 2.0, QPointF(0, 0)
    assert canvas.selected == a
    qtbot.mousePress(canvas, Qt.LeftButton, pos=QPoint(100, 50))  # a's right edge (x=50 at y=25)
    qtbot.mouseMove(canvas, QPoint(110, 50))
    qtbot.mouseRelease(canvas, Qt.LeftButton, pos=QPoint(110, 50))
    assert window.store.box(a).state == "accepted" and canvas.selected == a  # still a: more edges may follow
    canvas.setFocus()
    qtbot.keyClick(canvas, Qt.Key_Return)  # done with it: on to the next proposal, nothing else changes
    assert canvas.selected == b and window.store.box(b).state == "pending"
    canvas.select(-1)
    qtbot.keyClick(canvas, Qt.Key_Return)  # nothing selected: Enter selects the best proposal left
    assert canvas.selected == b and window.store.box(b).state == "pending"
    qtbot.keyClick(canvas, Qt.Key_Return)
    assert window.store.box(b).state == "accepted"


def test_ctrl_enter_accepts_the_image_and_goes_on_to_the_next_with_proposals(window, qtbot):
    image_id, (a, b) = _setup(window)
    target = window.store.image_by_path("nut/nut_003.jpg").id
    there = _pending(window, target, (5, 5, 40, 40), 0.5)
    window.browser.model.reload()
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, Qt.Key_Return, Qt.ControlModifier)
    assert {window.store.box(a).state, window.store.box(b).state} == {"accepted"}
    assert window.annotation.image.id == target and window.canvas.selected == there


def test_space_verifies_keeping_the_proposals_and_shift_space_rejecting_them(window, qtbot):
    """Space: the image is right as shown, its pending proposals become accepted; Shift+Space rejects them.
    Each is one undo step that also moves on to the next image."""
    image_id, (a, b) = _setup(window)
    canvas = window.canvas
    canvas.setFocus()
    qtbot.keyClick(canvas, Qt.Key_X)  # the best proposal (a) is selected: rejected by hand first
    qtbot.keyClick(canvas, Qt.Key_Space)
    assert window.store.image(image_id).status == "verified"
    assert (window.store.box(a).state, window.store.box(b).state) == ("rejected", "accepted")
    assert window.annotation.image.id != image_id
    assert "1 proposals accepted" in window.statusBar().currentMessage()
    window.act_undo.trigger()  # one step: the box is pending again and the image unverified
    assert window.store.image(image_id).status == "unverified" and window.store.box(b).state == "pending"
    assert window.store.box(a).state == "rejected"
    window.browser.select_id(image_id)
    canvas.setFocus()
    qtbot.keyClick(canvas, Qt.Key_Space, Qt.ShiftModifier)
    assert window.store.image(image_id).status == "verified" and window.store.box(b).state == "rejected"
    assert window.annotation.image.id != image_id
