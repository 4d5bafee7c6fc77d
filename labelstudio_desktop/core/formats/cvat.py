"""CVAT for images 1.1 XML: ``<annotations>`` with one ``<image id name width height [subset]>`` per image.

Inside an image: ``<box label xtl ytl xbr ybr occluded>`` (pixels, top-left and bottom-right corners) becomes a box,
``<polygon label points="x1,y1;x2,y2;...">`` and ``<mask label rle left top width height>`` (run lengths over the
mask's own rectangle, row by row, starting with a run of background) become masks; ``<attribute>`` children and
``occluded="1"`` are named in a note, polylines, points and tags too. The class order is the ``<labels>`` of the
task, job or project in ``<meta>``.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from ..validate import MAX_SIDE, AnnotationError, Invalid, number, polygon, runs, side, whole
from .annotations import Box, ImageAnnotation, ImageIndex, LocalRuns, Region, split_from_name
from .registry import ReaderFormat, register_reader
from .voc import VocError, parse_untrusted_xml

MAX_CVAT_BYTES = 500_000_000


def is_cvat(root: etree._Element) -> bool:
    return root.tag == "annotations" and root.find("image") is not None


def read(path: Path, index: ImageIndex, notes: list[str]) -> list[ImageAnnotation]:
    """Every ``<image>`` of a CVAT file with its boxes and masks; odd shapes become notes of their image."""
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
        ann = ImageAnnotation(file=path, image=image, reference=reference,
                              split=split_from_name(node.get("subset", "")), classes=list(dict.fromkeys(classes)))
        ann.width, ann.height = (side(node.get(key), key, ann.notes) for key in ("width", "height"))
        if why:
            ann.notes.append(why)
        unkept: list[str] = []
        for k, shape in enumerate(node, start=1):
            label = shape.get("label", "")
            try:
                _read_shape(ann, shape, label, f"<{shape.tag}> {k}", unkept)
            except Invalid as exc:
                ann.notes.append(f"<{shape.tag}> {k} ('{label}'): {exc}, skipped")
        if unkept:
            ann.notes.append(f"not kept: {', '.join(unkept)}")
        out.append(ann)
    return out


def _read_shape(ann: ImageAnnotation, shape: etree._Element, label: str, record: str, unkept: list[str]) -> None:
    if shape.get("occluded") == "1":
        unkept.append(f"occluded '{label}'")
    unkept.extend(f"'{label}' {a.get('name')}={(a.text or '').strip()}" for a in shape.iterfind("attribute"))
    if shape.tag == "box":
        xtl, ytl, xbr, ybr = (number(shape.get(k), k) for k in ("xtl", "ytl", "xbr", "ybr"))
        if number(shape.get("rotation") or 0, "rotation"):
            unkept.append(f"rotation of a '{label}' box (its unrotated box is imported)")
        ann.boxes.append(Box(label, xtl, ytl, xbr, ybr))
    elif shape.tag == "polygon":
        flat = [v for pair in (shape.get("points") or "").split(";") if pair.strip() for v in pair.split(",")]
        ann.regions.append(Region(label, polygons=[polygon(flat)], record=record))
    elif shape.tag == "mask":
        if not ann.width or not ann.height:
            raise Invalid("the image has no width and height")
        ann.regions.append(Region(label, runs=_runs(shape, ann.width, ann.height), frame=(ann.width, ann.height),
                                  record=record))
    else:
        unkept.append(f"<{shape.tag}> '{label}'")


def _runs(shape: etree._Element, width: int, height: int) -> LocalRuns:
    """A ``<mask>``'s rectangle and run lengths, checked against the image it is drawn on (nothing allocated)."""
    left, top = (whole(shape.get(k), k, -MAX_SIDE, MAX_SIDE) for k in ("left", "top"))
    w, h = (whole(shape.get(k), k, 1, MAX_SIDE) for k in ("width", "height"))
    if w > width or h > height:
        raise Invalid(f"the mask ({w}x{h}) is larger than the {width}x{height} image")
    counts = [v for v in (shape.get("rle") or "").replace(" ", "").split(",") if v]
    return LocalRuns(left, top, w, h, runs(counts, w * h, "rle"))


register_reader(ReaderFormat("cvat", "CVAT for images XML", 1))
