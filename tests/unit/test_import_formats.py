"""Import of what other tools write, made from each tool's documentation: boxes come back identical.

Each file states boxes as 0-based pixel edges [x0, x1) converted the way the format defines its coordinates.
"""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from helpers import write_image
from PIL import Image

from labelstudio_desktop.core.store.masks import decode_mask
from labelstudio_desktop.core.store.store import Store
from labelstudio_desktop.core.transfer.importer import import_folder

W, H = 100, 80
#: (label, x0, y0, x1, y1) in pixel edges
TRUTH = [("cat", 10, 20, 40, 60), ("dog", 50, 5, 100, 30)]


def _boxes(store: Store, rel: str) -> list[tuple]:
    image = store.image_by_path(rel)
    assert image is not None, rel
    return sorted((b.label, b.x0, b.y0, b.x1, b.y1) for b in store.boxes(image.id))


def _import(root, **kw):
    store = Store.create(root)
    return store, import_folder(store, **kw)


def test_labelimg_yolo_with_classes_txt(tmp_path):
    write_image(tmp_path / "a.jpg", W, H)
    (tmp_path / "classes.txt").write_text("cat\ndog\n")
    # the common convention: cx = (x0 + x1) / 2 / W, w = (x1 - x0) / W for a box covering pixels x0..x1-1
    lines = [f"{k} {(x0 + x1) / 2 / W} {(y0 + y1) / 2 / H} {(x1 - x0) / W} {(y1 - y0) / H}"
             for k, (_, x0, y0, x1, y1) in enumerate(TRUTH)]
    (tmp_path / "a.txt").write_text("\n".join(lines) + "\n")
    store, report = _import(tmp_path)
    assert report.format == "yolo" and report.boxes == 2
    assert _boxes(store, "a.jpg") == sorted(TRUTH)
    assert not [p for p in report.problems if "clipped" in p.reason]  # the full-width box is not reported
    store.close()


def test_ultralytics_layout_with_data_yaml_and_segments(tmp_path):
    for split in ("train", "val"):
        write_image(tmp_path / "images" / split / f"{split}1.jpg", W, H)
        labels = tmp_path / "labels" / split
        labels.mkdir(parents=True)
        (labels / f"{split}1.txt").write_text("1 0.5 0.5 0.2 0.25\n0 0.1 0.1 0.5 0.1 0.5 0.5 0.1 0.5\n")
    (tmp_path / "data.yaml").write_text("path: ../datasets/x\ntrain: images/train\nval: images/val\n"
                                        "names:\n  0: person\n  1: bicycle\n")
    store, report = _import(tmp_path)
    assert report.format == "yolo"
    rows = {i.path: i.split for i in store.images()}
    assert rows == {"images/train/train1.jpg": "train", "images/val/val1.jpg": "val"}
    assert _boxes(store, "images/val/val1.jpg") == [("bicycle", 40, 30, 60, 50)]
    image = store.image_by_path("images/val/val1.jpg")
    (mask,) = store.masks(image.id)
    pixels = decode_mask(mask["png"], W, H)
    assert mask["label"] == "person" and pixels[8:40, 10:50].all() and pixels.sum() == 40 * 32
    store.close()


def _coco(tmp_path, name, file_names, annotations):
    doc = {"images": [{"id": k + 1, "file_name": f, "width": W, "height": H} for k, f in enumerate(file_names)],
           "annotations": annotations,
           "categories": [{"id": 1, "name": "cat", "supercategory": "animal"},
                          {"id": 2, "name": "dog", "supercategory": "animal"}]}
    (tmp_path / "annotations").mkdir(exist_ok=True)
    (tmp_path / "annotations" / name).write_text(json.dumps(doc))


def test_coco_boxes_polygons_rle_and_splits(tmp_path):
    from pycocotools import mask as coco_mask

    write_image(tmp_path / "train2017" / "a.jpg", W, H)
    write_image(tmp_path / "val2017" / "b.jpg", W, H)
    rle_mask = np.zeros((H, W), np.uint8, order="F")
    rle_mask[30:50, 60:90] = 1
    rle = coco_mask.encode(np.asfortranarray(rle_mask))
    rle["counts"] = rle["counts"].decode("ascii")
    _coco(tmp_path, "instances_train2017.json", ["a.jpg"], [
        {"id": 1, "image_id": 1, "category_id": 1, "bbox": [10, 20, 30, 40], "area": 1200, "iscrowd": 0,
         "segmentation": [[10, 20, 40, 20, 40, 60, 10, 60]]},
        {"id": 2, "image_id": 1, "category_id": 2, "bbox": [50.4, 5, 49.6, 25], "area": 1, "iscrowd": 0,
         "segmentation": []}])
    _coco(tmp_path, "instances_val2017.json", ["b.jpg"], [
        {"id": 3, "image_id": 1, "category_id": 2, "bbox": [60, 30, 30, 20], "area": 600, "iscrowd": 1,
         "segmentation": rle}])
    store, report = _import(tmp_path)
    assert report.format == "coco"
    a, b = store.image_by_path("train2017/a.jpg"), store.image_by_path("val2017/b.jpg")
    assert (a.split, b.split) == ("train", "val")
    assert _boxes(store, a.path) == sorted(TRUTH)
    assert any("rounded" in w for w in a.warnings)  # 50.4 -> 50
    polygon = decode_mask(store.masks(a.id)[0]["png"], W, H)
    assert polygon[20:60, 10:40].all() and polygon.sum() == 30 * 40
    assert (decode_mask(store.masks(b.id)[0]["png"], W, H) == rle_mask).all()
    store.close()


def test_labelme_rectangles_and_polygons(tmp_path):
    write_image(tmp_path / "a.jpg", W, H)
    shapes = [{"label": label, "points": [[x0, y0], [x1, y1]], "group_id": None, "shape_type": "rectangle",
               "flags": {}} for label, x0, y0, x1, y1 in TRUTH]
    shapes.append({"label": "cat", "points": [[0, 0], [10, 0], [10, 10], [0, 10]], "shape_type": "polygon"})
    shapes.append({"label": "dot", "points": [[5, 5]], "shape_type": "point"})
    (tmp_path / "a.json").write_text(json.dumps({"version": "5.4.1", "flags": {}, "shapes": shapes,
                                                 "imagePath": "a.jpg", "imageData": None, "imageHeight": H,
                                                 "imageWidth": W}))
    store, report = _import(tmp_path)
    assert report.format == "labelme" and _boxes(store, "a.jpg") == sorted(TRUTH)
    image = store.image_by_path("a.jpg")
    assert decode_mask(store.masks(image.id)[0]["png"], W, H).sum() == 100
    assert any("'point' shape" in w for w in image.warnings)
    store.close()


CVAT = """<?xml version="1.0" encoding="utf-8"?>
<annotations>
  <version>1.1</version>
  <meta><task><name>t</name><labels><label><name>dog</name></label><label><name>cat</name></label></labels></task></meta>
  <image id="0" name="a.jpg" width="100" height="80" subset="Validation">
    <box label="cat" source="manual" occluded="0" xtl="10.00" ytl="20.00" xbr="40.00" ybr="60.00" z_order="0">
    </box>
    <box label="dog" source="manual" occluded="1" xtl="50.00" ytl="5.00" xbr="100.00" ybr="30.00" z_order="0">
      <attribute name="breed">husky</attribute>
    </box>
    <polygon label="cat" source="manual" occluded="0" points="0.00,0.00;10.00,0.00;10.00,10.00;0.00,10.00"/>
    <mask label="dog" source="manual" occluded="0" rle="1, 2, 1, 2" left="70" top="60" width="3" height="2"/>
  </image>
</annotations>
"""


def test_cvat_for_images_xml(tmp_path):
    write_image(tmp_path / "a.jpg", W, H)
    (tmp_path / "annotations.xml").write_text(CVAT)
    store, report = _import(tmp_path)
    assert report.format == "cvat"
    image = store.image_by_path("a.jpg")
    assert _boxes(store, "a.jpg") == sorted(TRUTH) and image.split == "val"
    masks = {m["label"]: decode_mask(m["png"], W, H) for m in store.masks(image.id)}
    assert masks["cat"].sum() == 100
    assert np.argwhere(masks["dog"]).tolist() == [[60, 71], [60, 72], [61, 71], [61, 72]]
    assert any("breed=husky" in w and "occluded" in w for w in image.warnings)
    from labelstudio_desktop.core.editing.class_list import class_names

    assert class_names(store)[:2] == ["dog", "cat"]  # the order of the task's labels
    store.close()


def test_label_studio_json_percent_coordinates(tmp_path):
    write_image(tmp_path / "a.jpg", W, H)
    results = [{"id": f"r{k}", "type": "rectanglelabels", "from_name": "label", "to_name": "image",
                "original_width": W, "original_height": H, "image_rotation": 0,
                "value": {"x": x0 / W * 100, "y": y0 / H * 100, "width": (x1 - x0) / W * 100,
                          "height": (y1 - y0) / H * 100, "rotation": 0, "rectanglelabels": [label]}}
               for k, (label, x0, y0, x1, y1) in enumerate(TRUTH)]
    tasks = [{"id": 1, "data": {"image": "/data/upload/1/0b3fa2c1-a.jpg"},
              "annotations": [{"id": 1, "result": results, "was_cancelled": False}], "predictions": []}]
    (tmp_path / "project-1.json").write_text(json.dumps(tasks))
    store, report = _import(tmp_path)
    assert report.format == "labelstudio" and _boxes(store, "a.jpg") == sorted(TRUTH)
    store.close()


def test_createml_json(tmp_path):
    write_image(tmp_path / "a.jpg", W, H)
    doc = [{"image": "a.jpg", "annotations": [
        {"label": label, "coordinates": {"x": (x0 + x1) / 2, "y": (y0 + y1) / 2, "width": x1 - x0,
                                         "height": y1 - y0}} for label, x0, y0, x1, y1 in TRUTH]}]
    (tmp_path / "annotations.createml.json").write_text(json.dumps(doc))
    store, report = _import(tmp_path)
    assert report.format == "createml" and _boxes(store, "a.jpg") == sorted(TRUTH)
    store.close()


def _voc(name, objects, size=(W, H), coords=lambda v: str(v), extra="", attrs=""):
    rows = "".join(f"<object><name>{label}</name><pose>Unspecified</pose><truncated>0</truncated>"
                   f"<difficult>0</difficult>{extra}<bndbox><xmin>{coords(x0)}</xmin><ymin>{coords(y0)}</ymin>"
                   f"<xmax>{coords(x1)}</xmax><ymax>{coords(y1)}</ymax></bndbox></object>"
                   for label, x0, y0, x1, y1 in objects)
    return (f"<annotation{attrs}><filename>{name}</filename><size><width>{size[0]}</width><height>{size[1]}</height>"
            f"<depth>3</depth></size>{rows}</annotation>")


def test_roboflow_split_folders_keep_their_splits(tmp_path):
    for folder in ("train", "valid", "test"):
        write_image(tmp_path / folder / f"{folder}.jpg", W, H)
        one_based = [(label, x0 + 1, y0 + 1, x1, y1) for label, x0, y0, x1, y1 in TRUTH]
        (tmp_path / folder / f"{folder}.xml").write_text(_voc(f"{folder}.jpg", one_based))
    store, report = _import(tmp_path)
    assert report.format == "voc"
    assert {i.path: i.split for i in store.images()} == {"train/train.jpg": "train", "valid/valid.jpg": "val",
                                                         "test/test.jpg": "test"}
    assert _boxes(store, "valid/valid.jpg") == sorted(TRUTH)
    store.close()


def test_datumaro_zero_based_float_voc_is_converted_with_a_note(tmp_path):
    write_image(tmp_path / "a.jpg", W, H)
    (tmp_path / "a.xml").write_text(_voc("a.jpg", TRUTH, coords=lambda v: f"{float(v)}",
                                         extra="<occluded>0</occluded>"))
    store, report = _import(tmp_path)
    image = store.image_by_path("a.jpg")
    assert _boxes(store, "a.jpg") == sorted(TRUTH)
    assert any("0-based" in w for w in image.warnings) and not any("clipped" in w for w in image.warnings)
    store.close()


def test_voc_fidelity_is_named(tmp_path):
    write_image(tmp_path / "a.jpg", W, H)
    xml = _voc("a.jpg", [("person", 10, 20, 40, 60)], coords=lambda v: str(v + 0.4 if v == 40 else v),
               extra="<occluded>1</occluded><part><name>head</name><bndbox><xmin>1</xmin><ymin>1</ymin>"
                     "<xmax>5</xmax><ymax>5</ymax></bndbox></part><attributes><attribute><name>color</name>"
                     "<value>red</value></attribute></attributes>").replace("<difficult>0", "<difficult>2")
    (tmp_path / "a.xml").write_text(xml)
    store, _ = _import(tmp_path)
    image = store.image_by_path("a.jpg")
    text = " | ".join(image.warnings)
    for expected in ("<part> box(es) (head)", "color=red", "<occluded> 1", "<difficult> is '2'", "rounded"):
        assert expected in text, (expected, text)
    assert store.boxes(image.id)[0].difficult
    store.close()


def _rotated_photo(path, raw_w, raw_h, orientation):
    exif = Image.Exif()
    exif[0x0112] = orientation
    buf = io.BytesIO()
    Image.new("RGB", (raw_w, raw_h), (90, 120, 30)).save(buf, "JPEG", exif=exif)
    path.write_bytes(buf.getvalue())


@pytest.mark.parametrize("orientation, upright", [(6, (60, 0, 80, 20)), (8, (0, 80, 20, 100))])
def test_labelimg_xml_on_the_raw_frame_of_a_rotated_photo_is_rotated(tmp_path, orientation, upright):
    _rotated_photo(tmp_path / "p.jpg", 100, 80, orientation)  # raw 100x80, upright 80x100
    # labelImg shows the raw frame: a box at raw x 0..20, y 0..20 (1-based 1..20)
    (tmp_path / "p.xml").write_text(_voc("p.jpg", [("nut", 1, 1, 20, 20)], size=(100, 80)))
    store, _ = _import(tmp_path)
    image = store.image_by_path("p.jpg")
    assert (image.width, image.height) == (80, 100)
    assert _boxes(store, "p.jpg") == [("nut", *upright)]
    assert any("raw frame" in w for w in image.warnings) and not any("clipped" in w for w in image.warnings)
    store.close()


@pytest.mark.parametrize("orientation, upright", [(2, (80, 0, 100, 20)), (3, (80, 60, 100, 80)),
                                                 (4, (0, 60, 20, 80))])
def test_labelimg_xml_on_the_raw_frame_of_a_mirrored_or_turned_photo_is_turned(tmp_path, orientation, upright):
    """EXIF 2/3/4 keep the frame's size, so only the writer tells: labelImg (its layout, with <path>) ignores EXIF."""
    _rotated_photo(tmp_path / "p.jpg", 100, 80, orientation)
    xml = _voc("p.jpg", [("nut", 1, 1, 20, 20)], size=(100, 80))
    (tmp_path / "p.xml").write_text(xml.replace("<filename>", "<folder>op</folder><path>/home/op/p.jpg</path>"
                                                              "<filename>"))
    store, _ = _import(tmp_path)
    image = store.image_by_path("p.jpg")
    assert _boxes(store, "p.jpg") == [("nut", *upright)]
    assert any(f"raw frame of the photo (EXIF orientation {orientation}" in w for w in image.warnings)
    store.close()


def test_annotation_files_of_another_format_are_named_not_ignored(tmp_path):
    write_image(tmp_path / "a.jpg", W, H)
    (tmp_path / "a.json").write_text(json.dumps({"shapes": [], "imagePath": "a.jpg"}))
    store, report = _import(tmp_path, fmt="flat")
    assert any("labelme JSON" in p.reason and "--format labelme" in p.reason for p in report.problems)
    store.close()
def test_the_apps_own_yolo_export_comes_back(tmp_path):
    from labelstudio_desktop.core.store.store import BoxRecord
    from labelstudio_desktop.core.transfer.export_formats import export_more

    src = tmp_path / "src"
    write_image(src / "a.jpg", W, H)
    store, _ = _import(src)
    image = store.image_by_path("a.jpg")
    for label, *edges in TRUTH:
        store.insert_box(BoxRecord(0, image.id, label, *edges))
    store.update_image_fields(image.id, {"split": "val"})
    export_more(store, tmp_path / "out", "yolo")
    store.close()
    back, report = _import(tmp_path / "out")
    assert report.format == "yolo"
    (img,) = back.images()
    assert img.split == "val" and _boxes(back, img.path) == sorted(TRUTH)
    back.close()


