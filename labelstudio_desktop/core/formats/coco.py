"""COCO JSON (object detection and instance segmentation), reading and writing.

``images`` (``id``, ``file_name``, ``width``, ``height``), ``categories`` (``id``, ``name``) and ``annotations``
(``image_id``, ``category_id``, ``bbox`` = ``[x, y, width, height]`` in pixels from the image's top-left corner,
``segmentation`` = polygons ``[[x1, y1, x2, y2, ...], ...]`` or RLE ``{"size": [h, w], "counts": ...}``,
``iscrowd``, ``area``). An annotation gives a box (its ``bbox``) and, with a segmentation, a mask of its category.
This program writes a mask that has no box of its own with ``"attributes": {"mask_only": true}`` (the attribute
dictionary Datumaro and CVAT write too), so reading it back gives no extra box.

``file_name`` is found relative to the JSON's folder, then by name. Several files are several splits; the split
comes from the file's name (``instances_val2017.json``) or its folder (Roboflow: ``valid/_annotations.coco.json``).

The ``coco`` export::

    images/{split}/ID.jpg                 upright JPEG copies, safe names
    annotations/instances_{split}.json    images, annotations, categories (ids 1.. in the project's class order)

A box is an annotation with its ``bbox``; each mask (an instance: several masks of one label stay several) is an
annotation with its ``segmentation`` (compressed RLE, exact, or polygons along the pixels' outer edges: holes are
lost) and the mask's bounds as ``bbox``, marked ``mask_only``. Difficult, truncated and pose go into ``attributes``
(as Datumaro writes them) when set.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..editing.class_list import object_class_names
from ..fsutil import atomic_write
from ..jobs import JobToken
from ..store.store import SPLITS, BoxRecord, Store
from ..validate import AnnotationError, Invalid, identifier, numbers, polygon, shown, side, text
from .annotations import Box, ImageAnnotation, ImageIndex, Region, split_from_name
from .regions import mask_polygons, rle_encode, rle_frame
from .registry import ExportFormat, ReaderFormat, register_export, register_reader
from .writing import (
    ExportError,
    ExportReport,
    check_targets,
    images_with_boxes_and_masks,
    note_unsplit,
    split_or_train,
    staged_writer,
    unique_ids,
    write_upright_copy,
)

MASK_ONLY = "mask_only"
MASK_FORMATS = ("rle", "polygons")  # of the coco export


def is_coco(data: object) -> bool:
    return isinstance(data, dict) and isinstance(data.get("images"), list) and \
        isinstance(data.get("annotations"), list)


def read(path: Path, data: dict, index: ImageIndex, notes: list[str]) -> list[ImageAnnotation]:
    """Every image of a COCO file with its boxes and masks; odd entries become notes of their image (or, when no
    image can be told, of the file: ``notes``)."""
    if not is_coco(data):
        raise AnnotationError("not COCO JSON (no 'images' and 'annotations' lists)")
    categories = _categories(data.get("categories"), notes)
    ordered = [categories[k] for k in sorted(categories, key=lambda k: (str(type(k)), k))]
    split = split_from_name(path.stem) or split_from_name(path.parent.name)
    by_id: dict[object, ImageAnnotation] = {}
    out = []
    for k, entry in enumerate(data["images"], start=1):
        try:
            if not isinstance(entry, dict):
                raise Invalid(f"not an object ({shown(entry)})")
            image_id = identifier(entry.get("id"), "id")
            reference = text(entry.get("file_name", ""), "file_name")
        except Invalid as exc:
            notes.append(f"image {k}: {exc}, skipped")
            continue
        image, why = index.find(reference, path.parent)
        ann = ImageAnnotation(file=path, image=image, reference=reference, split=split, classes=ordered)
        ann.width, ann.height = (side(entry.get(key), f"image {k}: {key}", ann.notes) for key in ("width", "height"))
        if why:
            ann.notes.append(why)
        by_id[image_id] = ann
        out.append(ann)
    orphans = 0
    for k, item in enumerate(data["annotations"], start=1):
        if not isinstance(item, dict):
            notes.append(f"annotation {k}: not an object ({shown(item)}), skipped")
            continue
        name = f"annotation {shown(item['id'])}" if "id" in item else f"annotation {k}"
        try:
            ann = by_id.get(identifier(item.get("image_id"), "image_id"))
            category = identifier(item.get("category_id"), "category_id")
        except Invalid as exc:
            notes.append(f"{name}: {exc}, skipped")
            continue
        if ann is None:
            orphans += 1
            continue
        _add(ann, item, categories.get(category, f"class_{category}"), name)
    if orphans:
        notes.append(f"{orphans} annotation(s) name no image of the file, skipped")
    return out


def _categories(raw: object, notes: list[str]) -> dict[int | str, str]:
    """Category names by id; a category without a usable id or name is a note."""
    if raw is not None and not isinstance(raw, list):
        notes.append(f"categories: not a list ({shown(raw)}), classes named class_<id>")
        raw = None
    categories: dict[int | str, str] = {}
    for k, cat in enumerate(raw or [], start=1):
        try:
            if not isinstance(cat, dict):
                raise Invalid(f"not an object ({shown(cat)})")
            cat_id = identifier(cat.get("id"), "id")
            categories[cat_id] = text(cat["name"], "name") if "name" in cat else f"class_{cat_id}"
        except Invalid as exc:
            notes.append(f"category {k}: {exc}, skipped")
    return categories


def _add(ann: ImageAnnotation, item: dict, label: str, name: str) -> None:
    """The box and the mask of one annotation; each part that is not usable is a note naming it."""
    where = f"{name} ('{label}')"
    attributes = item.get("attributes") if isinstance(item.get("attributes"), dict) else {}
    segmentation = item.get("segmentation")
    try:
        if isinstance(segmentation, dict):
            ann.regions.append(Region(label, rle=segmentation, frame=rle_frame(segmentation), record=name))
        elif isinstance(segmentation, list):
            polygons = []
            for n, flat in enumerate(segmentation, start=1):
                try:
                    polygons.append(polygon(flat, f"polygon {n}"))
                except Invalid as exc:
                    ann.notes.append(f"{where}: {exc}: skipped")
            if polygons:
                ann.regions.append(Region(label, polygons=polygons, record=name))
        elif segmentation is not None:
            raise Invalid(f"segmentation is neither polygons nor an RLE ({shown(segmentation)})")
    except Invalid as exc:
        ann.notes.append(f"{where}: {exc}: mask skipped")
    bbox = item.get("bbox")
    if attributes.get(MASK_ONLY) or bbox is None:
        return
    try:
        x, y, w, h = numbers(bbox, 4, "bbox")
    except Invalid as exc:
        ann.notes.append(f"{where}: {exc}: box skipped")
        return
    pose = attributes.get("pose")
    ann.boxes.append(Box(label, x, y, x + w, y + h, difficult=bool(attributes.get("difficult")),
                         truncated=bool(attributes.get("truncated")),
                         pose=pose if isinstance(pose, str) and pose else "Unspecified"))


def document(images: list[dict], annotations: list[dict], names: list[str]) -> dict:
    """A COCO file: categories numbered 1.. in the project's class order (0 is left for the background)."""
    return {"info": {"description": "exported by labelstudio-desktop"}, "licenses": [],
            "images": images, "annotations": annotations,
            "categories": [{"id": k + 1, "name": name, "supercategory": ""} for k, name in enumerate(names)]}


# ------------------------------------------------------------------ writing: the coco export
def _box_attributes(b: BoxRecord) -> dict:
    attributes = {}
    if b.difficult:
        attributes["difficult"] = True
    if b.truncated:
        attributes["truncated"] = True
    if b.pose and b.pose != "Unspecified":
        attributes["pose"] = b.pose
    return attributes


def export_coco(store: Store, out: Path, include_pending: bool, overwrite: bool, job: JobToken,
                report: ExportReport, mask_format: str = "rle") -> None:
    if mask_format not in MASK_FORMATS:
        raise ExportError(f"unknown mask format {mask_format!r}; choose one of {', '.join(MASK_FORMATS)}")
    todo = images_with_boxes_and_masks(store, include_pending, report)
    if not todo:  # nothing to write: report.nothing_because says why
        return
    names = object_class_names(store)
    ids = unique_ids([img.path for img, _b, _m in todo])
    splits = {img.path: img.split or "train" for img, _b, _m in todo}
    check_targets([out / "images" / splits[img.path] / f"{ids[img.path]}.jpg" for img, _b, _m in todo] +
                   [out / "annotations" / f"instances_{s}.json" for s in set(splits.values())], overwrite)
    documents: dict[str, tuple[list, list]] = {}
    for n, (img, boxes, masks) in enumerate(todo):
        job.check()
        if not write_upright_copy(store, img, out / "images" / splits[img.path] / f"{ids[img.path]}.jpg", report):
            continue
        split = split_or_train(img, report)
        images, annotations = documents.setdefault(split, ([], []))
        image_id = len(images) + 1
        images.append({"id": image_id, "file_name": f"{ids[img.path]}.jpg", "width": img.width,
                       "height": img.height})
        for b in boxes:
            w, h = b.x1 - b.x0, b.y1 - b.y0
            annotations.append({"id": len(annotations) + 1, "image_id": image_id,
                                "category_id": names.index(b.label) + 1, "bbox": [b.x0, b.y0, w, h],
                                "area": w * h, "iscrowd": 0, "segmentation": [],
                                "attributes": _box_attributes(b)})
        for label, mask in masks:
            ys, xs = np.nonzero(mask)
            if not len(xs):
                continue
            segmentation = rle_encode(mask) if mask_format == "rle" else mask_polygons(mask)
            annotations.append({"id": len(annotations) + 1, "image_id": image_id,
                                "category_id": names.index(label) + 1,
                                "bbox": [int(xs.min()), int(ys.min()), int(xs.max() - xs.min() + 1),
                                         int(ys.max() - ys.min() + 1)],
                                "area": int(mask.sum()), "iscrowd": 0, "segmentation": segmentation,
                                "attributes": {MASK_ONLY: True}})
        report.images += 1
        report.objects += len(boxes) + len(masks)
        job.progress(n + 1, len(todo))
    for split in sorted(documents, key=SPLITS.index):
        images, annotations = documents[split]
        text = json.dumps(document(images, annotations, names), ensure_ascii=False)
        atomic_write(out / "annotations" / f"instances_{split}.json", text.encode("utf-8"))
    note_unsplit(report)


register_reader(ReaderFormat("coco", "COCO JSON", 0, is_coco, read))
register_export(ExportFormat("coco", "COCO JSON (boxes and masks)", "annotations/instances_{split}.json and "
                             "images/{split}: pycocotools, Detectron2, MMDetection, CVAT.", ("mask_format",),
                             {"mask_format": MASK_FORMATS}, staged_writer("coco", export_coco, "mask_format"), rank=50))
