"""Re-import reads annotation files added or changed since (size, mtime), refreshes the boxes of images nobody
reviewed, and reports a conflict instead of touching reviewed work."""

from __future__ import annotations

import json
import os

from helpers import write_image
from test_import_formats import H, W, _voc

from labelstudio_desktop.core.editing.commands import History, UpdateBox
from labelstudio_desktop.core.store.store import Store
from labelstudio_desktop.core.transfer.importer import import_folder


def _touch_later(path):
    st = path.stat()
    os.utime(path, (st.st_atime + 10, st.st_mtime + 10))


def _labels(store, rel):
    return [(b.label, b.edges) for b in store.boxes(store.image_by_path(rel).id)]


def test_an_xml_added_after_the_first_import_is_read(tmp_path):
    write_image(tmp_path / "a.jpg", W, H)
    store = Store.create(tmp_path)
    assert import_folder(store).format == "flat"
    (tmp_path / "a.xml").write_text(_voc("a.jpg", [("nut", 1, 1, 10, 10)]))
    report = import_folder(store)
    assert report.unchanged == 1 and report.boxes == 1 and _labels(store, "a.jpg") == [("nut", (0, 0, 10, 10))]
    again = import_folder(store)
    assert again.boxes == 0 and again.annotations.read == 0 and len(store.boxes()) == 1
    store.close()


def test_a_changed_xml_refreshes_unreviewed_boxes_and_never_reviewed_ones(tmp_path):
    for name in ("a", "b", "c"):
        write_image(tmp_path / f"{name}.jpg", W, H)
        (tmp_path / f"{name}.xml").write_text(_voc(f"{name}.jpg", [("nut", 1, 1, 10, 10)]))
    store = Store.create(tmp_path)
    import_folder(store)
    store.update_image_fields(store.image_by_path("b.jpg").id, {"status": "verified"})
    box_c = store.boxes(store.image_by_path("c.jpg").id)[0]
    History(store).push(UpdateBox(store, box_c.id, x0=2, y0=2, x1=12, y1=12))
    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.xml").write_text(_voc(f"{name}.jpg", [("bolt", 5, 5, 30, 30)]))
        _touch_later(tmp_path / f"{name}.xml")
    report = import_folder(store)
    assert _labels(store, "a.jpg") == [("bolt", (4, 4, 30, 30))]
    assert _labels(store, "b.jpg") == [("nut", (0, 0, 10, 10))]
    assert _labels(store, "c.jpg") == [("nut", (2, 2, 12, 12))]
    conflicts = [p for p in report.problems if p.reason.startswith("conflict")]
    assert {p.path for p in conflicts} == {"b.jpg", "c.jpg"}
    assert "verified" in next(p.reason for p in conflicts if p.path == "b.jpg")
    assert report.annotations.refreshed == 1 and report.annotations.conflicts == 2
    assert import_folder(store).annotations.conflicts == 2  # still reported until resolved
    store.close()


def test_one_image_of_a_changed_coco_file(tmp_path):
    write_image(tmp_path / "a.jpg", W, H)
    write_image(tmp_path / "b.jpg", W, H)

    def coco(b_box):
        return json.dumps({"images": [{"id": 1, "file_name": "a.jpg", "width": W, "height": H},
                                      {"id": 2, "file_name": "b.jpg", "width": W, "height": H}],
                           "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 1, 5, 5]},
                                           {"id": 2, "image_id": 2, "category_id": 1, "bbox": b_box}],
                           "categories": [{"id": 1, "name": "nut"}]})
    (tmp_path / "coco.json").write_text(coco([2, 2, 5, 5]))
    store = Store.create(tmp_path)
    import_folder(store)
    a_box = store.boxes(store.image_by_path("a.jpg").id)[0].id
    (tmp_path / "coco.json").write_text(coco([3, 3, 10, 10]))
    _touch_later(tmp_path / "coco.json")
    report = import_folder(store)
    assert report.annotations.refreshed == 1 and report.annotations.conflicts == 0
    assert store.boxes(store.image_by_path("a.jpg").id)[0].id == a_box  # untouched
    assert _labels(store, "b.jpg") == [("nut", (3, 3, 13, 13))]
    store.close()
