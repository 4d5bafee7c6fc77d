"""Several instances of one label on one image stay several masks: COCO and labelme import, export and round trip
(issue 12 item 3). COCO files are made as the COCO format documentation describes them and checked with pycocotools."""

from __future__ import annotations

import json

import numpy as np
import pytest
from helpers import write_image
from pycocotools import mask as coco_mask
from pycocotools.coco import COCO

from labelstudio_desktop.core.store.masks import decode_mask, encode_mask
from labelstudio_desktop.core.store.store import Store
from labelstudio_desktop.core.transfer.export_formats import export_more
from labelstudio_desktop.core.transfer.importer import import_folder

W, H = 64, 48


def _masks(store: Store, image_path: str) -> list[tuple[str, bytes]]:
    img = store.image_by_path(image_path)
    return sorted((r["label"], decode_mask(r["png"], W, H).tobytes()) for r in store.masks(img.id))


def _instances() -> dict[str, np.ndarray]:
    left = np.zeros((H, W), np.uint8)
    left[5:20, 4:20] = 1
    right = np.zeros((H, W), np.uint8)
    right[10:30, 40:60] = 1
    bolt = np.zeros((H, W), np.uint8)
    bolt[30:45, 10:30] = 1
    bolt[36:40, 16:22] = 0  # a hole
    return {"left": left, "right": right, "bolt": bolt}


@pytest.fixture
def coco_folder(tmp_path):
    """Two 'nut' instances (polygons) and a 'bolt' (RLE from pycocotools) on one image."""
    folder = tmp_path / "coco"
    write_image(folder / "images" / "a.jpg", W, H)
    inst = _instances()
    rle = coco_mask.encode(np.asfortranarray(inst["bolt"]))
    rle["counts"] = rle["counts"].decode("ascii")
    doc = {"images": [{"id": 7, "file_name": "a.jpg", "width": W, "height": H}],
           "categories": [{"id": 1, "name": "nut"}, {"id": 2, "name": "bolt"}],
           "annotations": [
               {"id": 1, "image_id": 7, "category_id": 1, "iscrowd": 0, "area": 240, "bbox": [4, 5, 16, 15],
                "segmentation": [[4, 5, 20, 5, 20, 20, 4, 20]]},
               {"id": 2, "image_id": 7, "category_id": 1, "iscrowd": 0, "area": 400, "bbox": [40, 10, 20, 20],
                "segmentation": [[40, 10, 60, 10, 60, 30, 40, 30]]},
               {"id": 3, "image_id": 7, "category_id": 2, "iscrowd": 0, "area": 276, "bbox": [10, 30, 20, 15],
                "segmentation": rle}]}
    (folder / "annotations").mkdir()
    (folder / "annotations" / "instances_train.json").write_text(json.dumps(doc))
    reference = COCO(str(folder / "annotations" / "instances_train.json"))
    for ann, name in zip(reference.loadAnns([1, 2, 3]), ("left", "right", "bolt"), strict=True):
        assert (reference.annToMask(ann) == inst[name]).all()  # the file says what the test means
    return folder


def test_each_coco_instance_is_its_own_mask_and_exports_back_per_instance(coco_folder, tmp_path):
    store = Store.create(coco_folder, tmp_path / "a.db")
    report = import_folder(store)
    assert report.format == "coco"
    path = store.images()[0].path
    inst = _instances()
    expected = sorted([("nut", inst["left"].tobytes()), ("nut", inst["right"].tobytes()),
                       ("bolt", inst["bolt"].tobytes())])
    assert _masks(store, path) == expected

    export_more(store, tmp_path / "out", "coco")
    exported = COCO(str(tmp_path / "out" / "annotations" / "instances_train.json"))
    cats = {c["id"]: c["name"] for c in exported.loadCats(exported.getCatIds())}
    anns = [a for a in exported.loadAnns(exported.getAnnIds()) if a["segmentation"]]  # the boxes have none
    assert sorted((cats[a["category_id"]], exported.annToMask(a).tobytes()) for a in anns) == expected

    back = Store.create(tmp_path / "out", tmp_path / "b.db")
    import_folder(back)
    assert _masks(back, back.images()[0].path) == expected  # ours -> ours: identical
    store.close()
    back.close()


def test_labelme_keeps_instances_and_the_parts_of_one_mask_together(tmp_path):
    root = tmp_path / "p"
    write_image(root / "a.jpg", W, H)
    store = Store.create(root)
    import_folder(store)
    image = store.images()[0]
    inst = _instances()
    store.add_mask(image.id, "nut", encode_mask(inst["left"] | inst["right"]))  # one mask in two parts
    store.add_mask(image.id, "nut", encode_mask(inst["bolt"] * 0 + _square(30, 40, 8)))
    export_more(store, tmp_path / "l", "labelme")
    back = Store.create(tmp_path / "l", tmp_path / "b.db")
    import_folder(back)
    assert _masks(back, back.images()[0].path) == _masks(store, image.path)
    store.close()
    back.close()


def _square(y: int, x: int, size: int) -> np.ndarray:
    m = np.zeros((H, W), np.uint8)
    m[y:y + size, x:x + size] = 1
    return m


def test_touching_instances_stay_two_objects_in_the_voc_segmentation_set(tmp_path):
    from PIL import Image

    root = tmp_path / "p"
    write_image(root / "a.jpg", W, H)
    store = Store.create(root)
    import_folder(store)
    image = store.images()[0]
    store.add_mask(image.id, "nut", encode_mask(_square(10, 10, 10)))
    store.add_mask(image.id, "nut", encode_mask(_square(10, 20, 10)))  # shares an edge with the first
    report = export_more(store, tmp_path / "m", "masks")
    objects = np.asarray(Image.open(tmp_path / "m" / "SegmentationObject" / "a.png"))
    assert report.objects == 2 and objects[15, 15] != objects[15, 25] and {objects[15, 15], objects[15, 25]} == {1, 2}
    classes = np.asarray(Image.open(tmp_path / "m" / "SegmentationClass" / "a.png"))
    assert classes[15, 15] == classes[15, 25] == 1
    store.close()
