"""Every box format round-trips through the project (ours -> ours) with identical boxes, labels and splits, and
what each exports is read by the reader it is for (tests/strict_readers.py; pycocotools itself for COCO)."""

from __future__ import annotations

import json
from pathlib import PurePosixPath

import numpy as np
import pytest
from helpers import write_image
from strict_readers import (
    datumaro_labelmap,
    keras_yolo3_training_boxes,
    labelimg_yolo_boxes,
    labelme_shapes,
    ultralytics_labels,
)

from labelstudio_desktop.core.editing.class_list import class_names, object_class_names
from labelstudio_desktop.core.formats.voc import export_voc
from labelstudio_desktop.core.store.masks import decode_mask, encode_mask
from labelstudio_desktop.core.store.store import BoxRecord, Store
from labelstudio_desktop.core.transfer.export_formats import export_more
from labelstudio_desktop.core.transfer.importer import import_folder

SPLIT_OF = {"a": "train", "b": "val", "c": "test", "d": "train"}


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "p"
    for k, name in enumerate(SPLIT_OF):
        write_image(root / f"{name}.jpg", 100, 80, seed=k)
    store = Store.create(root)
    import_folder(store)
    ids = {PurePosixPath(i.path).stem: i.id for i in store.images()}
    store.insert_box(BoxRecord(0, ids["a"], "nut", 10, 20, 40, 60))
    store.insert_box(BoxRecord(0, ids["a"], "bolt", 0, 0, 100, 80))
    store.insert_box(BoxRecord(0, ids["b"], "washer", 50, 5, 51, 6))
    store.insert_box(BoxRecord(0, ids["c"], "nut", 1, 2, 99, 79))
    mask = np.zeros((80, 100), np.uint8)
    mask[30:50, 60:90] = 1
    mask[35:40, 70:75] = 0  # a hole: RLE keeps it
    store.add_mask(ids["b"], "nut", encode_mask(mask))
    for name, split in SPLIT_OF.items():
        store.update_image_fields(ids[name], {"split": split})
    store.update_image_fields(ids["d"], {"status": "verified"})  # a verified negative
    yield store
    store.close()


def _summary(store: Store, with_splits: bool = True) -> dict:
    return {PurePosixPath(i.path).stem: (i.split if with_splits else None,
                                         sorted((b.label, b.edges) for b in store.boxes(i.id)))
            for i in store.images()}


def _import_back(folder, tmp_path, **kw) -> Store:
    store = Store.create(folder, tmp_path / "back.db")
    import_folder(store, **kw)
    return store


@pytest.mark.parametrize("fmt, kw, splits", [
    ("voc", {"layout": "vocdevkit"}, True), ("yolo", {}, True), ("coco", {}, True),
    ("coco", {"mask_format": "polygons"}, True), ("labelme", {}, False)])
def test_ours_to_ours(project, tmp_path, fmt, kw, splits):
    out = tmp_path / "out"
    if fmt == "voc":
        export_voc(project, out, **kw)
    else:
        export_more(project, out, fmt, **kw)
    back = _import_back(out, tmp_path)
    assert _summary(back, splits) == _summary(project, splits)
    if fmt in ("coco", "labelme"):
        b = next(i for i in back.images() if PurePosixPath(i.path).stem == "b")
        (row,) = back.masks(b.id)
        original = decode_mask(project.masks(project.image_by_path("b.jpg").id)[0]["png"], 100, 80)
        got = decode_mask(row["png"], 100, 80)
        if kw.get("mask_format") == "polygons" or fmt == "labelme":  # outlines: the hole is filled, the rest exact
            assert (got[original == 1] == 1).all() and int((got != original).sum()) == 25
        else:
            assert (got == original).all()
    back.close()


def test_yolo_export_is_what_ultralytics_and_labelimg_read(project, tmp_path):
    export_more(project, tmp_path / "y", "yolo")
    labels = ultralytics_labels(tmp_path / "y" / "data.yaml")
    assert sorted(labels) == ["test", "train", "val"]
    assert sorted(labels["train"]) == ["a.jpg", "d.jpg"] and labels["train"]["d.jpg"].shape == (0, 5)
    names = class_names(project)
    nut = labels["train"]["a.jpg"][0]
    # VOC 11,21,40,60 covers pixels 10..39 x 20..59: cx = (10 + 40) / 2, w = 40 - 10 (the common convention)
    assert int(nut[0]) == names.index("nut") and np.allclose(nut[1:] * [100, 80, 100, 80], [25, 40, 30, 40])
    boxes = labelimg_yolo_boxes(tmp_path / "y" / "labels" / "train" / "a.txt", 100, 80)
    assert ("nut", 10, 20, 40, 60) in boxes  # labelImg's corner points: the box's edges


def test_every_yolo_line_is_the_common_convention_and_labelimg_reads_the_edges_exactly(project, tmp_path):
    """formats/yolo.py: ``cx = (x0 + x1) / 2``, ``w = x1 - x0`` in pixels of a box covering ``x0 .. x1 - 1``, on every
    box of every split; labelImg's reader, taking ``cx -+ w / 2`` as corners, gets the edges back."""
    export_more(project, tmp_path / "y", "yolo")
    for img in project.images():
        label = tmp_path / "y" / "labels" / (img.split or "train") / f"{PurePosixPath(img.path).stem}.txt"
        got = sorted(labelimg_yolo_boxes(label, img.width, img.height))
        assert got == sorted((b.label, b.x0, b.y0, b.x1, b.y1) for b in project.boxes(img.id))
        for line, b in zip(label.read_text().splitlines(), project.boxes(img.id), strict=True):
            common = [(b.x0 + b.x1) / 2, (b.y0 + b.y1) / 2, b.x1 - b.x0, b.y1 - b.y0]
            values = [float(v) for v in line.split()[1:]]
            assert np.allclose(np.multiply(values, [img.width, img.height] * 2), common, atol=1e-4)


def test_a_yolo_file_written_the_common_way_round_trips_unchanged(tmp_path):
    """A label file as CVAT, Roboflow or Label Studio write it (continuous centre and size of boxes covering whole
    pixels) imports at those pixels and exports to the same numbers; YOLO -> VOC -> YOLO is exact too."""
    root = tmp_path / "given"
    write_image(root / "images" / "train" / "a.jpg", 97, 61, seed=3)
    edges = [(0, 0, 97, 61), (13, 7, 14, 8), (5, 11, 60, 40), (90, 50, 97, 61)]
    lines = [f"0 {(x0 + x1) / 2 / 97:.6f} {(y0 + y1) / 2 / 61:.6f} {(x1 - x0) / 97:.6f} {(y1 - y0) / 61:.6f}"
             for x0, y0, x1, y1 in edges]
    (root / "labels" / "train").mkdir(parents=True)
    (root / "labels" / "train" / "a.txt").write_text("\n".join(lines) + "\n")
    (root / "data.yaml").write_text("train: images/train\nval: images/train\nnames: [cell]\n")
    given = _import_back(root, tmp_path)
    (image,) = given.images()
    assert sorted(b.edges for b in given.boxes(image.id)) == sorted(edges)
    export_more(given, tmp_path / "again", "yolo")
    assert (tmp_path / "again" / "labels" / "train" / "a.txt").read_text().splitlines() == lines
    export_voc(given, tmp_path / "voc", layout="vocdevkit")
    back = Store.create(tmp_path / "voc", tmp_path / "voc.db")
    import_folder(back)
    (image,) = back.images()
    assert sorted(b.edges for b in back.boxes(image.id)) == sorted(edges)
    export_more(back, tmp_path / "from-voc", "yolo")
    assert (tmp_path / "from-voc" / "labels" / "train" / "a.txt").read_text().splitlines() == lines
    for store in (given, back):
        store.close()


def test_yolov3_lines_are_what_keras_yolo3_trains_on(project, tmp_path):
    export_more(project, tmp_path / "k", "yolov3")
    names = (tmp_path / "k" / "classes.txt").read_text().split()
    (line,) = [x for x in (tmp_path / "k" / "train.txt").read_text().splitlines() if "a.jpg" in x]
    size, box = keras_yolo3_training_boxes(line)
    assert size == (100, 80) and box.tolist() == [[11, 21, 40, 60, names.index("nut")],
                                                   [1, 1, 100, 80, names.index("bolt")]]
    assert len((tmp_path / "k" / "test.txt").read_text().splitlines()) == 1  # test images no longer in train


def test_coco_export_loads_in_pycocotools(project, tmp_path):
    from pycocotools.coco import COCO

    export_more(project, tmp_path / "c", "coco")
    val = COCO(str(tmp_path / "c" / "annotations" / "instances_val.json"))
    (image_id,) = val.getImgIds()
    anns = val.loadAnns(val.getAnnIds(imgIds=[image_id]))
    cats = {c["id"]: c["name"] for c in val.loadCats(val.getCatIds())}
    assert list(cats.values()) == class_names(project)
    box = next(a for a in anns if not a["segmentation"])
    assert (cats[box["category_id"]], box["bbox"]) == ("washer", [50, 5, 1, 1])
    mask_ann = next(a for a in anns if a["segmentation"])
    original = decode_mask(project.masks(project.image_by_path("b.jpg").id)[0]["png"], 100, 80)
    assert (val.annToMask(mask_ann) == original).all()
    export_more(project, tmp_path / "cp", "coco", mask_format="polygons")
    poly = COCO(str(tmp_path / "cp" / "annotations" / "instances_val.json"))
    filled = original.copy()
    filled[35:40, 70:75] = 1
    assert (poly.annToMask(poly.loadAnns(poly.getAnnIds(imgIds=[1]))[1]) == filled).all()


def test_labelme_export_is_what_labelme_loads(project, tmp_path):
    export_more(project, tmp_path / "l", "labelme")
    image, shapes = labelme_shapes(tmp_path / "l" / "a.json")
    assert image.is_file() and ("nut", "rectangle", [[10, 20], [40, 60]]) in shapes
    assert json.loads((tmp_path / "l" / "d.json").read_text())["shapes"] == []  # the verified negative


def test_vocdevkit_labelmap_is_what_datumaro_reads(project, tmp_path):
    export_voc(project, tmp_path / "v", layout="vocdevkit")
    labelmap = datumaro_labelmap(tmp_path / "v" / "VOCdevkit" / "VOC2007" / "labelmap.txt")
    assert list(labelmap) == ["background", *object_class_names(project)]
