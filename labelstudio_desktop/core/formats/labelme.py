"""labelme JSON: one file per image (``imagePath``, ``imageWidth``, ``imageHeight``, ``shapes``).

A shape is ``{"label", "points": [[x, y], ...], "shape_type", "group_id", "flags"}`` in pixels: a ``rectangle`` (two
corners) becomes a box, a ``polygon`` a mask of its label (an instance); polygons of one label that share a
``group_id`` are one instance (one mask), as labelme's own ``labelme2coco`` groups them. Circles, lines and points
are named in a note.

The ``labelme`` export: ``ID.jpg`` (upright copy) and ``ID.json`` per image: rectangles for boxes, polygons for masks
(the parts of one mask share a ``group_id``).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..fsutil import atomic_write
from ..jobs import JobToken
from ..store.store import Store
from ..validate import AnnotationError, Invalid, point_pairs, polygon, shown, side, text
from .annotations import Box, ImageAnnotation, ImageIndex, Region
from .regions import mask_polygons
from .registry import ExportFormat, ReaderFormat, register_export, register_reader
from .writing import (
    ExportReport,
    check_targets,
    each_file,
    images_with_boxes_and_masks,
    staged_writer,
    unique_ids,
    write_upright_copy,
)

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


# ------------------------------------------------------------------ writing: the labelme export
def export_labelme(store: Store, out: Path, include_pending: bool, overwrite: bool, job: JobToken,
                   report: ExportReport) -> None:
    todo = images_with_boxes_and_masks(store, include_pending, report)
    if not todo:  # nothing to write: report.nothing_because says why
        return
    ids = unique_ids([img.path for img, _b, _m in todo])
    check_targets([out / f"{ids[img.path]}.{e}" for img, _b, _m in todo for e in ("jpg", "json")], overwrite)
    for n, (img, boxes, masks) in enumerate(todo):
        job.check()
        with each_file(report, img.path):
            if not write_upright_copy(store, img, out / f"{ids[img.path]}.jpg", report):
                continue
            shapes = [shape(b.label, "rectangle", [[b.x0, b.y0], [b.x1, b.y1]]) for b in boxes]
            groups = 0
            for label, mask in masks:
                polygons = mask_polygons(mask)
                group = None
                if len(polygons) > 1:  # the parts of one mask: one instance, as labelme groups shapes
                    groups += 1
                    group = groups
                for polygon in polygons:
                    shapes.append(shape(label, "polygon", np.asarray(polygon).reshape(-1, 2).tolist(), group))
            doc = document(f"{ids[img.path]}.jpg", img.width, img.height, shapes)
            atomic_write(out / f"{ids[img.path]}.json", json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8"))
            report.images += 1
            report.objects += len(shapes)
        job.progress(n + 1, len(todo))


register_reader(ReaderFormat("labelme", "labelme JSON", 4, is_labelme, read))
register_export(ExportFormat("labelme", "labelme JSON (boxes and masks)", "A JSON and an upright JPEG per image: "
                             "rectangles and polygons that labelme opens.", (), {},
                             staged_writer("labelme", export_labelme), rank=60))
