"""How two strict, widely used VOC readers access the files, re-stated without their dependencies.

- keras-yolo3 ``voc_annotation.py``: reads ``ImageSets/Main/{train,val,test}.txt`` split on white space, parses
  each ``Annotations/<id>.xml`` with ElementTree, needs ``<difficult>`` on every object and does
  ``int(text)`` on each coordinate (``191.0`` crashes it), writes ``path x_min,y_min,x_max,y_max,class_id``.
- TensorFlow models ``create_pascal_tf_record.py``: ``recursive_parse_xml_to_dict`` then, per object,
  ``int(obj['difficult'])``, ``int(obj['truncated'])``, ``obj['pose'].encode()``, ``obj['name']``,
  ``float(bndbox[...]) / width`` with ``width = int(data['size']['width'])``; the image is opened from
  ``<data_dir>/<folder>/JPEGImages/<filename>`` and must be a JPEG.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

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
