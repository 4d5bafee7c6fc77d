"""The segmentation export: a Pascal VOC segmentation set that torchvision, TensorFlow and Datumaro read.

Written into ``--out`` (``layout="flat"``, as Datumaro and CVAT write VOC) or ``--out/VOCdevkit/VOC2012``
(``layout="vocdevkit"``, where ``torchvision.datasets.VOCSegmentation(root=OUT)`` looks)::

    JPEGImages/<id>.jpg               upright JPEG copies (the original bytes when already upright RGB JPEG)
    SegmentationClass/<id>.png        palette PNG, VOC colours: index = class id, 0 background, 255 border
    SegmentationClassRaw/<id>.png     the same indices as plain grey: tf.io.decode_png returns a palette PNG's
                                      *colours* (RGB), not its indices; DeepLab's TF pipeline reads this folder
    SegmentationObject/<id>.png       palette PNG, one index per connected component of each mask (instance),
                                      255 border
    ImageSets/Segmentation/{train,val,test,trainval}.txt   ids by the project's split
    labelmap.txt                      ``name:r,g,b::`` (index = line order), classes.txt (one name a line)

Class indices are the project's class list (:func:`.class_list.object_class_names`): index k + 1 is the class YOLO
exports number k and COCO exports k + 1, and it stays put when a class loses its last mask. Only images with a mask
are exported; accepted masks only unless ``include_pending`` (pending masks cut at 0.5).
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from ..editing.class_list import object_class_names
from ..formats.masks import IGNORE_INDEX, grey_png, labelmap_name, labelmap_text, palette_png
from ..fsutil import atomic_write
from ..images import ImageProblem
from ..jobs import JobToken
from ..store.masks import decoded_masks
from ..store.store import SPLITS, ImageRecord, Store
from .export import (
    ExportError,
    ExportReport,
    _check_targets,
    _jpeg_bytes,
    each_file,
    export_states,
    exportable_images,
    nothing_to_export,
    unique_ids,
)
from .export_registry import ExportFormat, register
from .staging import staged_export

MASK_LAYOUTS = {"flat": "", "labelimg": "", "vocdevkit": "VOCdevkit/VOC2012"}
FOLDERS = ("JPEGImages", "SegmentationClass", "SegmentationClassRaw", "SegmentationObject")
MAX_INDEX = IGNORE_INDEX - 1


def images_with_masks(store: Store, states: tuple[str, ...]) -> list[tuple[ImageRecord, list]]:
    """Usable images with at least one mask in ``states``, each with those masks (oldest first)."""
    out = []
    for img in exportable_images(store):
        rows = [r for r in store.masks(img.id) if r["state"] in states]
        if rows:
            out.append((img, rows))
    return out


def label_masks(rows: list, width: int, height: int, notes: list[str] | None) -> dict[str, np.ndarray]:
    """The union of each label's masks as 0/1 arrays (a pending mask cut at 0.5, as training reads masks); a mask
    that cannot be used is left out with a note (:func:`.masks.decoded_masks`)."""
    by_label: dict[str, np.ndarray] = {}
    for r, m in decoded_masks(rows, width, height, notes):
        by_label[r["label"]] = by_label[r["label"]] | m if r["label"] in by_label else m
    return by_label


def components(mask: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
    """8-connected components of a 0/1 mask: their count, the label image and stats (x, y, w, h, area) by label."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    return n - 1, labels, stats


def border_band(index: np.ndarray, width: int) -> np.ndarray:
    """Pixels within ``width`` pixels of a change of index (VOC's "void" band around each region)."""
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * width + 1, 2 * width + 1))
    return cv2.dilate(index, kernel) != cv2.erode(index, kernel)


def export_masks(store: Store, out: Path, include_pending: bool = False, overwrite: bool = False, border: int = 0,
                 layout: str = "flat", job: JobToken | None = None) -> ExportReport:
    """Write the VOC segmentation set of the project's masks into ``out`` (see the module's docstring)."""
    job = job or JobToken()
    if layout not in MASK_LAYOUTS:
        raise ExportError(f"unknown layout {layout!r} for masks; choose flat or vocdevkit")
    if border < 0:
        raise ExportError(f"--border must be 0 or more pixels (got {border})")
    out = Path(out).resolve()
    base = out / MASK_LAYOUTS[layout] if MASK_LAYOUTS[layout] else out
    report = ExportReport(layout=f"masks ({'VOCdevkit/VOC2012' if MASK_LAYOUTS[layout] else 'flat'})", out=out)
    todo = images_with_masks(store, export_states(include_pending))
    if not todo:
        report.nothing_because = nothing_to_export(store, "masks", include_pending)
        return report
    classes = object_class_names(store)
    if len(classes) > MAX_INDEX:
        raise ExportError(f"{len(classes)} object classes in the project's class list: a VOC index PNG holds at "
                          f"most {MAX_INDEX}")
    ids = unique_ids([img.path for img, _rows in todo])
    sets = base / "ImageSets" / "Segmentation"
    targets = [base / folder / f"{ids[img.path]}.{'jpg' if folder == 'JPEGImages' else 'png'}"
               for img, _rows in todo for folder in FOLDERS]
    targets += [sets / f"{name}.txt" for name in (*SPLITS, "trainval")] + [base / "labelmap.txt",
                                                                            base / "classes.txt"]
    _check_targets(targets, overwrite)
    listed: dict[str, list[str]] = {s: [] for s in SPLITS}
    for n, (img, rows) in enumerate(todo):
        job.check()
        ident = ids[img.path]
        try:
            jpeg, reencoded = _jpeg_bytes(store.abs_path(img))
        except (ImageProblem, OSError) as exc:
            report.problems.append((img.path, f"skipped: {exc}"))
            continue
        notes: list[str] = []
        masks = decoded_masks(rows, img.width, img.height, notes)
        report.problems.extend((img.path, note) for note in notes)
        if not masks:
            report.problems.append((img.path, "skipped: none of its masks can be used"))
            continue
        class_index, object_index, instances = _index_images(masks, img.width, img.height, classes, img.path, report)
        if border:
            class_index[border_band(class_index, border)] = IGNORE_INDEX
            object_index[border_band(object_index, border)] = IGNORE_INDEX
        with each_file(report, img.path):
            atomic_write(base / "JPEGImages" / f"{ident}.jpg", jpeg)
            atomic_write(base / "SegmentationClass" / f"{ident}.png", palette_png(class_index))
            atomic_write(base / "SegmentationClassRaw" / f"{ident}.png", grey_png(class_index))
            atomic_write(base / "SegmentationObject" / f"{ident}.png", palette_png(object_index))
            if img.split is None:
                report.unsplit += 1
            listed[img.split or "train"].append(ident)
            report.images += 1
            report.objects += instances
            report.reencoded += int(reencoded)
        job.progress(n + 1, len(todo))
    for name, idents in (*listed.items(), ("trainval", listed["train"] + listed["val"])):
        atomic_write(sets / f"{name}.txt", "".join(f"{i}\n" for i in idents).encode("utf-8"))
    atomic_write(base / "labelmap.txt", labelmap_text(classes).encode("utf-8"))
    atomic_write(base / "classes.txt", "".join(f"{labelmap_name(c)}\n" for c in ["background", *classes]).encode())
    renamed = [c for c in classes if labelmap_name(c) != c]
    if renamed:
        report.problems.append(("labelmap.txt", f"{len(renamed)} label(s) with ':' or a line break written with "
                                                f"'_' instead: {', '.join(map(repr, renamed[:3]))}"))
    if report.unsplit:
        report.problems.append(("", f"{report.unsplit} image(s) without a split were listed in train"))
    return report


def _index_images(decoded: list, width: int, height: int, classes: list[str], path: str,
                  report: ExportReport) -> tuple[np.ndarray, np.ndarray, int]:
    """The class index image (labels in class order, a later class over an earlier one where masks overlap) and
    the object index image: one index per connected component of each stored mask (an instance imported from COCO
    or labelme stays apart from a touching one of its class), in class order, then the masks' order, then position."""
    masks = sorted(((r["label"], mask) for r, mask in decoded), key=lambda item: classes.index(item[0]))
    class_index = np.zeros((height, width), np.uint8)
    object_index = np.zeros((height, width), np.uint8)
    instances = 0
    for label, mask in masks:
        class_index[mask > 0] = classes.index(label) + 1
    for _label, mask in masks:
        count, labels, _stats = components(mask)
        for k in range(1, count + 1):
            if instances == MAX_INDEX:
                report.problems.append((path, f"more than {MAX_INDEX} objects: the rest left out of "
                                              "SegmentationObject"))
                return class_index, object_index, instances
            instances += 1
            object_index[labels == k] = instances
    return class_index, object_index, instances


def _write_masks(store: Store, out: Path, include_pending: bool, overwrite: bool, job: JobToken, border: int = 0,
                 layout: str = "flat", **_) -> ExportReport:
    with staged_export(store.root, out):  # a killed export leaves nothing half-written in ``out``
        return export_masks(store, out, include_pending, overwrite, border=border, layout=layout, job=job)


register(ExportFormat("masks", "VOC segmentation set (masks)", "Read by torchvision's VOCSegmentation, TensorFlow "
                      "DeepLab, Datumaro and CVAT.", ("layout", "border"), {"layout": ("flat", "vocdevkit")},
                      _write_masks))
