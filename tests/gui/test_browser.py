"""The image browser model: 10,000 rows without decoding, filters, sort."""

from __future__ import annotations

import pytest

from labelstudio_desktop.core.store import BoxRecord, Store
from labelstudio_desktop.gui.browser import ImageFilterModel, ImageListModel


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
    proxy = ImageFilterModel()
    proxy.setSourceModel(model)
    return model, proxy


def test_ten_thousand_rows_without_any_image_file(big_store, qtbot):
    # none of the 10,000 files exists: any decode would fail, so answering proves there was none
    model = ImageListModel(big_store, loader=None)
    assert model.rowCount() == 10000
    names = [model.data(model.index(i)) for i in range(model.rowCount())]
    assert names[0] == "img_00000.jpg" and len(set(names)) == 10000
    assert model.rows[model.row_of[1]].boxes == 1 and model.rows[model.row_of[2]].pending == 1


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
    first = model.rows[proxy.mapToSource(proxy.index(0, 0)).row()]
    assert first.path == "d9/img_09999.jpg"  # the oldest mtime
    proxy.set_sort_key("size")
    assert model.rows[proxy.mapToSource(proxy.index(0, 0)).row()].path == "d0/img_00000.jpg"


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
    assert model.rows[model.row_of[7]].label == "bird"
