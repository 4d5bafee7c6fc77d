"""labelme JSON: one file per image (``imagePath``, ``imageWidth``, ``imageHeight``, ``shapes``).

A shape is ``{"label", "points": [[x, y], ...], "shape_type", "group_id", "flags"}`` in pixels: a ``rectangle`` (two
corners) becomes a box, a ``polygon`` a mask of its label (an instance); polygons of one label that share a
``group_id`` are one instance (one mask), as labelme's own ``labelme2coco`` groups them. Circles, lines and points
are named in a note.
"""

from __future__ import annotations

from pathlib import Path

from .annotations import AnnotationError, Box, ImageAnnotation, ImageIndex, Region
from .registry import ReaderFormat, register_reader
from .validate import Invalid, point_pairs, polygon, shown, side, text

VERSION = "5.4.1"


def is_labelme(data: object) -> bool:
    return isinstance(data, dict) and isinstance(data.get("shapes"), list) and \
        ("imagePath" in data or "imageHeight" in data)


def read(path: Path, data: dict, index: ImageIndex, notes: list[str]) -> list[ImageAnnotation]:
    """The image of a labelme file with its rectangles and polygons; odd shapes become notes of the image."""
    if not is_labelme(data):
        raise AnnotationError("not a labelme file (no 'shapes' list and 'imagePath')")
    raw_path = data.get("imagePath")
    reference = raw_path if isinstance(raw_path, str) else ""
    if raw_path is not None and not isinstance(raw_path, str):
        notes.append(f"imagePath is not text ({shown(raw_path)}): the image is found by the file's name")
    image, why = index.find(reference, path.parent) if reference else (None, "no imagePath")
    if image is None:  # labelme names the JSON after the image: a.json beside a.jpg
        for candidate in sorted(path.parent.glob(path.stem + ".*")):
            if candidate.resolve() in index.images:
                image, why = candidate.resolve(), None
                break
    ann = ImageAnnotation(file=path, image=image, reference=reference or path.stem)
    ann.width, ann.height = (side(data.get(key), key, ann.notes) for key in ("imageWidth", "imageHeight"))
    if why:
        ann.notes.append(why)
    skipped: dict[str, int] = {}
    groups: dict[tuple[str, str], Region] = {}
    for k, shape in enumerate(data["shapes"], start=1):
        try:
            _read_shape(ann, shape, f"shape {k}", groups, skipped)
        except Invalid as exc:
            ann.notes.append(f"shape {k}: {exc}, skipped")
    for kind, n in skipped.items():
        ann.notes.append(f"{n} '{kind}' shape(s) not imported (only rectangles and polygons are)")
    return [ann]


def _read_shape(ann: ImageAnnotation, shape: object, record: str, groups: dict[tuple[str, str], Region],
                skipped: dict[str, int]) -> None:
    if not isinstance(shape, dict):
        raise Invalid(f"not an object ({shown(shape)})")
    label = text(shape.get("label") or "", "label")
    kind = text(shape.get("shape_type") or "polygon", "shape_type")
    points = point_pairs(shape.get("points"))
    if not label:
        raise Invalid("no label")
    if kind == "rectangle":
        if len(points) != 4:
            raise Invalid(f"a rectangle of {len(points) // 2} point(s), not 2")
        xa, ya, xb, yb = points
        ann.boxes.append(Box(label, min(xa, xb), min(ya, yb), max(xa, xb), max(ya, yb)))
    elif kind == "polygon":
        flat = polygon(points)
        group = shape.get("group_id")
        key = (label, shown(group))
        if group is not None and key in groups:
            groups[key].polygons.append(flat)
            return
        ann.regions.append(Region(label, polygons=[flat], record=record))
        if group is not None:
            groups[key] = ann.regions[-1]
    else:
        skipped[kind] = skipped.get(kind, 0) + 1


def document(image_path: str, width: int, height: int, shapes: list[dict]) -> dict:
    return {"version": VERSION, "flags": {}, "shapes": shapes, "imagePath": image_path, "imageData": None,
            "imageHeight": height, "imageWidth": width}


def shape(label: str, kind: str, points: list[list[float]], group_id: int | None = None) -> dict:
    return {"label": label, "points": points, "group_id": group_id, "description": "", "shape_type": kind,
            "flags": {}}


register_reader(ReaderFormat("labelme", "labelme JSON", 4, is_labelme, read))
