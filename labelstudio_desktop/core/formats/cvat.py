"""CVAT for images 1.1 XML: ``<annotations>`` with one ``<image id name width height [subset]>`` per image.

Inside an image: ``<box label xtl ytl xbr ybr occluded>`` (pixels, top-left and bottom-right corners) becomes a box,
``<polygon label points="x1,y1;x2,y2;...">`` and ``<mask label rle left top width height>`` (run lengths over the
mask's own rectangle, row by row, starting with a run of background) become masks; ``<attribute>`` children and
``occluded="1"`` are named in a note, polylines, points and tags too. The class order is the ``<labels>`` of the
task, job or project in ``<meta>``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from lxml import etree

from .annotations import AnnotationError, Box, ImageAnnotation, ImageIndex, Region, number, split_from_name
from .voc import VocError, parse_untrusted_xml

MAX_CVAT_BYTES = 500_000_000


def is_cvat(root: etree._Element) -> bool:
    return root.tag == "annotations" and root.find("image") is not None


def read(path: Path, index: ImageIndex) -> list[ImageAnnotation]:
    try:
        root = parse_untrusted_xml(path, MAX_CVAT_BYTES)
    except VocError as exc:
        raise AnnotationError(str(exc)) from exc
    if not is_cvat(root):
        raise AnnotationError(f"not CVAT for images XML (root <{root.tag}> without <image> elements)")
    classes = [n.text.strip() for n in root.iterfind("meta/*/labels/label/name") if n.text]
    out = []
    for node in root.iterfind("image"):
        reference = node.get("name", "")
        image, why = index.find(reference, path.parent)
        width, height = _int(node.get("width")), _int(node.get("height"))
        ann = ImageAnnotation(file=path, image=image, reference=reference, width=width, height=height,
                              split=split_from_name(node.get("subset", "")), classes=list(dict.fromkeys(classes)))
        if why:
            ann.notes.append(why)
        unkept: list[str] = []
        for k, shape in enumerate(node, start=1):
            label = shape.get("label", "")
            try:
                _read_shape(ann, shape, label, width, height, unkept)
            except ValueError as exc:
                ann.notes.append(f"<{shape.tag}> {k} ('{label}'): {exc}, skipped")
        if unkept:
            ann.notes.append(f"not kept: {', '.join(unkept)}")
        out.append(ann)
    return out


def _read_shape(ann: ImageAnnotation, shape: etree._Element, label: str, width: int | None, height: int | None,
                unkept: list[str]) -> None:
    if shape.get("occluded") == "1":
        unkept.append(f"occluded '{label}'")
    unkept.extend(f"'{label}' {a.get('name')}={(a.text or '').strip()}" for a in shape.iterfind("attribute"))
    if shape.tag == "box":
        xtl, ytl, xbr, ybr = (number(shape.get(k), k) for k in ("xtl", "ytl", "xbr", "ybr"))
        if float(shape.get("rotation", "0") or 0):
            unkept.append(f"rotation of a '{label}' box (its unrotated box is imported)")
        ann.boxes.append(Box(label, xtl, ytl, xbr, ybr))
    elif shape.tag == "polygon":
        flat = [number(v, "a point") for pair in (shape.get("points") or "").split(";") for v in pair.split(",")
                if pair.strip()]
        if len(flat) < 6:
            raise ValueError("fewer than 3 points")
        ann.regions.append(Region(label, polygons=[flat]))
    elif shape.tag == "mask":
        if not width or not height:
            raise ValueError("the image has no width and height")
        ann.regions.append(Region(label, bitmap=_mask(shape, width, height)))
    else:
        unkept.append(f"<{shape.tag}> '{label}'")


def _mask(shape: etree._Element, width: int, height: int) -> np.ndarray:
    left, top, w, h = (int(number(shape.get(k), k)) for k in ("left", "top", "width", "height"))
    runs = [int(v) for v in (shape.get("rle") or "").replace(" ", "").split(",") if v]
    if sum(runs) != w * h:
        raise ValueError(f"rle adds up to {sum(runs)} pixels, the mask has {w * h}")
    values = np.zeros(len(runs), np.uint8)
    values[1::2] = 1
    local = np.repeat(values, runs).reshape(h, w)
    full = np.zeros((height, width), np.uint8)
    full[top:top + h, left:left + w] = local[:max(0, height - top), :max(0, width - left)]
    return full


def _int(value: str | None) -> int | None:
    try:
        return int(float(value)) if value is not None else None
    except ValueError:
        return None
