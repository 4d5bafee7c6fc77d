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

from .annotations import AnnotationError, Box, ImageAnnotation, ImageIndex, Region, number

IMAGE_KEYS = ("image", "img", "image_url")


def is_label_studio(data: object) -> bool:
    if not isinstance(data, list) or not data or not isinstance(data[0], dict):
        return False
    first = data[0]
    if isinstance(first.get("data"), dict):
        return any(k in first for k in ("annotations", "completions", "predictions"))
    return any(k in first for k in IMAGE_KEYS) and any(_is_min_values(v) for v in first.values())


def _is_min_values(value: object) -> bool:
    return isinstance(value, list) and any(isinstance(v, dict) and ("rectanglelabels" in v or "polygonlabels" in v)
                                           for v in value)


def read(path: Path, data: list, index: ImageIndex) -> list[ImageAnnotation]:
    if not is_label_studio(data):
        raise AnnotationError("not a Label Studio JSON export (no tasks with 'data' and 'annotations')")
    out = []
    for task in data:
        if not isinstance(task, dict):
            continue
        fields = task["data"] if isinstance(task.get("data"), dict) else task
        reference = next((str(fields[k]) for k in IMAGE_KEYS if k in fields), "")
        image, why = index.find(reference, path.parent)
        ann = ImageAnnotation(file=path, image=image, reference=reference, normalized=True)
        if why:
            ann.notes.append(why)
        for value in _results(task, ann):
            _read_value(ann, value)
        out.append(ann)
    return out


def _results(task: dict, ann: ImageAnnotation) -> list[dict]:
    """The values of the task's first annotation that was not cancelled (JSON-MIN: its label lists)."""
    if not isinstance(task.get("data"), dict):
        return [dict(v, type=_min_type(v)) for v in task.values() if _is_min_values(v) for v in v]
    runs = [a for a in (task.get("annotations") or task.get("completions") or []) if isinstance(a, dict)
            and not a.get("was_cancelled")]
    if len(runs) > 1:
        ann.notes.append(f"{len(runs)} annotations of this task: the first is imported")
    if not runs:
        return []
    values = []
    for result in runs[0].get("result") or []:
        if isinstance(result, dict) and isinstance(result.get("value"), dict):
            value = dict(result["value"], type=result.get("type"))
            for key in ("original_width", "original_height"):
                value.setdefault(key, result.get(key))
            values.append(value)
    return values


def _min_type(value: dict) -> str:
    return "rectanglelabels" if "rectanglelabels" in value else "polygonlabels"


def _read_value(ann: ImageAnnotation, value: dict) -> None:
    kind = value.get("type")
    labels = value.get(kind) if isinstance(value.get(kind), list) else []
    label = str(labels[0]) if labels else ""
    if value.get("original_width") and value.get("original_height"):
        ann.width, ann.height = int(value["original_width"]), int(value["original_height"])
    try:
        if not label:
            ann.notes.append(f"a '{kind}' result without a label, skipped")
        elif kind == "rectanglelabels":
            x, y, w, h = (number(value.get(k), k) / 100 for k in ("x", "y", "width", "height"))
            angle = number(value.get("rotation", 0) or 0, "rotation")
            if angle:
                ann.notes.append(f"'{label}' box rotated {angle:g} degrees: its upright bounding box is imported")
                x, y, w, h = _bounds_of_rotated(x, y, w, h, angle, ann)
            ann.boxes.append(Box(label, x, y, x + w, y + h))
        elif kind == "polygonlabels":
            points = [number(v, "a point") / 100 for p in value.get("points") or [] for v in p[:2]]
            ann.regions.append(Region(label, polygons=[points]))
        else:
            ann.notes.append(f"a '{kind}' result not imported (only rectangles and polygons are)")
    except (TypeError, ValueError, IndexError) as exc:
        ann.notes.append(f"'{label}' {kind}: {exc}, skipped")


def _bounds_of_rotated(x: float, y: float, w: float, h: float, angle: float, ann: ImageAnnotation):
    """The upright box around a box rotated about its top-left corner (in pixels when the size is known)."""
    sx, sy = (ann.width or 1), (ann.height or 1)
    a = math.radians(angle)
    corners = [(0, 0), (w * sx, 0), (w * sx, h * sy), (0, h * sy)]
    xs = [x * sx + cx * math.cos(a) - cy * math.sin(a) for cx, cy in corners]
    ys = [y * sy + cx * math.sin(a) + cy * math.cos(a) for cx, cy in corners]
    return min(xs) / sx, min(ys) / sy, (max(xs) - min(xs)) / sx, (max(ys) - min(ys)) / sy
