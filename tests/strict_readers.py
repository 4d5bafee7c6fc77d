"""How two strict, widely used VOC readers access the files, re-stated without their dependencies.

- keras-yolo3 ``voc_annotation.py``: reads ``ImageSets/Main/{train,val,test}.txt`` split on white space, parses
  each ``Annotations/<id>.xml`` with ElementTree, needs ``<difficult>`` on every object and does
  ``int(text)`` on each coordinate (``191.0`` crashes it), writes ``path x_min,y_min,x_max,y_max,class_id``.
- TensorFlow models ``create_pascal_tf_record.py``: ``recursive_parse_xml_to_dict`` then, per object,
  ``int(obj['difficult'])``, ``int(obj['truncated'])``, ``obj['pose'].encode()``, ``obj['name']``,
  ``float(bndbox[...]) / width`` with ``width = int(data['size']['width'])``; the image is opened from
  ``<data_dir>/<folder>/JPEGImages/<filename>`` and must be a JPEG.
- torchvision ``VOCSegmentation(root, year="2012", image_set)``: ``voc_root = root/VOCdevkit/VOC2012``; the ids are
  ``[x.strip() for x in open(voc_root/ImageSets/Segmentation/<image_set>.txt).readlines()]``, image_set one of
  train, trainval, val; each sample is ``Image.open(JPEGImages/<id>.jpg).convert("RGB")`` and
  ``Image.open(SegmentationClass/<id>.png)`` as it is (a palette image: its array is the class indices).
- TensorFlow (``tf.io.decode_png``): on a palette PNG it returns the palette *colours* (``channels=0`` or 3:
  H x W x 3 RGB; ``channels=1``: their grey luminance), never the indices, so TF pipelines map the colours back
  through the VOC colour map, or read index PNGs without a palette (DeepLab's ``SegmentationClassRaw``).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
from PIL import Image


def keras_yolo3_lines(devkit: Path, year: str, image_set: str, classes: list[str]) -> list[str]:
    image_ids = (devkit / f"VOC{year}" / "ImageSets" / "Main" / f"{image_set}.txt").read_text().strip().split()
    lines = []
    for image_id in image_ids:
        line = str(devkit / f"VOC{year}" / "JPEGImages" / f"{image_id}.jpg")
        root = ET.parse(devkit / f"VOC{year}" / "Annotations" / f"{image_id}.xml").getroot()
        for obj in root.iter("object"):
            difficult = obj.find("difficult").text
            cls = obj.find("name").text
            if cls not in classes or int(difficult) == 1:
                continue
            b = obj.find("bndbox")
            coords = (int(b.find("xmin").text), int(b.find("ymin").text), int(b.find("xmax").text),
                      int(b.find("ymax").text))
            line += " " + ",".join(str(c) for c in coords) + "," + str(classes.index(cls))
        lines.append(line)
    return lines


def recursive_parse_xml_to_dict(xml) -> dict:
    if len(xml) == 0:
        return {xml.tag: xml.text}
    result: dict = {}
    for child in xml:
        child_result = recursive_parse_xml_to_dict(child)
        if child.tag != "object":
            result[child.tag] = child_result[child.tag]
        else:
            result.setdefault(child.tag, []).append(child_result[child.tag])
    return {xml.tag: result}


def tf_record_fields(data_dir: Path, annotation: Path, label_map: dict[str, int]) -> dict:
    data = recursive_parse_xml_to_dict(ET.parse(annotation).getroot())["annotation"]
    img_path = data_dir / data["folder"] / "JPEGImages" / data["filename"]
    with Image.open(img_path) as image:
        if image.format != "JPEG":
            raise ValueError("Image format not JPEG")
        actual = image.size
    width, height = int(data["size"]["width"]), int(data["size"]["height"])
    out = {"size": (width, height), "actual": actual, "xmin": [], "ymin": [], "xmax": [], "ymax": [],
           "classes": [], "difficult": [], "truncated": [], "poses": []}
    for obj in data.get("object", []):
        out["difficult"].append(int(bool(int(obj["difficult"]))))
        out["xmin"].append(float(obj["bndbox"]["xmin"]) / width)
        out["ymin"].append(float(obj["bndbox"]["ymin"]) / height)
        out["xmax"].append(float(obj["bndbox"]["xmax"]) / width)
        out["ymax"].append(float(obj["bndbox"]["ymax"]) / height)
        out["classes"].append(label_map[obj["name"]])
        out["truncated"].append(int(obj["truncated"]))
        out["poses"].append(obj["pose"].encode("utf8"))
    return out


def torchvision_voc_segmentation(root: Path, image_set: str, year_dir: str = "VOCdevkit/VOC2012") -> list[tuple]:
    """The (image, target) pairs torchvision's VOCSegmentation yields, opened as it opens them."""
    if image_set not in ("train", "trainval", "val"):
        raise ValueError(f"image_set {image_set!r} is not one of train, trainval, val")
    voc_root = root / year_dir
    if not voc_root.is_dir():
        raise RuntimeError("Dataset not found or corrupted.")
    with open(voc_root / "ImageSets" / "Segmentation" / f"{image_set}.txt") as f:
        file_names = [x.strip() for x in f.readlines()]
    images = [voc_root / "JPEGImages" / f"{x}.jpg" for x in file_names]
    masks = [voc_root / "SegmentationClass" / f"{x}.png" for x in file_names]
    return [(Image.open(i).convert("RGB"), Image.open(m)) for i, m in zip(images, masks, strict=True)]


def tf_voc_class_indices(png: Path, colormap) -> np.ndarray:
    """Class indices of a palette PNG as a TensorFlow pipeline gets them: decode (colours), then look each colour
    up in the VOC colour map."""
    import tensorflow as tf

    rgb = tf.io.decode_png(tf.io.read_file(str(png)), channels=3).numpy()
    lookup = {tuple(int(v) for v in c): k for k, c in enumerate(colormap)}
    flat = [lookup[tuple(int(v) for v in pixel)] for pixel in rgb.reshape(-1, 3)]
    return np.asarray(flat, np.uint8).reshape(rgb.shape[:2])


def tf_raw_class_indices(png: Path) -> np.ndarray:
    """Class indices of a grey index PNG (``SegmentationClassRaw``), as DeepLab's TF input pipeline reads them."""
    import tensorflow as tf

    return tf.io.decode_png(tf.io.read_file(str(png)), channels=1).numpy()[..., 0]


# ------------------------------------------------------------------ YOLO, COCO, labelme, Datumaro (issue 12)
def ultralytics_labels(data_yaml: Path) -> dict[str, dict[str, np.ndarray]]:
    """What ultralytics' dataset check and label cache do: resolve ``path`` (a relative one against its own datasets
    folder, so it must be absolute here), list each split's image folder, map ``/images/`` to ``/labels/`` (the last
    occurrence) and ``.txt``, load each label file as an N x 5 float array and verify it as ``verify_image_label``
    does (5 columns, non-negative, coordinates normalised, class below ``nc``). Returns split -> image name -> rows."""
    import os

    import yaml

    data = yaml.safe_load(data_yaml.read_text())
    root = Path(data["path"])
    if not root.is_absolute():
        raise RuntimeError(f"relative path {root}: ultralytics would look in its own datasets folder")
    names = data["names"]
    nc = len(names)
    out = {}
    for split in ("train", "val", "test"):
        if not data.get(split):
            continue
        folder = root / data[split]
        sa, sb = f"{os.sep}images{os.sep}", f"{os.sep}labels{os.sep}"
        rows = {}
        for image in sorted(p for p in folder.iterdir() if p.suffix.lower() in (".jpg", ".png")):
            label = Path(sb.join(str(image).rsplit(sa, 1)).rsplit(".", 1)[0] + ".txt")
            lb = np.array([x.split() for x in label.read_text().strip().splitlines() if len(x)], dtype=np.float32) \
                if label.is_file() else np.zeros((0, 5), np.float32)
            if len(lb) == 0:
                lb = np.zeros((0, 5), dtype=np.float32)
            else:
                assert lb.shape[1] == 5, f"labels require 5 columns, {lb.shape[1]} columns detected"
                assert lb.min() >= 0, "negative label values"
                assert lb[:, 1:].max() <= 1, "non-normalized or out of bounds coordinates"
                assert int(lb[:, 0].max()) < nc, "label class exceeds dataset class count"
            with Image.open(image) as im:
                im.verify()
            rows[image.name] = lb
        out[split] = rows
    return out


def labelimg_yolo_boxes(label: Path, width: int, height: int) -> list[tuple[str, int, int, int, int]]:
    """labelImg's ``YoloReader``: ``classes.txt`` beside the label file, ``class cx cy w h`` per line, the corners
    clamped to 0..1 and rounded to pixels (its own points, which it also writes to VOC as they are)."""
    classes = (label.parent / "classes.txt").read_text().strip("\n").split("\n")
    out = []
    for line in label.read_text().splitlines():
        class_index, x_center, y_center, w, h = line.strip().split(" ")
        x_min = max(float(x_center) - float(w) / 2, 0)
        x_max = min(float(x_center) + float(w) / 2, 1)
        y_min = max(float(y_center) - float(h) / 2, 0)
        y_max = min(float(y_center) + float(h) / 2, 1)
        out.append((classes[int(class_index)], round(width * x_min), round(height * y_min), round(width * x_max),
                    round(height * y_max)))
    return out


def keras_yolo3_training_boxes(annotation_line: str) -> tuple[tuple[int, int], np.ndarray]:
    """keras-yolo3's ``get_random_data``: split on white space, open the image, ``int`` every box field."""
    line = annotation_line.split()
    with Image.open(line[0]) as image:
        size = image.size
    box = np.array([np.array(list(map(int, box.split(",")))) for box in line[1:]])
    return size, box


def labelme_shapes(json_file: Path) -> tuple[Path, list[tuple[str, str, list]]]:
    """labelme's ``LabelFile.load``: the keys it reads, the image it opens (``imagePath`` relative to the JSON) and
    the size check against ``imageHeight`` / ``imageWidth``; each shape's label, type and points."""
    import json

    data = json.loads(json_file.read_text())
    image_path = json_file.parent / data["imagePath"]
    with Image.open(image_path) as image:
        assert (data["imageHeight"], data["imageWidth"]) == (image.height, image.width), "size differs from image"
    shapes = [(s["label"], s.get("shape_type", "polygon"), s["points"]) for s in data["shapes"]]
    for s in data["shapes"]:
        s["flags"], s["group_id"]  # noqa: B018 - LabelFile reads both
    return image_path, shapes


def datumaro_labelmap(path: Path) -> dict[str, tuple]:
    """Datumaro's VOC ``parse_label_map``: ``name:r,g,b:parts:actions`` lines (``#`` comments), the colour as three
    integers; CVAT and Datumaro refuse classes outside VOC's 20 without this file."""
    label_map = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line[0] == "#":
            continue
        name, color, parts, actions = line.split(":")
        label_map[name] = (tuple(map(int, color.split(","))) if color else None, parts.split(",") if parts else [],
                           actions.split(",") if actions else [])
    return label_map
