"""Label Studio JSON export: a list of tasks, each ``{"data": {"image": URL}, "annotations": [{"result": [...]}]}``
(also the older ``completions``, and the JSON-MIN list of ``{"image": URL, "<from_name>": [values]}``).

A result of type ``rectanglelabels`` has ``value`` = ``{"x", "y", "width", "height"}`` in percent of the image
(``original_width`` and ``original_height`` beside it), ``rotation`` in degrees about the top-left corner, and the
label in ``rectanglelabels``; ``polygonlabels`` has ``points`` in percent. The first annotation not cancelled is read
(others are named in a note); brush masks (Label Studio's own RLE) and other result types are named in a note.
Uploaded files are stored as ``<8 hex>-<name>``: an image is found by its path, then its name with or without it.
"""

from __future__ import annotations

import math
from pathlib import Path

from ..validate import MAX_SIDE, AnnotationError, Invalid, number, point_pairs, polygon, shown, text, whole
from .annotations import Box, ImageAnnotation, ImageIndex, Region
from .registry import ReaderFormat, register_reader

IMAGE_KEYS = ("image", "img", "image_url")
KINDS = ("rectanglelabels", "polygonlabels")


def is_label_studio(data: object) -> bool:
    if not isinstance(data, list) or not data or not isinstance(data[0], dict):
        return False
    first = data[0]
    if isinstance(first.get("data"), dict):
        return any(k in first for k in ("annotations", "completions", "predictions"))
    return any(k in first for k in IMAGE_KEYS) and any(_is_min_values(v) for v in first.values())


def _is_min_values(value: object) -> bool:
    return isinstance(value, list) and any(isinstance(v, dict) and any(k in v for k in KINDS) for v in value)


def read(path: Path, data: list, index: ImageIndex, notes: list[str]) -> list[ImageAnnotation]:
    """Every task of a Label Studio export with its rectangles and polygons; odd results become notes of their
    image, odd tasks notes of the file."""
    if not is_label_studio(data):
        raise AnnotationError("not a Label Studio JSON export (no tasks with 'data' and 'annotations')")
    out = []
    for t, task in enumerate(data, start=1):
        try:
            if not isinstance(task, dict):
                raise Invalid(f"not an object ({shown(task)})")
            fields = task["data"] if isinstance(task.get("data"), dict) else task
            reference = next((text(fields[k], k) for k in IMAGE_KEYS if k in fields), "")
            results, runs = _results(task)
        except Invalid as exc:
            notes.append(f"task {t}: {exc}, skipped")
            continue
        image, why = index.find(reference, path.parent)
        ann = ImageAnnotation(file=path, image=image, reference=reference, normalized=True)
        if why:
            ann.notes.append(why)
        if runs > 1:
            ann.notes.append(f"{runs} annotations of this task: the first is imported")
        for r, result in enumerate(results, start=1):
            try:
                _read_value(ann, result, f"result {r}")
            except Invalid as exc:
                ann.notes.append(f"result {r}: {exc}, skipped")
        out.append(ann)
    return out


def _results(task: dict) -> tuple[list, int]:
    """The results of the task's first annotation that was not cancelled, each its ``value`` with the result's
    ``type`` and original size (JSON-MIN: its label lists), and how many annotations were not cancelled."""
    if not isinstance(task.get("data"), dict):
        return [_min_value(v) for v in task.values() if _is_min_values(v) for v in v], 1
    raw = task.get("annotations") or task.get("completions") or []
    if not isinstance(raw, list):
        raise Invalid(f"annotations is not a list ({shown(raw)})")
    runs = [a for a in raw if isinstance(a, dict) and not a.get("was_cancelled")]
    if not runs:
        return [], 0
    results = runs[0].get("result") or []
    if not isinstance(results, list):
        raise Invalid(f"its result is not a list ({shown(results)})")
    values = []
    for result in results:
        if isinstance(result, dict) and isinstance(result.get("value"), dict):
            value = dict(result["value"], type=result.get("type"))
            for key in ("original_width", "original_height"):
                value.setdefault(key, result.get(key))
            values.append(value)
        elif not isinstance(result, dict):
            values.append(result)  # named by _read_value; a result without a value (a relation) has no shape
    return values, len(runs)


def _min_value(value: object) -> object:
    if not isinstance(value, dict):
        return value
    return dict(value, type=next((k for k in KINDS if k in value), None))


def _read_value(ann: ImageAnnotation, value: object, record: str) -> None:
    if not isinstance(value, dict):
        raise Invalid(f"not an object ({shown(value)})")
    kind = value.get("type")
    kind = kind if isinstance(kind, str) else shown(kind)
    labels = value.get(kind) if isinstance(value.get(kind), list) else []
    label = text(labels[0], "label") if labels else ""
    if value.get("original_width") and value.get("original_height"):
        ann.width, ann.height = (whole(value[k], k, 1, MAX_SIDE) for k in ("original_width", "original_height"))
    if not label:
        raise Invalid(f"a '{kind}' result without a label")
    if kind == "rectanglelabels":
        x, y, w, h = (number(value.get(k), k) / 100 for k in ("x", "y", "width", "height"))
        angle = number(value.get("rotation") or 0, "rotation")
        if angle:
            ann.notes.append(f"'{label}' box rotated {angle:g} degrees: its upright bounding box is imported")
            x, y, w, h = _bounds_of_rotated(x, y, w, h, angle, ann)
        ann.boxes.append(Box(label, x, y, x + w, y + h))
    elif kind == "polygonlabels":
        points = polygon(point_pairs(value.get("points")))
        ann.regions.append(Region(label, polygons=[[v / 100 for v in points]], record=record))
    else:
        ann.notes.append(f"a '{kind}' result not imported (only rectangles and polygons are)")


def _bounds_of_rotated(x: float, y: float, w: float, h: float, angle: float, ann: ImageAnnotation):
    """The upright box around a box rotated about its top-left corner (in pixels when the size is known)."""
    sx, sy = (ann.width or 1), (ann.height or 1)
    a = math.radians(angle)
    corners = [(0, 0), (w * sx, 0), (w * sx, h * sy), (0, h * sy)]
    xs = [x * sx + cx * math.cos(a) - cy * math.sin(a) for cx, cy in corners]
    ys = [y * sy + cx * math.sin(a) + cy * math.cos(a) for cx, cy in corners]
    return min(xs) / sx, min(ys) / sy, (max(xs) - min(xs)) / sx, (max(ys) - min(ys)) / sy


register_reader(ReaderFormat("labelstudio", "Label Studio JSON", 2, is_label_studio, read))
