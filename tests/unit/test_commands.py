from __future__ import annotations

import pytest

from labelstudio_desktop.core.editing.commands import AddBox, Compound, DeleteBox, History, SetImageFields, UpdateBox
from labelstudio_desktop.core.store.store import BoxRecord, Store


@pytest.fixture
def store(tmp_path):
    s = Store.create(tmp_path)
    yield s
    s.close()


def _rows(store):
    return [tuple(r) for r in store.conn.execute(
        "SELECT id, image_id, label, x0, y0, x1, y1, source, state, run_id, method, score, difficult, truncated,"
        " pose, edited FROM boxes ORDER BY id")]


def test_add_update_delete_undo_redo_are_exact(store):
    img = store.add_image("a.png", 1, 1.0, 200, 100, 3)
    h = History(store)
    h.push(AddBox(BoxRecord(0, img, "nut", 10, 20, 50, 60)))
    after_add = _rows(store)
    box_id = after_add[0][0]
    h.push(UpdateBox(store, box_id, x0=11, label="bolt"))
    after_update = _rows(store)
    h.push(DeleteBox(store, box_id))
    assert _rows(store) == []
    h.undo()
    assert _rows(store) == after_update
    h.undo()
    assert _rows(store) == after_add
    h.undo()
    assert _rows(store) == []
    h.redo()
    assert _rows(store) == after_add  # the same id comes back
    h.redo()
    h.redo()
    assert _rows(store) == []


def test_consecutive_drags_of_one_box_merge_into_one_step(store):
    img = store.add_image("a.png", 1, 1.0, 200, 100, 3)
    h = History(store)
    h.push(AddBox(BoxRecord(0, img, "nut", 10, 20, 50, 60)))
    box_id = store.boxes()[0].id
    for x in range(11, 20):
        h.push(UpdateBox(store, box_id, merge_id="drag-1", x0=x))
    h.push(UpdateBox(store, box_id, merge_id="drag-1", y1=70))
    assert len(h.done) == 2
    h.undo()
    assert store.box(box_id).edges == (10, 20, 50, 60)
    h.redo()
    assert store.box(box_id).edges == (19, 20, 50, 70)


def test_drags_of_other_gestures_stay_separate(store):
    img = store.add_image("a.png", 1, 1.0, 200, 100, 3)
    h = History(store)
    h.push(AddBox(BoxRecord(0, img, "nut", 10, 20, 50, 60)))
    box_id = store.boxes()[0].id
    h.push(UpdateBox(store, box_id, merge_id=1, x0=12))
    h.push(UpdateBox(store, box_id, merge_id=2, x0=14))
    h.push(UpdateBox(store, box_id, x0=16))  # no merge id: never merges
    h.push(UpdateBox(store, box_id, x0=18))
    assert len(h.done) == 5


def test_image_fields_undo_restores_previous_values(store):
    img = store.add_image("a.png", 1, 1.0, 200, 100, 3, label="nut", split="train")
    h = History(store)
    h.push(SetImageFields(store, img, label="bolt", value=3.5, status="verified"))
    assert (store.image(img).label, store.image(img).value, store.image(img).status) == ("bolt", 3.5, "verified")
    h.undo()
    assert (store.image(img).label, store.image(img).value, store.image(img).status) == ("nut", None, "unverified")


def test_compound_is_one_step(store):
    img = store.add_image("a.png", 1, 1.0, 200, 100, 3)
    h = History(store)
    h.push(Compound("copy boxes", [AddBox(BoxRecord(0, img, "nut", 1, 1, 5, 5)),
                                   AddBox(BoxRecord(0, img, "bolt", 2, 2, 9, 9))]))
    assert len(store.boxes()) == 2
    h.undo()
    assert store.boxes() == []
    h.redo()
    assert sorted(b.label for b in store.boxes()) == ["bolt", "nut"]


def test_a_new_edit_clears_redo(store):
    img = store.add_image("a.png", 1, 1.0, 200, 100, 3)
    h = History(store)
    h.push(SetImageFields(store, img, label="a"))
    h.undo()
    h.push(SetImageFields(store, img, label="b"))
    assert h.redo() is None
    assert store.image(img).label == "b"
