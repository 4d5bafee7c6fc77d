"""The project's class list: ordered, stable ids, recorded from imports, editable."""

from __future__ import annotations

import pytest
from helpers import write_image

from labelstudio_desktop.core.editing.class_list import (
    add_class,
    class_names,
    project_classes,
    rename_class,
    reorder_classes,
)
from labelstudio_desktop.core.store.store import BoxRecord, Store, StoreError
from labelstudio_desktop.core.transfer.importer import import_folder


@pytest.fixture
def store(tmp_path):
    write_image(tmp_path / "a.jpg", 40, 30)
    (tmp_path / "classes.txt").write_text("zebra\napple\n")
    (tmp_path / "a.txt").write_text("1 0.5 0.5 0.2 0.2\n")
    s = Store.create(tmp_path)
    import_folder(s)
    yield s
    s.close()


def test_imported_order_then_labels_in_use_alphabetically(store):
    image = store.image_by_path("a.jpg")
    store.insert_box(BoxRecord(0, image.id, "mango", 1, 1, 5, 5))
    store.insert_box(BoxRecord(0, image.id, "kiwi", 1, 1, 5, 5, source="proposal", state="pending"))
    assert class_names(store) == ["zebra", "apple", "kiwi", "mango"]
    for box in store.boxes(image.id):
        if box.label == "kiwi":
            store.delete_box(box.id)
    assert class_names(store) == ["zebra", "apple", "kiwi", "mango"]  # a class keeps its id without boxes


def test_add_rename_reorder_keep_ids(store):
    ids = {c.name: c.id for c in project_classes(store)}
    add_class(store, "pear")
    rename_class(store, "apple", "apfel")
    assert [b.label for b in store.boxes()] == ["apfel"]
    renamed = {c.name: c.id for c in project_classes(store)}
    assert renamed["apfel"] == ids["apple"] and renamed["zebra"] == ids["zebra"]
    reorder_classes(store, ["pear", "apfel", "zebra"])
    assert [(c.name, c.position) for c in project_classes(store)] == [("pear", 0), ("apfel", 1), ("zebra", 2)]
    with pytest.raises(StoreError):
        reorder_classes(store, ["pear"])
    rename_class(store, "zebra", "pear")  # merge
    assert class_names(store) == ["pear", "apfel"]
