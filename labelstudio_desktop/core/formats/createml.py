"""CreateML JSON (Apple; also written by labelImg and Roboflow): a list of
``{"image": name, "annotations": [{"label", "coordinates": {"x", "y", "width", "height"}}]}`` where ``x, y`` is the
centre of the box in pixels."""

from __future__ import annotations

from pathlib import Path

from ..validate import AnnotationError, Invalid, number, shown, text
from .annotations import Box, ImageAnnotation, ImageIndex
from .registry import ReaderFormat, register_reader


def is_createml(data: object) -> bool:
    return isinstance(data, list) and bool(data) and isinstance(data[0], dict) and "image" in data[0] and \
        isinstance(data[0].get("annotations"), list) and \
        all(isinstance(a, dict) and "coordinates" in a for a in data[0]["annotations"])


def read(path: Path, data: list, index: ImageIndex, notes: list[str]) -> list[ImageAnnotation]:
    """Every image of a CreateML file with its boxes; odd boxes become notes of their image, odd entries notes of
    the file."""
    if not is_createml(data):
        raise AnnotationError("not CreateML JSON (no list of {'image', 'annotations'} with 'coordinates')")
    out = []
    for k, entry in enumerate(data, start=1):
        try:
            if not isinstance(entry, dict):
                raise Invalid(f"not an object ({shown(entry)})")
            reference = text(entry.get("image", ""), "image")
            items = entry.get("annotations") or []
            if not isinstance(items, list):
                raise Invalid(f"annotations is not a list ({shown(items)})")
        except Invalid as exc:
            notes.append(f"image {k}: {exc}, skipped")
            continue
        image, why = index.find(reference, path.parent)
        ann = ImageAnnotation(file=path, image=image, reference=reference)
        if why:
            ann.notes.append(why)
        for n, item in enumerate(items, start=1):
            try:
                ann.boxes.append(_box(item))
            except Invalid as exc:
                ann.notes.append(f"annotation {n}: {exc}, skipped")
        out.append(ann)
    return out


def _box(item: object) -> Box:
    if not isinstance(item, dict):
        raise Invalid(f"not an object ({shown(item)})")
    label = text(item.get("label", ""), "label")
    c = item.get("coordinates")
    if not isinstance(c, dict):
        raise Invalid(f"coordinates are not an object of x, y, width, height ({shown(c)})")
    x, y, w, h = (number(c.get(key), key) for key in ("x", "y", "width", "height"))
    return Box(label, x - w / 2, y - h / 2, x + w / 2, y + h / 2)


def entry(image: str, boxes: list[tuple[str, int, int, int, int]]) -> dict:
    return {"image": image, "annotations": [
        {"label": label, "coordinates": {"x": (x0 + x1) / 2, "y": (y0 + y1) / 2, "width": x1 - x0,
                                         "height": y1 - y0}} for label, x0, y0, x1, y1 in boxes]}


register_reader(ReaderFormat("createml", "CreateML JSON", 3, is_createml, read))
