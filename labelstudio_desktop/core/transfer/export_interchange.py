"""COCO and labelme exports.

``coco``::

    images/{split}/ID.jpg                 upright JPEG copies, safe names
    annotations/instances_{split}.json    images, annotations, categories (ids 1.. in the project's class order)

A box is an annotation with its ``bbox``; each mask (an instance: several masks of one label stay several) is an
annotation with its ``segmentation`` (compressed RLE, exact, or polygons along the pixels' outer edges: holes are
lost) and the mask's bounds as ``bbox``, marked ``"attributes": {"mask_only": true}`` so reading it back gives no
extra box. Difficult, truncated and pose go into ``attributes`` (as Datumaro writes them) when set.

``labelme``: ``ID.jpg`` (upright copy) and ``ID.json`` per image: rectangles for boxes, polygons for masks (the
parts of one mask share a ``group_id``).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..editing.class_list import object_class_names
from ..formats import coco, labelme
from ..formats.regions import mask_polygons, rle_encode
from ..fsutil import atomic_write
from ..jobs import JobToken
from ..store.masks import decoded_masks
from ..store.store import SPLITS, BoxRecord, ImageRecord, Store
from .export import (
    ExportError,
    ExportReport,
    _check_targets,
    each_file,
    export_states,
    images_with_boxes,
    note_unsplit,
    split_or_train,
    staged_writer,
    unique_ids,
    write_upright_copy,
)
from .export_registry import ExportFormat, register

MASK_FORMATS = ("rle", "polygons")


def _work(store: Store, include_pending: bool, report: ExportReport
          ) -> list[tuple[ImageRecord, list[BoxRecord], list[tuple[str, np.ndarray]]]]:
    """Images with boxes (or verified), and images with masks, each with its boxes and its masks (label, 0/1 array:
    one per stored mask, oldest first)."""
    states = export_states(include_pending)
    boxed = {img.id: (img, boxes) for img, boxes in images_with_boxes(store, include_pending, report)}
    out = []
    for img in store.images(include_excluded=False, include_missing=False):
        rows = [r for r in store.masks(img.id) if r["state"] in states]
        notes: list[str] = []
        masks = [(r["label"], mask) for r, mask in decoded_masks(rows, img.width, img.height, notes)]
        report.problems.extend((img.path, note) for note in notes)
        if img.id in boxed or masks:
            out.append((img, boxed[img.id][1] if img.id in boxed else [], masks))
    if out:
        report.nothing_because = ""
    return out


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
    todo = _work(store, include_pending, report)
    if not todo:  # nothing to write: report.nothing_because says why
        return
    names = object_class_names(store)
    ids = unique_ids([img.path for img, _b, _m in todo])
    splits = {img.path: img.split or "train" for img, _b, _m in todo}
    _check_targets([out / "images" / splits[img.path] / f"{ids[img.path]}.jpg" for img, _b, _m in todo] +
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
                                "attributes": {coco.MASK_ONLY: True}})
        report.images += 1
        report.objects += len(boxes) + len(masks)
        job.progress(n + 1, len(todo))
    for split in sorted(documents, key=SPLITS.index):
        images, annotations = documents[split]
        text = json.dumps(coco.document(images, annotations, names), ensure_ascii=False)
        atomic_write(out / "annotations" / f"instances_{split}.json", text.encode("utf-8"))
    note_unsplit(report)


def export_labelme(store: Store, out: Path, include_pending: bool, overwrite: bool, job: JobToken,
                   report: ExportReport) -> None:
    todo = _work(store, include_pending, report)
    if not todo:  # nothing to write: report.nothing_because says why
        return
    ids = unique_ids([img.path for img, _b, _m in todo])
    _check_targets([out / f"{ids[img.path]}.{e}" for img, _b, _m in todo for e in ("jpg", "json")], overwrite)
    for n, (img, boxes, masks) in enumerate(todo):
        job.check()
        with each_file(report, img.path):
            if not write_upright_copy(store, img, out / f"{ids[img.path]}.jpg", report):
                continue
            shapes = [labelme.shape(b.label, "rectangle", [[b.x0, b.y0], [b.x1, b.y1]]) for b in boxes]
            groups = 0
            for label, mask in masks:
                polygons = mask_polygons(mask)
                group = None
                if len(polygons) > 1:  # the parts of one mask: one instance, as labelme groups shapes
                    groups += 1
                    group = groups
                for polygon in polygons:
                    shapes.append(labelme.shape(label, "polygon", np.asarray(polygon).reshape(-1, 2).tolist(), group))
            doc = labelme.document(f"{ids[img.path]}.jpg", img.width, img.height, shapes)
            atomic_write(out / f"{ids[img.path]}.json", json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8"))
            report.images += 1
            report.objects += len(shapes)
        job.progress(n + 1, len(todo))


register(ExportFormat("coco", "COCO JSON (boxes and masks)", "annotations/instances_{split}.json and images/{split}: "
                      "pycocotools, Detectron2, MMDetection, CVAT.", ("mask_format",),
                      {"mask_format": MASK_FORMATS}, staged_writer("coco", export_coco, "mask_format")))
register(ExportFormat("labelme", "labelme JSON (boxes and masks)", "A JSON and an upright JPEG per image: rectangles "
                      "and polygons that labelme opens.", (), {}, staged_writer("labelme", export_labelme)))
