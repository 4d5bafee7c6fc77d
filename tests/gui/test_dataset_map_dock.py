"""The Dataset map dock, used as an operator would: opened from the View menu, a click on a point opens its image,
a drag around points lists them alone in the browser, hovering shows the image's name and thumbnail."""

from __future__ import annotations

import pytest
from photo_project import labelled_photo_project, photo_project
from PySide6.QtCore import QPoint, Qt
from widgets_helper import give_focus, hover

from labelstudio_desktop.core.dataset_map import NONE_COLOUR
from labelstudio_desktop.core.mistakes import flagged_images
from labelstudio_desktop.core.store.store import Store


@pytest.fixture
def photos(tmp_path):
    from labelstudio_desktop.ml.features import compute_features

    folder, planted = photo_project(tmp_path / "photos")
    with Store.open(folder) as store:
        for img in store.images():
            if img.path.startswith("copy_"):
                store.update_image_fields(img.id, {"label": "copy"})
        compute_features(store)
    return folder, planted


def _map(window, qtbot):
    window.map.action.trigger()
    qtbot.waitUntil(lambda: window.map.panel is not None and window.map.panel.found is not None, timeout=60000)
    return window.map.panel


def test_the_map_opens_from_the_view_menu_and_a_click_opens_the_image(open_window, photos, qtbot):
    folder, planted = photos
    window = open_window(folder)
    assert not window.map.dock.isVisible()
    panel = _map(window, qtbot)
    assert window.map.dock.isVisible()
    assert len(panel.found.ids) == 10 and "10 images placed" in panel.info.text()
    assert panel.canvas.names == ["copy"]  # coloured by class: the three copies have one

    target = window.store.image_by_path("cards_on_table.jpg").id
    assert window.browser.current_id() != target
    where = panel.canvas.place_of(target).toPoint()
    assert panel.canvas.point_at(where.toPointF()) == target  # nothing else drawn on top of it
    qtbot.mouseClick(panel.canvas, Qt.LeftButton, pos=where)
    assert window.browser.current_id() == target

    panel.colour_box.setCurrentIndex(panel.colour_box.findData("status"))
    assert panel.canvas.names == ["unverified"]


def test_a_drag_around_points_lists_them_alone_and_the_browser_shows_all_again(open_window, photos, qtbot):
    folder, _planted = photos
    window = open_window(folder)
    panel = _map(window, qtbot)
    canvas = panel.canvas
    target = window.store.image_by_path("board_on_desk.jpg").id
    centre = canvas.place_of(target).toPoint()
    corners = [centre + QPoint(dx, dy) for dx, dy in ((-4, -4), (4, -4), (4, 4), (-4, 4))]
    qtbot.mousePress(canvas, Qt.LeftButton, pos=corners[0])
    for corner in corners[1:]:
        qtbot.mouseMove(canvas, corner)
    qtbot.mouseRelease(canvas, Qt.LeftButton, pos=corners[-1])
    browser = window.browser
    listed = {browser.model.index(r, 0).data(Qt.UserRole + 1) for r in range(browser.model.rowCount())}
    assert target in browser.model.filter.ids and browser.model.rowCount() == len(browser.model.filter.ids) < 10
    assert browser.only_button.isVisible() and f"{len(browser.model.filter.ids)} images" in browser.only_button.text()
    assert canvas.selected.sum() == len(browser.model.filter.ids)
    assert listed  # the rows the browser shows
    qtbot.mouseClick(browser.only_button, Qt.LeftButton)
    assert browser.model.filter.ids is None and browser.model.rowCount() == 10 and not browser.only_button.isVisible()


def test_hovering_a_point_shows_its_name_and_thumbnail(open_window, photos, qtbot):
    folder, _planted = photos
    window = open_window(folder)
    panel = _map(window, qtbot)
    target = window.store.image_by_path("board_on_desk.jpg").id
    hover(panel.canvas, panel.canvas.place_of(target).toPoint())
    qtbot.waitUntil(lambda: panel.preview.isVisible())
    assert panel.preview_name.isVisible() and panel.preview_name.text() == "board_on_desk.jpg"  # before the picture
    image = panel.preview_image
    qtbot.waitUntil(lambda: image.isVisible() and image.pixmap() is not None and not image.pixmap().isNull(),
                    timeout=20000)
    assert panel.preview_name.isVisible() and panel.preview_name.text() == "board_on_desk.jpg"  # under it
    assert panel.preview_name.geometry().top() >= image.geometry().bottom()
    assert panel.preview.height() >= image.pixmap().height() + panel.preview_name.height()
    hover(panel.canvas, QPoint(2, panel.canvas.height() - 2))  # a corner where no point is
    qtbot.waitUntil(lambda: not panel.preview.isVisible())


def test_coloured_by_likely_mistake_the_map_follows_the_list(open_window, tmp_path, qtbot):
    from labelstudio_desktop.ml.features import compute_features

    folder = labelled_photo_project(tmp_path / "labelled")
    with Store.open(folder) as store:
        compute_features(store)
    window = open_window(folder)
    panel = _map(window, qtbot)
    panel.colour_box.setCurrentIndex(panel.colour_box.findData("mistake"))
    assert panel.canvas.names == [] and panel.canvas.none_name == "not judged yet"
    assert "Review > Find likely mistakes" in panel.info.text()

    window.mistakes.action.trigger()
    listed = window.mistakes.panel
    qtbot.waitUntil(lambda: not listed.runner.busy(), timeout=240000)
    flagged = flagged_images(listed.rows())
    assert flagged, listed.status.text()
    assert panel.canvas.none_name == "not listed" and sorted(panel.canvas.names) == sorted(set(flagged.values()))
    first = listed.rows()[0]["image"]
    point = list(panel.found.ids).index(first)
    assert tuple(panel.canvas.colours[point]) != NONE_COLOUR

    give_focus(qtbot, listed.tree)
    while any(row["image"] == first for row in listed.rows()):  # keep each of its rows: off the list
        row = next(n for n, r in enumerate(listed.rows()) if r["image"] == first)
        listed.tree.setCurrentItem(listed.tree.topLevelItem(row))
        qtbot.keyClick(listed.tree, Qt.Key_Delete)
    assert tuple(panel.canvas.colours[point]) == NONE_COLOUR  # coloured again as the list is now


def test_the_map_computes_the_features_an_import_left_undone_and_fills_in(open_window, tmp_path, qtbot):
    folder, planted = photo_project(tmp_path / "undone")  # imported, no features computed (a cancelled run)
    window = open_window(folder)
    window.map.action.trigger()
    qtbot.waitUntil(lambda: window.map.panel is not None and "being computed" in window.map.panel.info.text(),
                    timeout=60000)
    panel = window.map.panel
    qtbot.waitUntil(lambda: panel.found is not None and len(panel.found.ids) == 7 + len(planted), timeout=180000)
    assert "images placed" in panel.info.text() and not window.features.runner.busy()
