"""COCO JSON (object detection and instance segmentation), reading and writing.

``images`` (``id``, ``file_name``, ``width``, ``height``), ``categories`` (``id``, ``name``) and ``annotations``
(``image_id``, ``category_id``, ``bbox`` = ``[x, y, width, height]`` in pixels from the image's top-left corner,
``segmentation`` = polygons ``[[x1, y1, x2, y2, ...], ...]`` or RLE ``{"size": [h, w], "counts": ...}``,
``iscrowd``, ``area``). An annotation gives a box (its ``bbox``) and, with a segmentation, a mask of its category.
This program writes a mask that has no box of its own with ``"attributes": {"mask_only": true}`` (the attribute
dictionary Datumaro and CVAT write too), so reading it back gives no extra box.

``file_name`` is found relative to the JSON's folder, then by name. Several files are several splits; the split
comes from the file's name (``instances_val2017.json``) or its folder (Roboflow: ``valid/_annotations.coco.json``).
"""

from __future__ import annotations

from pathlib import Path

from .annotations import AnnotationError, Box, ImageAnnotation, ImageIndex, Region, number, split_from_name

MASK_ONLY = "mask_only"


def is_coco(data: object) -> bool:
    return isinstance(data, dict) and isinstance(data.get("images"), list) and \
        isinstance(data.get("annotations"), list)


def read(path: Path, data: dict, index: ImageIndex) -> list[ImageAnnotation]:
    """Every image of a COCO file with its boxes and masks; odd entries become notes of their image."""
    if not is_coco(data):
        raise AnnotationError("not COCO JSON (no 'images' and 'annotations' lists)")
    categories = {}
    for cat in data.get("categories") or []:
        if isinstance(cat, dict) and "id" in cat:
            categories[cat["id"]] = str(cat.get("name", f"class_{cat['id']}"))
    ordered = [categories[k] for k in sorted(categories, key=lambda k: (str(type(k)), k))]
    split = split_from_name(path.stem) or split_from_name(path.parent.name)
    by_id: dict[object, ImageAnnotation] = {}
    out = []
    for entry in data["images"]:
        if not isinstance(entry, dict) or "id" not in entry:
            continue
        reference = str(entry.get("file_name", ""))
        image, why = index.find(reference, path.parent)
        ann = ImageAnnotation(file=path, image=image, reference=reference, width=_size(entry, "width"),
                              height=_size(entry, "height"), split=split, classes=ordered)
        if why:
            ann.notes.append(why)
        by_id[entry["id"]] = ann
        out.append(ann)
    orphans = 0
    for k, item in enumerate(data["annotations"]):
        ann = by_id.get(item.get("image_id")) if isinstance(item, dict) else None
        if ann is None:
            orphans += 1
            continue
        label = categories.get(item.get("category_id"), f"class_{item.get('category_id')}")
        _add(ann, item, label, k)
    if orphans and out:
        out[0].notes.append(f"{orphans} annotation(s) name no image of the file, skipped")
    return out


def _size(entry: dict, key: str) -> int | None:
    try:
        return int(entry[key])
    except (KeyError, TypeError, ValueError):
        return None


def _add(ann: ImageAnnotation, item: dict, label: str, k: int) -> None:
    segmentation = item.get("segmentation")
    attributes = item.get("attributes") if isinstance(item.get("attributes"), dict) else {}
    mask_only = bool(attributes.get(MASK_ONLY))
    if isinstance(segmentation, dict):
        ann.regions.append(Region(label, rle=segmentation))
    elif isinstance(segmentation, list) and segmentation:
        polygons = [[float(v) for v in p] for p in segmentation if isinstance(p, list) and len(p) >= 6]
        if polygons:
            ann.regions.append(Region(label, polygons=polygons))
    bbox = item.get("bbox")
    if mask_only or bbox is None:
        return
    try:
        x, y, w, h = (number(v, "a bbox value") for v in bbox)
    except (TypeError, ValueError) as exc:
        ann.notes.append(f"annotation {item.get('id', k)} ('{label}'): bbox {bbox!r}: {exc}, skipped")
        return
    ann.boxes.append(Box(label, x, y, x + w, y + h, difficult=bool(attributes.get("difficult")),
                         truncated=bool(attributes.get("truncated")),
                         pose=str(attributes.get("pose") or "Unspecified")))


def document(images: list[dict], annotations: list[dict], names: list[str]) -> dict:
    """A COCO file: categories numbered 1.. in the project's class order (0 is left for the background)."""
    return {"info": {"description": "exported by labelstudio-desktop"}, "licenses": [],
            "images": images, "annotations": annotations,
            "categories": [{"id": k + 1, "name": name, "supercategory": ""} for k, name in enumerate(names)]}
