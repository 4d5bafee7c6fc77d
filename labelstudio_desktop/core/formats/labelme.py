"""labelme JSON: one file per image (``imagePath``, ``imageWidth``, ``imageHeight``, ``shapes``).

A shape is ``{"label", "points": [[x, y], ...], "shape_type", "group_id", "flags"}`` in pixels: a ``rectangle`` (two
corners) becomes a box, a ``polygon`` a mask of its label (an instance); polygons of one label that share a
``group_id`` are one instance (one mask), as labelme's own ``labelme2coco`` groups them. Circles, lines and points
are named in a note.
"""

from __future__ import annotations

from pathlib import Path

from .annotations import AnnotationError, Box, ImageAnnotation, ImageIndex, Region, number

VERSION = "5.4.1"


def is_labelme(data: object) -> bool:
    return isinstance(data, dict) and isinstance(data.get("shapes"), list) and \
        ("imagePath" in data or "imageHeight" in data)


def read(path: Path, data: dict, index: ImageIndex) -> list[ImageAnnotation]:
    if not is_labelme(data):
        raise AnnotationError("not a labelme file (no 'shapes' list and 'imagePath')")
    reference = str(data.get("imagePath") or "")
    image, why = index.find(reference, path.parent) if reference else (None, "no imagePath")
    if image is None:  # labelme names the JSON after the image: a.json beside a.jpg
        for candidate in sorted(path.parent.glob(path.stem + ".*")):
            if candidate.resolve() in index.images:
                image, why = candidate.resolve(), None
                break
    ann = ImageAnnotation(file=path, image=image, reference=reference or path.stem,
                          width=_int(data.get("imageWidth")), height=_int(data.get("imageHeight")))
    if why:
        ann.notes.append(why)
    skipped: dict[str, int] = {}
    groups: dict[tuple[str, object], Region] = {}
    for k, shape in enumerate(data["shapes"], start=1):
        if not isinstance(shape, dict):
            continue
        label = str(shape.get("label") or "")
        kind = shape.get("shape_type") or "polygon"
        try:
            points = [(number(p[0], "x"), number(p[1], "y")) for p in shape.get("points") or []]
        except (TypeError, ValueError, IndexError) as exc:
            ann.notes.append(f"shape {k} ('{label}'): points: {exc}, skipped")
            continue
        if not label:
            ann.notes.append(f"shape {k}: no label, skipped")
        elif kind == "rectangle" and len(points) == 2:
            (xa, ya), (xb, yb) = points
            ann.boxes.append(Box(label, min(xa, xb), min(ya, yb), max(xa, xb), max(ya, yb)))
        elif kind == "polygon" and len(points) >= 3:
            flat = [v for p in points for v in p]
            group = shape.get("group_id")
            if group is not None and (label, str(group)) in groups:
                groups[label, str(group)].polygons.append(flat)
                continue
            ann.regions.append(Region(label, polygons=[flat]))
            if group is not None:
                groups[label, str(group)] = ann.regions[-1]
        else:
            skipped[kind] = skipped.get(kind, 0) + 1
    for kind, n in skipped.items():
        ann.notes.append(f"{n} '{kind}' shape(s) not imported (only rectangles and polygons are)")
    return [ann]


def _int(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def document(image_path: str, width: int, height: int, shapes: list[dict]) -> dict:
    return {"version": VERSION, "flags": {}, "shapes": shapes, "imagePath": image_path, "imageData": None,
            "imageHeight": height, "imageWidth": width}


def shape(label: str, kind: str, points: list[list[float]], group_id: int | None = None) -> dict:
    return {"label": label, "points": points, "group_id": group_id, "description": "", "shape_type": kind,
            "flags": {}}
