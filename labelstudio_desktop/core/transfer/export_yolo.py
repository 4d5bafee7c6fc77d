"""YOLO exports: ``yolo`` (the layout ultralytics loads, which darknet and labelImg read too) and ``yolov3``
(keras-yolo3's annotation lines).

``yolo``::

    images/{split}/ID.jpg   upright JPEG copies, safe ASCII names
    labels/{split}/ID.txt   ``class cx cy w h`` per box, as ultralytics' VOC converter computes them
    labels/{split}/classes.txt   where labelImg looks for the class names (beside the label files)
    data.yaml               ultralytics: path, train/val/test image folders, names by id

``yolov3``: ``JPEGImages/ID.jpg`` (upright, safe names: keras-yolo3 splits lines on white space and cannot turn a photo
by its EXIF), ``train.txt`` / ``val.txt`` / ``test.txt`` of ``path x_min,y_min,x_max,y_max,class_id ...`` (VOC's
1-based integers, difficult boxes left out as its ``voc_annotation.py`` does) and ``classes.txt``.

Class ids are the project's class list (:mod:`.class_list`).
"""

from __future__ import annotations

from pathlib import Path

from ..editing.class_list import object_class_names
from ..formats.yolo import data_yaml, label_line, name_file_names
from ..fsutil import atomic_write
from ..jobs import JobToken
from ..store.store import SPLITS, Store
from .export import (
    ExportReport,
    _check_targets,
    each_file,
    images_with_boxes,
    note_unsplit,
    split_or_train,
    staged_writer,
    unique_ids,
    write_upright_copy,
)
from .export_registry import ExportFormat, register


def _images_classes_ids(store: Store, include_pending: bool, report: ExportReport) -> tuple[list, list, dict]:
    """The images to export with their boxes, the project's class names, and each image's file id."""
    todo = images_with_boxes(store, include_pending, report)
    return todo, object_class_names(store), unique_ids([img.path for img, _boxes in todo])


def _name_lines(names: list[str], report: ExportReport) -> str:
    """``classes.txt``: one name a line, so line k is class id k (a name's line breaks written as ``_``)."""
    written, changed = name_file_names(names)
    if changed:
        shown = ", ".join(f"{n!r} as {w!r}" for n, w in zip(names, written, strict=True) if n != w)
        report.problems.append(("classes.txt", f"{len(changed)} class name(s) with a line break, a control "
                                               f"character or outer white space written as one line: {shown}"))
    return "".join(f"{w}\n" for w in written)


def export_yolo(store: Store, out: Path, include_pending: bool, overwrite: bool, job: JobToken,
                report: ExportReport) -> None:
    todo, names, ids = _images_classes_ids(store, include_pending, report)
    if not todo:  # nothing to write: report.nothing_because says why
        return
    splits = {img.path: img.split or "train" for img, _boxes in todo}
    targets = [out / "data.yaml"] + [out / d / splits[img.path] / f"{ids[img.path]}.{e}" for img, _b in todo
                                     for d, e in (("images", "jpg"), ("labels", "txt"))]
    _check_targets(targets, overwrite)
    used: set[str] = set()
    for n, (img, boxes) in enumerate(todo):
        job.check()
        with each_file(report, img.path):
            if not write_upright_copy(store, img, out / "images" / splits[img.path] / f"{ids[img.path]}.jpg",
                                      report):
                continue
            split = split_or_train(img, report)
            rows = [label_line(names.index(b.label), b.x0, b.y0, b.x1, b.y1, img.width, img.height) for b in boxes]
            atomic_write(out / "labels" / split / f"{ids[img.path]}.txt", "".join(r + "\n" for r in rows).encode())
            used.add(split)
            report.images += 1
            report.objects += len(rows)
        job.progress(n + 1, len(todo))
    text = _name_lines(names, report)
    for split in used:
        atomic_write(out / "labels" / split / "classes.txt", text.encode("utf-8"))
    folders = {s: f"images/{s}" for s in SPLITS if s in used}
    if "val" not in folders and folders:
        folders["val"] = folders.get("train", next(iter(folders.values())))
        report.problems.append(("data.yaml", "no image in val: ultralytics needs one, val names the train images"))
    written = name_file_names(names)[0]
    atomic_write(out / "data.yaml", data_yaml(out, written, dict(sorted(folders.items(), key=_split_order))).encode())
    note_unsplit(report)


def _split_order(item: tuple[str, str]) -> int:
    return SPLITS.index(item[0])


def export_yolov3(store: Store, out: Path, include_pending: bool, overwrite: bool, job: JobToken,
                  report: ExportReport) -> None:
    todo, names, ids = _images_classes_ids(store, include_pending, report)
    if not todo:  # nothing to write: report.nothing_because says why
        return
    lists = [out / f"{s}.txt" for s in SPLITS] + [out / "classes.txt"]
    _check_targets(lists + [out / "JPEGImages" / f"{ids[img.path]}.jpg" for img, _b in todo], overwrite)
    relative = any(ch.isspace() for ch in str(out))
    lines: dict[str, list[str]] = {s: [] for s in SPLITS}
    for n, (img, boxes) in enumerate(todo):
        job.check()
        jpeg = out / "JPEGImages" / f"{ids[img.path]}.jpg"
        if not write_upright_copy(store, img, jpeg, report):
            continue
        kept = [b for b in boxes if not b.difficult]
        parts = [jpeg.relative_to(out).as_posix() if relative else str(jpeg)]
        parts += [f"{b.x0 + 1},{b.y0 + 1},{b.x1},{b.y1},{names.index(b.label)}" for b in kept]
        lines[split_or_train(img, report)].append(" ".join(parts))
        report.images += 1
        report.objects += len(kept)
        job.progress(n + 1, len(todo))
    for split, rows in lines.items():
        atomic_write(out / f"{split}.txt", "".join(r + "\n" for r in rows).encode("utf-8"))
    atomic_write(out / "classes.txt", _name_lines(names, report).encode("utf-8"))
    if relative:
        report.problems.append(("", f"{out} has white space, which keras-yolo3 splits lines on: image paths are "
                                    "relative to it; run train.py from there"))
    difficult = sum(b.difficult for _img, boxes in todo for b in boxes)
    if difficult:
        report.problems.append(("", f"{difficult} difficult box(es) left out, as keras-yolo3's voc_annotation.py "
                                    "does"))
    note_unsplit(report)


register(ExportFormat("yolo", "YOLO (boxes)", "images/{split}, labels/{split} and data.yaml that Ultralytics trains "
                      "on; classes.txt beside the labels for labelImg and darknet.", (), {},
                      staged_writer("yolo", export_yolo)))
register(ExportFormat("yolov3", "YOLOv3-keras (boxes)", "train.txt, val.txt, test.txt of keras-yolo3 annotation "
                      "lines with upright JPEG copies and classes.txt.", (), {},
                      staged_writer("yolov3", export_yolov3)))
