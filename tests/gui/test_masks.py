"""Mask tools on the canvas with real mouse and key events: brush, eraser, brush size, polygon, box to mask (GrabCut)
with hints, fill holes, clear, outline view; correcting a proposal; one undo step each; a refused save rolled back.
What is stored is decoded and checked pixel by pixel."""

from __future__ import annotations

import io
import sqlite3

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QPoint, QPointF, Qt

from labelstudio_desktop.core.store.masks import decode_mask


def _at(canvas, x: float, y: float) -> QPoint:
    """The widget pixel showing image point (x, y)."""
    p = canvas.to_widget(x, y)
    return QPoint(round(p.x()), round(p.y()))


def _view(canvas, scale: float) -> None:
    """Zoom to ``scale`` with the image's top-left corner 20 px inside the canvas."""
    canvas.zoom_to(scale)
    canvas.offset = QPointF(20, 20)
    canvas.update()


def _drag(qtbot, canvas, points, button=Qt.LeftButton) -> None:
    """Press at the first image point, move through the others, release at the last."""
    qtbot.mousePress(canvas, button, pos=_at(canvas, *points[0]))
    for x, y in points[1:]:
        qtbot.mouseMove(canvas, _at(canvas, x, y))
    qtbot.mouseRelease(canvas, button, pos=_at(canvas, *points[-1]))


def _key(qtbot, canvas, key, modifier=Qt.NoModifier) -> None:
    canvas.setFocus()
    qtbot.keyClick(canvas, key, modifier)


def _stored(window, state="accepted"):
    """The image's masks in ``state`` as (row, 0/1 array)."""
    image = window.annotation.image
    return [(r, decode_mask(r["png"], image.width, image.height)) for r in window.store.masks(image.id)
            if r["state"] == state]


def _png(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(array).save(buf, "PNG")
    return buf.getvalue()


@pytest.mark.parametrize("scale", [0.7, 2.0, 5.0])
def test_a_brush_stroke_is_one_saved_undo_step_at_every_zoom(window, qtbot, scale):
    canvas = window.canvas
    image = window.annotation.image
    _key(qtbot, canvas, Qt.Key_B)
    assert window.mask_actions.tools["brush"].isChecked() and canvas.tool is not None
    _view(canvas, scale)
    diameter = window.annotation.masks.tool.diameter
    _drag(qtbot, canvas, [(40, 60), (70, 60), (100, 60)])
    ((row, mask),) = _stored(window)
    assert row["label"] == image.label and row["source"] == "manual" and not row["edited"]
    assert mask[60, 40:101].all() and mask[60 - diameter // 2 + 1, 70] and mask[60 + diameter // 2 - 1, 70]
    assert not mask[60 - diameter // 2 - 2, 70] and not mask[60, 100 + diameter // 2 + 2] and not mask[10, 10]
    assert window.editor.stack.count() == 1
    _drag(qtbot, canvas, [(40, 120), (60, 120)])  # a second stroke: a second step, the same mask
    assert window.editor.stack.count() == 2 and len(_stored(window)) == 1
    window.act_undo.trigger()
    ((_row, mask),) = _stored(window)
    assert mask[60, 50] and not mask[120, 50]
    window.act_undo.trigger()
    assert window.store.masks(image.id) == []
    assert not window.annotation.masks.layer.mask.any()  # the overlay shows what is stored
    window.act_redo.trigger()
    ((again, _mask),) = _stored(window)
    assert again["id"] == row["id"]


def test_eraser_and_brush_size_keys(window, qtbot):
    canvas = window.canvas
    masks = window.annotation.masks
    _key(qtbot, canvas, Qt.Key_B)
    _view(canvas, 3.0)
    _drag(qtbot, canvas, [(20, 70), (170, 70)])
    before = masks.tool.diameter
    _key(qtbot, canvas, Qt.Key_BracketRight)
    _key(qtbot, canvas, Qt.Key_BracketRight)
    assert masks.tool.diameter > before and window.properties.mask_controls.brush.value() == masks.tool.diameter
    _key(qtbot, canvas, Qt.Key_BracketLeft)
    assert before < masks.tool.diameter
    _key(qtbot, canvas, Qt.Key_E)
    assert window.mask_actions.tools["eraser"].isChecked() and not window.mask_actions.tools["brush"].isChecked()
    _drag(qtbot, canvas, [(90, 40), (90, 100)])
    ((_row, mask),) = _stored(window)
    assert mask[70, 30] and mask[70, 160] and not mask[70, 90]
    assert window.editor.stack.count() == 2
    window.act_undo.trigger()
    ((_row, mask),) = _stored(window)
    assert mask[70, 90]


@pytest.mark.parametrize("scale", [1.0, 4.0])
def test_polygon_clicks_backspace_enter_double_click_and_esc(window, qtbot, scale):
    canvas = window.canvas
    _key(qtbot, canvas, Qt.Key_P)
    _view(canvas, scale)
    for x, y in [(20, 20), (120, 20), (20, 120), (150, 130)]:
        qtbot.mouseClick(canvas, Qt.LeftButton, pos=_at(canvas, x, y))
    assert window.store.masks(window.annotation.image.id) == []  # nothing saved while it is open
    _key(qtbot, canvas, Qt.Key_Backspace)  # removes (150, 130), deletes no box
    _key(qtbot, canvas, Qt.Key_Return)  # closes and fills, accepts no proposal
    ((_row, mask),) = _stored(window)
    assert mask[30, 30] and mask[25, 100] and not mask[110, 110] and not mask[125, 145]
    assert window.editor.stack.count() == 1
    for x, y in [(130, 100), (180, 100)]:
        qtbot.mouseClick(canvas, Qt.LeftButton, pos=_at(canvas, x, y))
    qtbot.mouseClick(canvas, Qt.LeftButton, pos=_at(canvas, 160, 140))
    qtbot.mouseDClick(canvas, Qt.LeftButton, pos=_at(canvas, 160, 140))  # double click: closes
    ((_row, mask),) = _stored(window)
    assert mask[105, 160] and window.editor.stack.count() == 2
    for x, y in [(5, 130), (15, 130), (10, 140)]:
        qtbot.mouseClick(canvas, Qt.LeftButton, pos=_at(canvas, x, y))
    _key(qtbot, canvas, Qt.Key_Escape)  # cancels the open polygon, the tool stays
    assert window.editor.stack.count() == 2 and window.mask_actions.tools["polygon"].isChecked()
    _key(qtbot, canvas, Qt.Key_Escape)  # nothing open: back to boxes
    assert canvas.tool is None and not window.mask_actions.tools["polygon"].isChecked()


@pytest.fixture
def disc_window(open_window, tmp_path):
    """A window on one 400x300 photo-like picture: a red disc (centre 200, 150, radius 70) on a green texture."""
    from labelstudio_desktop.core.store.store import Store
    from labelstudio_desktop.core.transfer.importer import import_folder

    folder = tmp_path / "disc"
    folder.mkdir()
    rng = np.random.default_rng(1)
    pixels = np.zeros((300, 400, 3), np.uint8)
    pixels[...] = (40, 150, 50) + rng.integers(-25, 25, (300, 400, 3))
    yy, xx = np.mgrid[0:300, 0:400]
    disc = (xx - 200) ** 2 + (yy - 150) ** 2 <= 70 ** 2
    pixels[disc] = (210, 40, 40) + rng.integers(-20, 20, (int(disc.sum()), 3))
    Image.fromarray(pixels).save(folder / "disc.png")
    with Store.create(folder) as store:
        import_folder(store)
        store.update_image_fields(store.image_by_path("disc.png").id, {"label": "apple"})
    window = open_window(folder)
    window.disc = disc
    return window


def _iou(a, b) -> float:
    return float((a.astype(bool) & b).sum() / (a.astype(bool) | b).sum())


def test_box_to_mask_with_grabcut_then_a_background_hint(disc_window, qtbot):
    window, canvas = disc_window, disc_window.canvas
    _key(qtbot, canvas, Qt.Key_C)
    _view(canvas, 1.5)
    _drag(qtbot, canvas, [(115, 65), (200, 150), (285, 235)])
    ((row, mask),) = _stored(window)
    assert row["label"] == "apple" and _iou(mask, window.disc) > 0.9
    assert window.annotation.masks.grabcut_box() == (115, 65, 285, 235)
    # a right drag inside the box marks background: the disc's right part goes, in a second undo step
    _drag(qtbot, canvas, [(250, 100), (250, 150), (250, 200)], Qt.RightButton)
    ((_row, hinted),) = _stored(window)
    assert not hinted[150, 250] and hinted[150, 180] and hinted.sum() < mask.sum()
    assert window.editor.stack.count() == 2
    _drag(qtbot, canvas, [(235, 150), (262, 150)])  # a left drag: foreground again
    ((_row, again),) = _stored(window)
    assert again[150, 250] and window.editor.stack.count() == 3
    _key(qtbot, canvas, Qt.Key_Escape)  # ends the GrabCut box, the tool stays
    assert window.annotation.masks.grabcut_box() is None and canvas.tool is not None
    _drag(qtbot, canvas, [(115, 65), (285, 235)])  # a new box: a new GrabCut, its hints forgotten
    ((_row, boxed),) = _stored(window)
    assert boxed[150, 250] and window.annotation.masks.grabcut_hints() == []
    window.act_undo.trigger()
    ((_row, undone),) = _stored(window)
    assert np.array_equal(undone, again)
    assert window.annotation.masks.grabcut_box() is None  # an undo ends the box: its hints may be undone


def test_fill_holes_clear_and_outline_view(window, qtbot):
    image = window.annotation.image
    ring = np.zeros((image.height, image.width), np.uint8)
    ring[20:100, 20:100] = 255
    ring[40:80, 40:80] = 0
    window.store.add_mask(image.id, image.label, _png(ring))
    window.annotation.show(image.id)
    canvas = window.canvas
    _key(qtbot, canvas, Qt.Key_B)
    _key(qtbot, canvas, Qt.Key_F, Qt.ShiftModifier)
    ((row, mask),) = _stored(window)
    assert mask[20:100, 20:100].all() and not mask[10, 10]
    _view(canvas, 2.0)
    inside = canvas.grab().toImage().pixelColor(_at(canvas, 60, 60))
    _key(qtbot, canvas, Qt.Key_O)  # outline only: the middle shows the photo, the edge the mask's colour
    assert window.properties.mask_controls.outline.isChecked()
    layer = window.annotation.masks.layer
    assert layer.image.pixelColor(60, 60).alpha() == 0 and layer.image.pixelColor(20, 60).alpha() == 255
    assert canvas.grab().toImage().pixelColor(_at(canvas, 60, 60)) != inside
    _key(qtbot, canvas, Qt.Key_Delete, Qt.ShiftModifier)
    assert window.store.masks(image.id) == [] and window.store.boxes(image.id) == []
    window.act_undo.trigger()
    ((again, mask),) = _stored(window)
    assert again["id"] == row["id"] and mask[60, 60]
    window.act_undo.trigger()
    ((_row, mask),) = _stored(window)
    assert not mask[60, 60] and mask[30, 30]


def _ramp_proposal(window):
    """A pending U-Net proposal whose probability grows from 0 (left) to 1 (right)."""
    image = window.annotation.image
    ramp = np.tile(np.linspace(0, 255, image.width).astype(np.uint8), (image.height, 1))
    mask_id = window.store.add_mask(image.id, "object", _png(ramp), source="proposal", state="pending")
    window.annotation.show(image.id)
    return image, mask_id


def test_painting_a_proposal_corrects_it_accepted_and_marked_edited(window, qtbot):
    image, mask_id = _ramp_proposal(window)
    canvas = window.canvas
    assert window.properties.mask_box.isVisible() and "pending" in window.properties.mask_state.text()
    _key(qtbot, canvas, Qt.Key_B)
    _view(canvas, 3.0)
    _drag(qtbot, canvas, [(10, 20), (40, 20)])  # paints on the left half, where the proposal is off
    row = window.store.mask(mask_id)
    assert (row["state"], row["edited"], row["label"]) == ("accepted", 1, image.label)
    mask = decode_mask(row["png"], image.width, image.height)
    half = image.width // 2
    assert mask[20, 10:41].all() and mask[100, half + 5:].all() and not mask[100, 5:half - 5].any()
    assert "✎" in window.properties.mask_state.text()
    from labelstudio_desktop.gui.canvas import label_color

    shown = window.annotation.masks.layer.image.pixelColor(100, 100)  # green no more: the label's colour
    assert (shown.red(), shown.green(), shown.blue()) == label_color(image.label).getRgb()[:3]
    window.act_undo.trigger()
    row = window.store.mask(mask_id)
    assert (row["state"], row["edited"], row["label"]) == ("pending", 0, "object")


def test_accept_and_reject_a_proposed_mask_by_key(window, qtbot):
    image, mask_id = _ramp_proposal(window)
    window.properties.threshold.setValue(75)
    _key(qtbot, window.canvas, Qt.Key_Return, Qt.ShiftModifier)
    row = window.store.mask(mask_id)
    kept = decode_mask(row["png"], image.width, image.height)
    assert row["state"] == "accepted" and abs(kept.mean() - 0.25) < 0.02 and not row["edited"]
    window.act_undo.trigger()
    assert window.store.mask(mask_id)["state"] == "pending"
    window.annotation.show(image.id)
    _key(qtbot, window.canvas, Qt.Key_X, Qt.ShiftModifier)
    assert window.store.mask(mask_id)["state"] == "rejected"


def test_a_refused_save_rolls_the_stroke_back(window, qtbot):
    canvas = window.canvas
    image = window.annotation.image
    _key(qtbot, canvas, Qt.Key_B)
    _view(canvas, 2.0)
    window.store.conn.execute("PRAGMA busy_timeout = 200")
    other = sqlite3.connect(str(window.store.db_path), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    try:
        _drag(qtbot, canvas, [(30, 30), (90, 30)])
        assert window.store.masks(image.id) == [] and window.editor.stack.count() == 0
        assert not window.annotation.masks.layer.mask.any()  # the screen shows what is saved
        assert window.save_error_label.isVisible() and "locked" in window.save_error_label.text()
    finally:
        other.execute("ROLLBACK")
        other.close()
    _drag(qtbot, canvas, [(30, 30), (90, 30)])
    ((_row, mask),) = _stored(window)
    assert mask[30, 60] and window.editor.stack.count() == 1 and not window.save_error_label.isVisible()


def test_mask_tools_and_the_box_tool_exclude_each_other_and_keys_are_listed(window, qtbot):
    canvas = window.canvas
    _key(qtbot, canvas, Qt.Key_B)
    _key(qtbot, canvas, Qt.Key_W)
    assert canvas.draw_mode and canvas.tool is None and not window.mask_actions.tools["brush"].isChecked()
    _key(qtbot, canvas, Qt.Key_P)
    assert not canvas.draw_mode and not window.act_draw.isChecked() and canvas.tool.kind == "polygon"
    keys = {k for k, _text in window.shortcut_rows()}
    assert {"B", "E", "P", "C", "[", "]", "O", "Shift+F", "Shift+X"} <= keys
    assert any("Shift+Del" in k for k in keys)
    _key(qtbot, canvas, Qt.Key_1)  # digits still set the class while a tool is active
    assert window.store.image(window.annotation.image.id).label == window.store.class_keys()[0]
