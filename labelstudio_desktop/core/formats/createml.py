"""CreateML JSON (Apple; also written by labelImg and Roboflow): a list of
``{"image": name, "annotations": [{"label", "coordinates": {"x", "y", "width", "height"}}]}`` where ``x, y`` is the
centre of the box in pixels."""

from __future__ import annotations

from pathlib import Path

from .annotations import AnnotationError, Box, ImageAnnotation, ImageIndex, number


def is_createml(data: object) -> bool:
    return isinstance(data, list) and bool(data) and isinstance(data[0], dict) and "image" in data[0] and \
        isinstance(data[0].get("annotations"), list) and \
        all(isinstance(a, dict) and "coordinates" in a for a in data[0]["annotations"])


def read(path: Path, data: list, index: ImageIndex) -> list[ImageAnnotation]:
    if not is_createml(data):
        raise AnnotationError("not CreateML JSON (no list of {'image', 'annotations'} with 'coordinates')")
    out = []
    for entry in data:
        if not isinstance(entry, dict):
            continue
        reference = str(entry.get("image", ""))
        image, why = index.find(reference, path.parent)
        ann = ImageAnnotation(file=path, image=image, reference=reference)
        if why:
            ann.notes.append(why)
        for k, item in enumerate(entry.get("annotations") or [], start=1):
            label = str(item.get("label", "")) if isinstance(item, dict) else ""
            try:
                c = item["coordinates"]
                x, y, w, h = (number(c[key], key) for key in ("x", "y", "width", "height"))
            except (KeyError, TypeError, ValueError) as exc:
                ann.notes.append(f"annotation {k} ('{label}'): coordinates: {exc}, skipped")
                continue
            ann.boxes.append(Box(label, x - w / 2, y - h / 2, x + w / 2, y + h / 2))
        out.append(ann)
    return out


def entry(image: str, boxes: list[tuple[str, int, int, int, int]]) -> dict:
    return {"image": image, "annotations": [
        {"label": label, "coordinates": {"x": (x0 + x1) / 2, "y": (y0 + y1) / 2, "width": x1 - x0,
                                         "height": y1 - y0}} for label, x0, y0, x1, y1 in boxes]}
