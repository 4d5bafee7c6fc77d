"""The Likely mistakes dock, used as an operator would: Review > Find likely mistakes, the list worst first with the
browser showing those images alone in that order, Enter fixes a class (Ctrl+Z undoes it), Delete keeps one."""

from __future__ import annotations

import pytest
from photo_project import labelled_photo_project
from PySide6.QtCore import Qt
from widgets_helper import give_focus

from labelstudio_desktop.gui.mistakes import IMAGE, DoubtRole


@pytest.fixture
def photos(tmp_path):
    return labelled_photo_project(tmp_path / "photos")


def _rows(panel) -> list[dict]:
    return [panel.tree.topLevelItem(n).data(IMAGE, DoubtRole) for n in range(panel.tree.topLevelItemCount())]


def test_find_fix_undo_and_keep(open_window, photos, qtbot):
    window = open_window(photos)
    assert window.mistakes.action in window.menuBar().actions()[4].menu().actions()  # the Review menu
    window.mistakes.action.trigger()
    panel = window.mistakes.panel
    assert window.mistakes.dock.isVisible()
    qtbot.waitUntil(lambda: not panel.runner.busy(), timeout=240000)
    rows = _rows(panel)
    assert rows, panel.status.text()
    assert [r["doubt"] for r in rows] == sorted((r["doubt"] for r in rows), reverse=True)
    assert "likely mistakes among 30 image and box classes judged" in panel.status.text()

    browser = window.browser
    listed = [browser.model.index(n, 0).data(Qt.UserRole + 1) for n in range(browser.model.rowCount())]
    assert listed == panel.image_ids()  # the browser lists those images alone, worst first
    assert browser.only_button.isVisible() and "Likely mistakes" in browser.only_button.text()

    first = rows[0]
    assert browser.current_id() == first["image"]  # the first row is shown
    give_focus(qtbot, panel.tree)
    qtbot.keyClick(panel.tree, Qt.Key_Return)
    store = window.store
    now = store.box(first["box"]).label if first["box"] else store.image(first["image"]).label
    assert now == first["suggested"] and panel.tree.topLevelItemCount() == len(rows) - 1
    window.act_undo.trigger()
    now = store.box(first["box"]).label if first["box"] else store.image(first["image"]).label
    assert now == first["label"]

    if len(rows) > 1:
        second = _rows(panel)[0]
        give_focus(qtbot, panel.tree)  # undo gave the canvas the focus
        qtbot.keyClick(panel.tree, Qt.Key_Delete)
        assert second not in _rows(panel)
    qtbot.mouseClick(browser.only_button, Qt.LeftButton)
    assert browser.model.rowCount() == 10

    # the list's Enter and Delete are its own: on the canvas Delete still deletes the selected box
    listed = panel.tree.topLevelItemCount()
    shown = window.annotation.image.id
    box = store.boxes(shown)[0].id
    window.canvas.select(box)
    give_focus(qtbot, window.canvas)
    qtbot.keyClick(window.canvas, Qt.Key_Delete)
    assert box not in [b.id for b in store.boxes(shown)] and panel.tree.topLevelItemCount() == listed
