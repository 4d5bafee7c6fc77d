"""Class ids agree across box and mask exports: the project's class list, object classes only (issue 12 items 1-2)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import yaml
from helpers import write_image
from mask_files import square
from PIL import Image
from strict_readers import labelimg_yolo_boxes, ultralytics_labels

from labelstudio_desktop.core.editing.class_list import object_class_names, reorder_classes
from labelstudio_desktop.core.formats.masks import export_masks, parse_labelmap
from labelstudio_desktop.core.store.masks import encode_mask
from labelstudio_desktop.core.store.store import BoxRecord, Store
from labelstudio_desktop.core.transfer.export_formats import export_more
from labelstudio_desktop.core.transfer.importer import import_folder


@pytest.fixture
def project(tmp_path):
    """Images classed good/bad (a classifier's classes) with boxes of bolt and nut, and a nut mask."""
    root = tmp_path / "p"
    for name in ("good/a.jpg", "bad/b.jpg"):
        write_image(root / name, seed=len(name))
    store = Store.create(root)
    import_folder(store, fmt="classes")
    a = store.image_by_path("good/a.jpg").id
    store.insert_box(BoxRecord(0, a, "nut", 20, 10, 40, 30))
    store.insert_box(BoxRecord(0, a, "bolt", 2, 2, 12, 12))
    store.add_mask(a, "nut", encode_mask(square(box=(20, 10, 40, 30))))
    yield store
    store.close()


def test_mask_indices_follow_the_class_list_like_the_box_exports(project, tmp_path):
    reorder_classes(project, ["bolt", "bad", "nut", "good"])
    export_masks(project, tmp_path / "m")
    export_more(project, tmp_path / "y", "yolo")
    export_more(project, tmp_path / "c", "coco")
    labelmap = parse_labelmap((tmp_path / "m" / "labelmap.txt").read_text()).names
    names = yaml.safe_load((tmp_path / "y" / "data.yaml").read_text())["names"]
    coco = json.loads((tmp_path / "c" / "annotations" / "instances_train.json").read_text())
    categories = {c["name"]: c["id"] for c in coco["categories"]}
    assert labelmap == ["background", "bolt", "nut"]  # the class list's object classes, not the mask classes alone
    assert names == {0: "bolt", 1: "nut"}
    assert categories == {"bolt": 1, "nut": 2}
    index = np.asarray(Image.open(tmp_path / "m" / "SegmentationClass" / "a.png"))
    assert index[20, 30] == categories["nut"] == labelmap.index("nut")
    yolo_ids = {line.split()[0] for line in (tmp_path / "y" / "labels" / "train" / "a.txt").read_text().splitlines()}
    assert yolo_ids == {"0", "1"}


def test_image_classes_take_no_ids_and_object_ids_stay_put(project, tmp_path):
    assert object_class_names(project) == ["bolt", "nut"]  # good and bad are whole-image classes
    export_more(project, tmp_path / "before", "yolo")
    nut = [b for b in project.boxes() if b.label == "nut"]
    for box in nut:
        project.delete_box(box.id)
    project.conn.execute("DELETE FROM masks")
    project.conn.commit()
    export_more(project, tmp_path / "after", "yolo")  # nut has lost its last box and mask: it keeps id 1
    before = yaml.safe_load((tmp_path / "before" / "data.yaml").read_text())["names"]
    after = yaml.safe_load((tmp_path / "after" / "data.yaml").read_text())["names"]
    assert before == after == {0: "bolt", 1: "nut"}
    labels = (tmp_path / "after" / "labels" / "classes.txt")
    assert not labels.exists()
    assert (tmp_path / "after" / "labels" / "train" / "classes.txt").read_text() == "bolt\nnut\n"


def test_a_class_used_for_images_and_boxes_is_an_object_class(project):
    b = project.image_by_path("bad/b.jpg").id
    project.insert_box(BoxRecord(0, b, "bad", 1, 1, 9, 9))
    assert object_class_names(project) == ["bad", "bolt", "nut"]


def test_a_label_with_a_line_break_does_not_shift_yolo_ids(project, tmp_path):
    """Issue 13 item 16 (YOLO part): classes.txt holds one name a line, whatever the labels hold."""
    a = project.image_by_path("good/a.jpg").id
    project.insert_box(BoxRecord(0, a, "hex\nnut", 5, 5, 15, 15))
    project.insert_box(BoxRecord(0, a, "zinc\u2028plate ", 30, 5, 50, 15))
    project.insert_box(BoxRecord(0, a, "zz", 30, 20, 50, 40))
    report = export_more(project, tmp_path / "y", "yolo")
    assert any("hex\\nnut" in text and "'hex_nut'" in text for _where, text in report.problems)
    labels = tmp_path / "y" / "labels" / "train"
    names = (labels / "classes.txt").read_text().split("\n")[:-1]
    assert names == ["bolt", "hex_nut", "nut", "zinc_plate", "zz"]
    assert yaml.safe_load((tmp_path / "y" / "data.yaml").read_text())["names"] == dict(enumerate(names))
    assert ("zz", 30, 20, 50, 40) in labelimg_yolo_boxes(labels / "a.txt", 64, 48)
    ultralytics = ultralytics_labels(tmp_path / "y" / "data.yaml")["train"]["a.jpg"]
    assert sorted(names[int(row[0])] for row in ultralytics) == ["bolt", "hex_nut", "nut", "zinc_plate", "zz"]
    export_more(project, tmp_path / "k", "yolov3")
    with open(tmp_path / "k" / "classes.txt") as f:  # keras-yolo3's get_classes
        assert [c.strip() for c in f.readlines()] == names
