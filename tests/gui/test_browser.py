"""The image browser: 10,000 rows without decoding, filters, natural sort, names elided so they stay apart."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication, QListView

from labelstudio_desktop.core.store.store import BoxRecord, Store
from labelstudio_desktop.gui.browser import BrowserPanel, ImageIdRole, ImageListModel, natural_key
from labelstudio_desktop.gui.image_tiles import TILE_WIDTH, elide_name, split_name


@pytest.fixture
def big_store(tmp_path):
    store = Store.create(tmp_path)
    with store.transaction() as c:
        c.executemany(
            "INSERT INTO images(path, size, mtime, width, height, channels, label, split, status, warnings, added_at)"
            " VALUES(?,?,?,?,?,?,?,?,?,?,0)",
            [(f"d{i % 10}/img_{i:05d}.jpg", 1000 + i, float(10000 - i), 640, 480, 3, ("cat", "dog")[i % 2],
              ("train", "val", "test", None)[i % 4], "verified" if i % 3 == 0 else "unverified",
              '["truncated"]' if i % 100 == 0 else "[]") for i in range(10000)])
    store.insert_box(BoxRecord(0, 1, "cat", 0, 0, 5, 5))
    store.insert_box(BoxRecord(0, 2, "cat", 0, 0, 5, 5, source="proposal", state="pending"))
    yield store
    store.close()


def _filtered(store):
    model = ImageListModel(store, loader=None)
    return model, model


def _row(model, image_id):
    return model.row(model.row_of(image_id))


def test_ten_thousand_rows_without_any_image_file(big_store, qtbot):
    # none of the 10,000 files exists: any decode would fail, so answering proves there was none
    model = ImageListModel(big_store, loader=None)
    assert model.rowCount() == 10000
    names = [model.data(model.index(i)) for i in range(model.rowCount())]
    assert names[0] == "img_00000.jpg" and len(set(names)) == 10000
    assert _row(model, 1).boxes == 1 and _row(model, 2).pending == 1


def test_filters_and_sort(big_store, qtbot):
    model, proxy = _filtered(big_store)
    assert proxy.rowCount() == 10000
    proxy.set_filter(label="dog")
    assert proxy.rowCount() == 5000
    proxy.set_filter(split="")  # images without a split
    assert proxy.rowCount() == 2500
    proxy.set_filter(label=None, split=None, status="verified")
    assert proxy.rowCount() == 3334
    proxy.set_filter(status=None, flag="warnings")
    assert proxy.rowCount() == 100
    proxy.set_filter(flag="boxes")
    assert proxy.rowCount() == 1
    proxy.set_filter(flag="pending")
    assert proxy.rowCount() == 1
    proxy.set_filter(flag=None, text="img_0999")
    assert proxy.rowCount() == 10
    proxy.set_filter(text="")
    proxy.set_sort_key("date")
    first = model.row(0)
    assert first.path == "d9/img_09999.jpg"  # the oldest mtime
    proxy.set_sort_key("size")
    assert model.row(0).path == "d0/img_00000.jpg"


def test_excluded_images_only_under_their_filter(big_store, qtbot):
    big_store.update_image_fields(5, {"excluded": True})
    _, proxy = _filtered(big_store)
    assert proxy.rowCount() == 9999
    proxy.set_filter(flag="excluded")
    assert proxy.rowCount() == 1


def test_refresh_one_row(big_store, qtbot):
    model = ImageListModel(big_store, loader=None)
    big_store.update_image_fields(7, {"label": "bird"})
    model.refresh(7)
    assert _row(model, 7).label == "bird"


def test_pending_counts_box_and_mask_proposals(big_store, qtbot):
    """The pending badge, the 'pending proposals' filter and N see mask proposals as well as box proposals."""
    big_store.add_mask(7, "cat", b"png", source="proposal", state="pending")
    big_store.add_mask(7, "cat", b"png")  # accepted: not pending
    model = ImageListModel(big_store, loader=None)
    assert _row(model, 7).pending == 1 and _row(model, 2).pending == 1
    assert _row(model, 1).pending == 0


# ------------------------------------------------------------------ natural order and names that stay apart
def _named_store(tmp_path, rows):
    """A store of (name, size, mtime) rows; no file exists (the browser never decodes to list)."""
    store = Store.create(tmp_path)
    with store.transaction() as c:
        c.executemany(
            "INSERT INTO images(path, size, mtime, width, height, channels, status, warnings, added_at)"
            " VALUES(?,?,?,640,480,3,'unverified','[]',0)", rows)
    return store


def _shown_names(panel):
    return [panel.model.index(r, 0).data() for r in range(panel.model.rowCount())]


def test_natural_order_by_name_and_as_the_tie_breaker(tmp_path, qtbot):
    store = _named_store(tmp_path, [
        ("raccoon-10.jpg", 2, 5.0), ("Raccoon-2.jpg", 1, 5.0), ("raccoon-100.jpg", 1, 5.0), ("ant-7.jpg", 2, 5.0),
        ("raccoon-1.jpg", 2, 9.0), ("raccoon-20.jpg", 1, 9.0)])
    panel = BrowserPanel(store, None)
    qtbot.addWidget(panel)
    panel.show()
    assert _shown_names(panel) == ["ant-7.jpg", "raccoon-1.jpg", "Raccoon-2.jpg", "raccoon-10.jpg",
                                   "raccoon-20.jpg", "raccoon-100.jpg"]
    panel.sort_box.setFocus()
    qtbot.keyClick(panel.sort_box, Qt.Key_Down)  # sort by date: ties in natural name order
    assert panel.sort_box.currentData() == "date"
    assert _shown_names(panel) == ["ant-7.jpg", "Raccoon-2.jpg", "raccoon-10.jpg", "raccoon-100.jpg",
                                   "raccoon-1.jpg", "raccoon-20.jpg"]
    qtbot.keyClick(panel.sort_box, Qt.Key_Down)  # sort by size
    assert _shown_names(panel) == ["Raccoon-2.jpg", "raccoon-20.jpg", "raccoon-100.jpg", "ant-7.jpg",
                                   "raccoon-1.jpg", "raccoon-10.jpg"]
    store.close()


def test_natural_key():
    names = ["img10.png", "IMG9.png", "img9b.png", "img_2.png", "img010.png", "10.png", "9.png", "a.png"]
    assert sorted(names, key=natural_key) == ["9.png", "10.png", "a.png", "IMG9.png", "img9b.png", "img10.png",
                                              "img010.png", "img_2.png"]


PAIRS = [  # two names, and the narrowest text that tells them apart
    ("raccoon_in_the_garden-100.jpg", "raccoon_in_the_garden-200.jpg", "…100.jpg"),
    ("scan_0001_final_version.png", "scan_0002_final_version.png", "…0001….png"),
    ("holiday_photo_left.jpeg", "holiday_photo_right.jpeg", "…ft.jpeg"),
]


def test_elided_names_stay_apart(qtbot):
    metrics = QFontMetrics(QApplication.font())
    grid_width = TILE_WIDTH  # a grid tile's name strip
    a, b, _ = PAIRS[0]
    # what the grid showed before: the same text for both
    assert metrics.elidedText(a, Qt.ElideMiddle, grid_width) == metrics.elidedText(b, Qt.ElideMiddle, grid_width)
    shown = elide_name(a, metrics, grid_width)
    assert shown.endswith("-100.jpg") and "…" in shown and shown != elide_name(b, metrics, grid_width)
    for a, b, narrowest in PAIRS:
        assert elide_name(a, metrics, metrics.horizontalAdvance(a)) == a  # what fits is left alone
        ext = split_name(a)[1]
        for width in range(metrics.horizontalAdvance(narrowest), metrics.horizontalAdvance(a)):
            ea, eb = elide_name(a, metrics, width), elide_name(b, metrics, width)
            assert ea != eb, (a, width)
            assert metrics.horizontalAdvance(ea) <= width and metrics.horizontalAdvance(eb) <= width
            assert ea.endswith(ext) and "…" in ea
    # too narrow even for the number: the end of the name, as much as fits
    tiny = elide_name(PAIRS[0][0], metrics, metrics.horizontalAdvance("…0.jpg"))
    assert tiny.startswith("…") and tiny.endswith(".jpg")


def test_grid_and_list_paint_such_names_differently(tmp_path, qtbot):
    a, b, _ = PAIRS[0]
    store = _named_store(tmp_path, [(a, 1, 1.0), (b, 1, 1.0)])
    panel = BrowserPanel(store, None)
    qtbot.addWidget(panel)
    panel.resize(260, 300)
    panel.show()
    qtbot.waitExposed(panel)

    def tiles():
        view = panel.view
        shot = view.viewport().grab().toImage()
        first, second = (view.visualRect(panel.model.index(r, 0)) for r in range(2))
        assert first.size() == second.size() and not first.intersects(second)
        return shot.copy(first), shot.copy(second)

    first, second = tiles()
    assert first != second  # grid: only the names differ, and they are painted differently
    qtbot.mouseClick(panel.mode_button, Qt.LeftButton)
    assert panel.view.viewMode() == QListView.ListMode
    first, second = tiles()
    assert first != second
    store.close()


def test_far_current_row_stays_in_view_over_a_reload(big_store, qtbot):
    # 10,000 rows are laid out in batches: a reload must scroll to the current row once it is placed
    panel = BrowserPanel(big_store, None)
    qtbot.addWidget(panel)
    panel.resize(330, 600)
    panel.show()
    qtbot.waitExposed(panel)
    view = panel.view
    last = panel.model.index(panel.model.rowCount() - 1, 0).data(ImageIdRole)
    assert panel.select_id(last)  # as "show this image" from the training or duplicates windows does

    def in_view():
        return view.currentIndex().data(ImageIdRole) == last and \
            view.viewport().rect().contains(view.visualRect(view.currentIndex()))

    qtbot.waitUntil(in_view)
    panel.model.reload()
    assert panel.current_id() == last
    qtbot.waitUntil(in_view)
