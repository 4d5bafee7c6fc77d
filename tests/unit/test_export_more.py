"""YOLOv3-keras, YOLO, mask PNGs, crops and augmented copies on a hand-checked project."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from labelstudio_desktop.core.export import ExportError
from labelstudio_desktop.core.export_more import export_more
from labelstudio_desktop.core.importer import import_folder
from labelstudio_desktop.core.masks import encode_mask
from labelstudio_desktop.core.store import BoxRecord, Store


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


def test_yolov3_trainval(project, tmp_path):
    export_more(project, tmp_path / "y3", "yolov3")
    lines = (tmp_path / "y3" / "trainval.txt").read_text().splitlines()
    assert lines[0] == f"{project.root / 'a.png'} 21,11,60,30,1 1,1,10,10,0"
    assert lines[1] == str(project.root / "b.jpg")
    assert (tmp_path / "y3" / "classes.txt").read_text().split() == ["bolt", "nut"]


def test_yolo_txt_is_normalised_centre_and_size(project, tmp_path):
    report = export_more(project, tmp_path / "y", "yolo")
    assert (tmp_path / "y" / "labels" / "a.txt").read_text().splitlines() == [
        "1 0.400000 0.400000 0.400000 0.400000", "0 0.050000 0.100000 0.100000 0.200000"]
    assert (tmp_path / "y" / "labels" / "b.txt").read_text() == ""
    assert Image.open(tmp_path / "y" / "images" / "a.jpg").size == (100, 50)
    assert report.objects == 2  # the pending proposal is left out
    assert export_more(project, tmp_path / "y2", "yolo", include_pending=True).objects == 3
    with pytest.raises(ExportError):
        export_more(project, tmp_path / "y", "yolo")


def test_mask_pngs_hold_class_indices(project, tmp_path):
    export_more(project, tmp_path / "m", "masks")
    im = Image.open(tmp_path / "m" / "SegmentationClass" / "a.png")
    assert im.mode == "P"
    index = np.asarray(im)
    assert index[20, 40] == 1 and index[0, 0] == 0 and set(np.unique(index)) == {0, 1}
    assert (tmp_path / "m" / "classes.txt").read_text().split() == ["background", "nut"]


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
