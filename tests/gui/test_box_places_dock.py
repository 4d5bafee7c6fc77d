"""Likely missing and misplaced boxes in the Likely mistakes dock, used as an operator would: the rows a search
found, Enter adds the missing box or moves the misplaced one (Ctrl+Z undoes it), Delete keeps one; the dock's
check box sends the search for box places, which says plainly when nothing is reviewed."""

from __future__ import annotations

import pytest
from photo_project import labelled_photo_project, photo_project
from PySide6.QtCore import Qt
from widgets_helper import give_focus

from labelstudio_desktop.core.box_places import place_mistakes
from labelstudio_desktop.core.mistakes import MistakeReport
from labelstudio_desktop.gui.mistakes import IMAGE, DoubtRole


def _rows(panel) -> list[dict]:
    return [panel.tree.topLevelItem(n).data(IMAGE, DoubtRole) for n in range(panel.tree.topLevelItemCount())]


@pytest.fixture
def boxed(tmp_path):
    return labelled_photo_project(tmp_path / "photos")


def _search_result(store) -> dict:
    """What a search returns when a detector puts board_on_desk.jpg's first box half its width to the right (score
    0.9), and finds a third object on blood_smear.jpg (score 0.55): core/box_places.py's report of those
    detections."""
    board, smear = store.image_by_path("board_on_desk.jpg"), store.image_by_path("blood_smear.jpg")
    recorded = {img.id: [(b.id, b.label, b.edges) for b in store.boxes(img.id)] for img in (board, smear)}
    moved = store.boxes(board.id)[0]
    x0, y0, x1, y1 = moved.edges
    dx = (x1 - x0) // 2
    detected = {board.id: [(moved.label, (x0 + dx, y0, x1 + dx, y1), 0.9)],
                smear.id: [(b.label, b.edges, 0.9) for b in store.boxes(smear.id)]
                + [("other", (5, smear.height - 60, 60, smear.height - 5), 0.55)]}
    report = place_mistakes([(board.id, board.path), (smear.id, smear.path)], recorded, detected, folds=3)
    empty = MistakeReport().as_dict()
    return {"images": empty, "boxes": empty, "places": report.as_dict(), "problems": []}


def test_enter_adds_the_missing_box_and_moves_the_misplaced_one(open_window, boxed, qtbot):
    window = open_window(boxed)
    store = window.store
    assert window.mistakes.show_panel()
    panel = window.mistakes.panel
    panel.show_result(_search_result(store))
    rows = _rows(panel)
    assert [r["kind"] for r in rows] == ["misplaced", "missing"]
    assert "1 boxes likely missing and 1 likely misplaced on 2 reviewed images" in panel.status.text()
    listed = [window.browser.model.index(n, 0).data(Qt.UserRole + 1) for n in range(window.browser.model.rowCount())]
    assert listed == [rows[0]["image"], rows[1]["image"]]

    misplaced, missing = rows
    assert window.browser.current_id() == misplaced["image"] and window.canvas.selected == misplaced["box"]
    give_focus(qtbot, panel.tree)
    qtbot.keyClick(panel.tree, Qt.Key_Return)
    assert list(store.box(misplaced["box"]).edges) == misplaced["edges"] and store.box(misplaced["box"]).edited
    assert _rows(panel) == [missing] and window.browser.current_id() == missing["image"]

    before = {b.id for b in store.boxes(missing["image"])}
    qtbot.keyClick(panel.tree, Qt.Key_Return)
    added = [b for b in store.boxes(missing["image"]) if b.id not in before]
    assert [(b.label, list(b.edges), b.state) for b in added] == [("other", missing["edges"], "accepted")]
    assert panel.tree.topLevelItemCount() == 0

    window.act_undo.trigger()
    assert {b.id for b in store.boxes(missing["image"])} == before
    window.act_undo.trigger()
    assert list(store.box(misplaced["box"]).edges) == misplaced["was"]


def test_delete_keeps_the_box_and_a_changed_box_is_left_alone(open_window, boxed, qtbot):
    window = open_window(boxed)
    store = window.store
    window.mistakes.show_panel()
    panel = window.mistakes.panel
    panel.show_result(_search_result(store))
    misplaced = _rows(panel)[0]
    give_focus(qtbot, panel.tree)
    qtbot.keyClick(panel.tree, Qt.Key_Delete)
    assert list(store.box(misplaced["box"]).edges) == misplaced["was"] and len(_rows(panel)) == 1
    panel.show_result(_search_result(store))
    box = store.box(misplaced["box"])
    box.x1 -= 3  # the operator moved it since the search
    store.update_box(box)
    panel.tree.setCurrentItem(panel.tree.topLevelItem(0))
    give_focus(qtbot, panel.tree)
    qtbot.keyClick(panel.tree, Qt.Key_Return)
    assert store.box(misplaced["box"]).edges == box.edges
    assert "changed since the search" in window.statusBar().currentMessage()


def test_the_check_box_asks_for_box_places_and_nothing_reviewed_is_said(open_window, tmp_path, qtbot):
    folder, _planted = photo_project(tmp_path / "photos")
    window = open_window(folder)
    window.mistakes.show_panel()
    panel = window.mistakes.panel
    qtbot.mouseClick(panel.places_box, Qt.LeftButton)
    assert panel.places_box.isChecked()
    qtbot.mouseClick(panel.find_button, Qt.LeftButton)
    assert not panel.places_box.isEnabled()
    qtbot.waitUntil(lambda: not panel.runner.busy(), timeout=240000)
    assert "Box places not judged: no accepted boxes to learn from" in panel.status.text()
    assert panel.places_box.isEnabled() and panel.tree.topLevelItemCount() == 0
