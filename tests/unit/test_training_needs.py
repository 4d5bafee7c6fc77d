"""Every training precondition is one plain sentence that says what is missing and how to add it."""

from __future__ import annotations

import pytest
from helpers import write_image
from mask_files import square

from labelstudio_desktop.core.editing.training_needs import missing_training_data
from labelstudio_desktop.core.store.masks import encode_mask
from labelstudio_desktop.core.store.store import BoxRecord, Store
from labelstudio_desktop.core.transfer.importer import import_folder


@pytest.fixture
def store(tmp_path):
    for name in ("a.jpg", "b.jpg"):
        write_image(tmp_path / name, seed=ord(name[0]))
    s = Store.create(tmp_path)
    import_folder(s)
    yield s
    s.close()


def test_an_empty_project_names_what_each_task_needs(store):
    messages = {task: missing_training_data(store, task) for task in ("classify", "regress", "segment", "detect")}
    assert "no images with a class" in messages["classify"]
    assert "no images with a numeric value" in messages["regress"]
    assert messages["segment"].startswith("no masks to train the U-Net on") and "--masks DIR" in messages["segment"]
    assert "paint masks in the app" in messages["segment"]
    assert messages["detect"].startswith("no accepted boxes") and "--annotations DIR" in messages["detect"]
    assert all("\n" not in m for m in messages.values())


def test_what_is_there_but_not_enough(store):
    a, b = (img.id for img in store.images())
    store.update_image_fields(a, {"label": "cat", "value": 2.0})
    assert "at least two classes (found only 'cat')" in missing_training_data(store, "classify")
    assert missing_training_data(store, "regress") is None
    store.update_image_fields(b, {"label": "dog"})
    assert missing_training_data(store, "classify") is None
    store.add_mask(a, "cat", encode_mask(square()), source="proposal", state="pending")
    assert "only 1 pending mask proposal(s)" in missing_training_data(store, "segment")
    store.add_mask(b, "dog", encode_mask(square()))
    assert missing_training_data(store, "segment") is None
    store.insert_box(BoxRecord(0, a, "cat", 1, 1, 5, 5, source="proposal", state="pending"))
    assert missing_training_data(store, "detect") is not None
    store.insert_box(BoxRecord(0, a, "cat", 1, 1, 5, 5))
    assert missing_training_data(store, "detect") is None
    store.update_image_fields(a, {"excluded": True})  # an excluded image's annotations do not count
    assert missing_training_data(store, "detect") is not None
