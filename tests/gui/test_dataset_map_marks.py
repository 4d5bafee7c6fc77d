"""The Dataset map dock as a user found it in a real window: it opens at a usable size with its legend beside the
points (never over them), marks the image open in the window wherever it was opened from, lists a lasso's images in
the browser scrolled to the one opened, drops its rings when the browser's chip clears the selection, and says what
its grey points are."""

from __future__ import annotations

import pytest
from feature_vectors import write_kind_features
from helpers import write_image
from PySide6.QtCore import QPoint, QRect, Qt
from widgets_helper import browser_ids, give_focus, settle

from labelstudio_desktop.core.dataset_map import NONE_COLOUR
from labelstudio_desktop.core.store.store import Store
from labelstudio_desktop.core.transfer.importer import import_folder
from labelstudio_desktop.gui.dataset_map import DOCK_HEIGHT_SHARE, DOCK_WIDTH, REACH

KINDS = 3  # three groups of look-alikes: a triangle on the map
COUNT = 60  # twenty images a group: more than the browser shows at once


@pytest.fixture
def project(tmp_path):
    """60 small images, no class and no split, whose features put img_000, img_003, ... (kind 0) together, and so
    on."""
    names = [f"img_{n:03d}.jpg" for n in range(COUNT)]
    for n, name in enumerate(names):
        write_image(tmp_path / name, w=64, h=48, seed=n)
    with Store.create(tmp_path) as store:
        import_folder(store)
        write_kind_features(store, {name: n % KINDS for n, name in enumerate(names)})
    return tmp_path


def _map(window, qtbot):
    window.map.action.trigger()
    qtbot.waitUntil(lambda: window.map.panel is not None and window.map.panel.found is not None, timeout=60000)
    settle(qtbot)
    return window.map.panel


def _lasso(qtbot, canvas, centre: QPoint, half: int) -> None:
    corners = [centre + QPoint(dx, dy) for dx, dy in ((-half, -half), (half, -half), (half, half), (-half, half))]
    qtbot.mousePress(canvas, Qt.LeftButton, pos=corners[0])
    for corner in corners[1:]:
        qtbot.mouseMove(canvas, corner)
    qtbot.mouseRelease(canvas, Qt.LeftButton, pos=corners[-1])


def _dark(image, at: QPoint) -> bool:
    colour = image.pixelColor(at)
    return max(colour.red(), colour.green(), colour.blue()) < 90


def _marked_at(canvas, place: QPoint) -> bool:
    """The open image's ring is drawn around ``place``: dark on its four sides (the points are light grey)."""
    image = canvas.grab().toImage()
    radius = canvas._point_size() + 4
    return all(_dark(image, place + QPoint(dx, dy)) for dx, dy in ((radius, 0), (-radius, 0), (0, radius),
                                                                  (0, -radius)))


def _in_view(browser) -> bool:
    index = browser.view.currentIndex()
    return index.isValid() and browser.view.viewport().rect().contains(browser.view.visualRect(index))


def test_the_map_opens_at_a_usable_size_with_its_legend_beside_the_points(open_window, project, qtbot):
    window = open_window(project)
    window.resize(1280, 800)  # the window's default size
    settle(qtbot)
    panel = _map(window, qtbot)
    dock, canvas = window.map.dock, panel.canvas
    central = window.centralWidget().height()
    above = window.properties_dock.minimumSizeHint().height()  # the dock over it keeps what it needs
    qtbot.waitUntil(lambda: dock.width() >= DOCK_WIDTH)
    assert dock.height() >= min(DOCK_HEIGHT_SHARE * central, central - above - 30)
    assert canvas.width() >= DOCK_WIDTH - 10 and canvas.height() >= 220

    card = canvas.legend_rect()
    assert not card.isEmpty() and canvas.legend()[0][0] == "no class"
    half = canvas._point_size() // 2 + 1
    for image_id in canvas.map.ids:
        at = canvas.place_of(int(image_id)).toPoint()
        assert not card.intersects(QRect(at.x() - half, at.y() - half, 2 * half + 1, 2 * half + 1)), image_id
    # what is drawn agrees: the card's pixels are the card's, every point is reached by the pointer where it is drawn
    image = canvas.grab().toImage()
    assert image.pixelColor(card.right() - 2, card.bottom() - 2).lightness() > 240
    for image_id in canvas.map.ids[:5]:
        at = canvas.place_of(int(image_id))
        assert canvas.point_at(at) is not None and (canvas.place_of(canvas.point_at(at)) - at).manhattanLength() <= \
            2 * REACH


def test_the_open_image_is_marked_on_the_map_wherever_it_was_opened(open_window, project, qtbot):
    window = open_window(project)
    panel = _map(window, qtbot)
    canvas, browser = panel.canvas, window.browser
    first = browser.current_id()
    assert first >= 0 and canvas.current_id == first  # the image open when the map opened
    assert _marked_at(canvas, canvas.place_of(first).toPoint())
    assert canvas.legend()[-1] == ("open image", None)

    other = window.store.image_by_path("img_001.jpg").id  # another group, elsewhere on the map
    where = canvas.place_of(other).toPoint()
    clicked = canvas.point_at(where.toPointF())
    qtbot.mouseClick(canvas, Qt.LeftButton, pos=where)
    assert browser.current_id() == clicked == canvas.current_id and window.annotation.image.id == clicked
    assert _marked_at(canvas, canvas.place_of(clicked).toPoint())
    assert not _marked_at(canvas, canvas.place_of(first).toPoint())

    give_focus(qtbot, browser.view)
    qtbot.keyClick(browser.view, Qt.Key_Right)  # the next tile of the browser
    settle(qtbot)
    now = browser.current_id()
    assert now != clicked and canvas.current_id == now == window.annotation.image.id
    assert _marked_at(canvas, canvas.place_of(now).toPoint())


def test_a_lasso_opens_its_first_image_in_view_and_the_chip_clears_the_rings(open_window, project, qtbot):
    window = open_window(project)
    panel = _map(window, qtbot)
    canvas, browser = panel.canvas, window.browser
    opened = window.store.image_by_path("img_000.jpg").id
    assert browser.current_id() == opened
    bar = browser.view.verticalScrollBar()
    give_focus(qtbot, bar)
    qtbot.keyClick(bar, Qt.Key_End)  # the user scrolls the list to its end, the first image stays open
    assert bar.value() == bar.maximum() > 0 and not _in_view(browser)

    group = window.store.image_by_path("img_001.jpg").id  # not the open image's group
    _lasso(qtbot, canvas, canvas.place_of(group).toPoint(), 12)
    listed = browser_ids(browser)
    assert group in listed and opened not in listed and len(listed) == int(canvas.selected.sum()) >= 15
    assert browser.current_id() == listed[0] == window.annotation.image.id == canvas.current_id  # the first opens
    qtbot.waitUntil(lambda: _in_view(browser), timeout=5000)  # scrolled to it

    second = listed[1]  # the user opens another of them, then clears the chip
    browser.select_id(second)
    qtbot.mouseClick(browser.only_button, Qt.LeftButton)
    assert not browser.only_button.isVisible() and len(browser_ids(browser)) == COUNT
    assert not canvas.selected.any()  # the rings went with the selection
    assert browser.current_id() == second == window.annotation.image.id  # still open, still highlighted
    assert browser.view.selectionModel().isSelected(browser.view.currentIndex())
    qtbot.waitUntil(lambda: _in_view(browser), timeout=5000)


def test_a_lasso_around_the_open_image_keeps_it_open(open_window, project, qtbot):
    window = open_window(project)
    panel = _map(window, qtbot)
    browser = window.browser
    opened = window.store.image_by_path("img_030.jpg").id
    browser.select_id(opened)
    _lasso(qtbot, panel.canvas, panel.canvas.place_of(opened).toPoint(), 12)
    assert opened in browser_ids(browser) and browser.current_id() == opened == window.annotation.image.id
    qtbot.waitUntil(lambda: _in_view(browser), timeout=5000)


def test_grey_points_are_named_in_the_legend(open_window, project, qtbot):
    window = open_window(project)
    panel = _map(window, qtbot)
    canvas = panel.canvas
    panel.colour_box.setCurrentIndex(panel.colour_box.findData("split"))  # no image has a split
    assert canvas.names == [] and canvas.legend() == [("no split", NONE_COLOUR), ("open image", None)]
    card = canvas.legend_rect()
    swatch = canvas.grab().toImage().pixelColor(card.left() + 9, card.top() + 7)
    assert (swatch.red(), swatch.green(), swatch.blue()) == NONE_COLOUR  # the grey swatch, drawn
    panel.colour_box.setCurrentIndex(panel.colour_box.findData("label"))
    assert canvas.legend()[0] == ("no class", NONE_COLOUR)
