"""YOLOv3-keras, YOLO, mask PNGs, crops and augmented copies on a hand-checked project."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from labelstudio_desktop.core.formats.writing import ExportError
from labelstudio_desktop.core.store.masks import encode_mask
from labelstudio_desktop.core.store.store import BoxRecord, Store
from labelstudio_desktop.core.transfer.export_formats import export_more
from labelstudio_desktop.core.transfer.importer import import_folder


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "p"
    root.mkdir()
    arr = np.full((50, 100, 3), 40, np.uint8)
    arr[10:30, 20:60] = 250  # the object
    Image.fromarray(arr).save(root / "a.png")
    Image.fromarray(np.full((40, 40, 3), 90, np.uint8)).save(root / "b.jpg")
    store = Store.create(root)
    import_folder(store)
    a = store.image_by_path("a.png").id
    store.insert_box(BoxRecord(0, a, "nut", 20, 10, 60, 30))
    store.insert_box(BoxRecord(0, a, "bolt", 0, 0, 10, 10))
    store.insert_box(BoxRecord(0, a, "nut", 1, 1, 5, 5, source="proposal", state="pending"))
    mask = np.zeros((50, 100), np.uint8)
    mask[10:30, 20:60] = 1
    store.add_mask(a, "nut", encode_mask(mask))
    yield store
    store.close()


def test_yolov3_lines_per_split(project, tmp_path):
    a = project.image_by_path("a.png").id
    project.insert_box(BoxRecord(0, a, "nut", 2, 2, 4, 4, difficult=True))
    report = export_more(project, tmp_path / "y3", "yolov3")
    out = tmp_path / "y3"
    lines = (out / "train.txt").read_text().splitlines()
    # upright JPEG copy, class ids from the project's class list (nut first: it was labelled first), difficult out
    names = (out / "classes.txt").read_text().split()
    assert lines == [f"{out / 'JPEGImages' / 'a.jpg'} 21,11,60,30,{names.index('nut')} 1,1,10,10,"
                     f"{names.index('bolt')}"]
    assert (out / "val.txt").read_text() == "" and report.images == 1  # b.jpg: no box, not verified
    assert any("difficult" in reason for _p, reason in report.problems)


def test_yolo_ultralytics_layout(project, tmp_path):
    report = export_more(project, tmp_path / "y", "yolo")
    names = (tmp_path / "y" / "labels" / "train" / "classes.txt").read_text().split()
    nut, bolt = names.index("nut"), names.index("bolt")
    # the common convention: cx = (x0 + x1) / 2 / W, w = (x1 - x0) / W (1-based VOC 21..60 x 11..30: pixels 20..59)
    assert (tmp_path / "y" / "labels" / "train" / "a.txt").read_text().splitlines() == [
        f"{nut} 0.400000 0.400000 0.400000 0.400000", f"{bolt} 0.050000 0.100000 0.100000 0.200000"]
    assert not (tmp_path / "y" / "labels" / "train" / "b.txt").exists()  # unverified, no box: not a negative
    assert Image.open(tmp_path / "y" / "images" / "train" / "a.jpg").size == (100, 50)
    assert report.objects == 2  # the pending proposal is left out
    assert export_more(project, tmp_path / "y2", "yolo", include_pending=True).objects == 3
    with pytest.raises(ExportError):
        export_more(project, tmp_path / "y", "yolo")


def test_mask_pngs_hold_class_indices(project, tmp_path):
    export_more(project, tmp_path / "m", "masks")
    im = Image.open(tmp_path / "m" / "SegmentationClass" / "a.png")
    assert im.mode == "P"
    index = np.asarray(im)
    # the project's class list (bolt 0, nut 1 in YOLO): nut is index 2, as COCO's category id
    assert index[20, 40] == 2 and index[0, 0] == 0 and set(np.unique(index)) == {0, 2}
    assert (tmp_path / "m" / "classes.txt").read_text().split() == ["background", "bolt", "nut"]


def test_crops_with_padding(project, tmp_path):
    export_more(project, tmp_path / "c", "crops", padding=0.25)
    crop = Image.open(tmp_path / "c" / "nut" / "a_0.png")
    assert crop.size == (60, 30)  # 40x20 grown by 25% of its size on each side
    assert (tmp_path / "c" / "bolt" / "a_1.png").is_file()


def test_augmented_copies_move_boxes_and_masks_together(project, tmp_path):
    export_more(project, tmp_path / "aug", "augmented", variants=5, seed=3)
    from lxml import etree

    for k in range(5):
        root = etree.parse(str(tmp_path / "aug" / f"a_aug{k}.xml")).getroot()
        nut = next(o for o in root.iter("object") if o.findtext("name") == "nut")
        box = [int(nut.findtext(f"bndbox/{t}")) for t in ("xmin", "ymin", "xmax", "ymax")]
        mask = np.asarray(Image.open(tmp_path / "aug" / f"a_aug{k}_mask.png")) > 0
        ys, xs = np.nonzero(mask)
        mask_box = [xs.min() + 1, ys.min() + 1, xs.max() + 1, ys.max() + 1]
        assert all(abs(a - b) <= 3 for a, b in zip(box, mask_box, strict=True)), (k, box, mask_box)
        pixels = np.asarray(Image.open(tmp_path / "aug" / f"a_aug{k}.jpg").convert("L")).astype(float)
        assert pixels[mask].mean() > pixels[~mask].mean() + 100  # the bright object is where the mask went


def test_every_export_format_is_listed_for_the_dialog():
    from labelstudio_desktop.cli import build_parser
    from labelstudio_desktop.core.transfer.export_formats import EXPORT_FORMATS

    export = next(a for a in build_parser()._subparsers._group_actions[0].choices["export"]._actions
                  if a.dest == "format")
    assert list(export.choices) == ["voc", *[f for f in EXPORT_FORMATS if f != "voc"]] or \
        set(export.choices) == set(EXPORT_FORMATS)
    assert all(f.title and f.readers for f in EXPORT_FORMATS.values())
