"""YOLO txt labels: darknet and labelImg (``classes.txt``), ultralytics (``data.yaml``, ``images/{split}`` +
``labels/{split}``), YOLO-seg polygons.

A line is ``class cx cy w h`` normalised to 0..1 (a polygon: ``class x1 y1 x2 y2 ...``). Boxes follow the common
convention, in continuous pixel coordinates: a box covering pixels ``x0 .. x1 - 1`` (our 0-based edges ``x0, x1``) is
``cx = (x0 + x1) / 2 / W`` and ``w = (x1 - x0) / W``, as CVAT, Roboflow, Label Studio, X-AnyLabeling and most
converters write it; reading takes ``cx - w / 2`` and ``cx + w / 2`` back as the edges. So a YOLO file round-trips
through import and export unchanged, and VOC -> YOLO -> VOC is exact. (Ultralytics' one VOC conversion script writes
``cx = (xmin + xmax) / 2 - 1``, ``w = xmax - xmin`` from 1-based VOC: its boxes read one pixel short at the far edges,
half a pixel at most off the object's centre, which a file cannot tell from the common convention.)

Where a label file is found for an image: beside it (``a.jpg`` + ``a.txt``, labelImg), in the ``labels`` folder that
stands where the image has ``images`` (ultralytics, Roboflow), or by stem in an ``--annotations`` folder. Class names
come from a ``data.yaml`` (``names``: a list or ``{id: name}``), else from ``classes.txt`` / ``obj.names`` / ``*.names``
next to the labels or in a folder above; without one, classes are named ``class_<id>``.

Splits of an ultralytics dataset come from its ``data.yaml`` (:func:`yaml_splits`): ``train``, ``val`` and ``test``
are each a folder of images, a ``.txt`` list of image paths, or a list of either, relative to ``path`` (resolved as
ultralytics' ``check_det_dataset`` does; a ``path`` that does not exist, such as the absolute one of a moved export,
falls back to the YAML's folder). In a list file, ``./x.jpg`` is relative to the list's folder (as ultralytics reads
it); other relative paths are tried there, then against ``path``.

Two exports write it. ``yolo`` (the layout ultralytics loads, which darknet and labelImg read too)::

    images/{split}/ID.jpg   upright JPEG copies, safe ASCII names
    labels/{split}/ID.txt   ``class cx cy w h`` per box, as ultralytics' VOC converter computes them
    labels/{split}/classes.txt   where labelImg looks for the class names (beside the label files)
    data.yaml               ultralytics: path, train/val/test image folders, names by id

``yolov3`` (keras-yolo3's annotation lines): ``JPEGImages/ID.jpg`` (upright, safe names: keras-yolo3 splits lines on
white space and cannot turn a photo by its EXIF), ``train.txt`` / ``val.txt`` / ``test.txt`` of
``path x_min,y_min,x_max,y_max,class_id ...`` (VOC's 1-based integers, difficult boxes left out as its
``voc_annotation.py`` does) and ``classes.txt``. Class ids are the project's class list
(:mod:`..editing.class_list`).
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from ..confine import resolves_inside
from ..editing.class_list import object_class_names
from ..fsutil import atomic_write
from ..images import is_image_name
from ..jobs import JobToken
from ..store.store import SPLITS, Store
from ..validate import MAX_CLASS_ID, AnnotationError, Invalid, load_yaml, number, polygon, shown, whole
from .annotations import Box, ImageAnnotation, Region
from .registry import ExportFormat, ReaderFormat, register_export, register_reader
from .writing import (
    ExportReport,
    check_targets,
    each_file,
    images_with_boxes,
    note_unsplit,
    split_or_train,
    staged_writer,
    unique_ids,
    write_upright_copy,
)

NAME_FILES = ("classes.txt", "obj.names", "_darknet.labels")
IMAGE_FOLDER, LABEL_FOLDER = "images", "labels"
MAX_LABEL_BYTES = 5_000_000
#: normalised numbers written with 6 decimals land up to half a pixel past the image's edge: clipped without a warning
EDGE_SLACK = 0.5


def label_path_candidates(image: Path) -> list[Path]:
    """Where the label file of ``image`` may be: beside it, and in ``labels/`` where the image has ``images/``."""
    out = [image.with_suffix(".txt")]
    parts = list(image.parts)
    for k in range(len(parts) - 2, -1, -1):
        if parts[k].lower() == IMAGE_FOLDER:
            out.append(Path(*parts[:k], LABEL_FOLDER, *parts[k + 1:]).with_suffix(".txt"))
            break
    return out


def looks_like_yolo(path: Path) -> bool:
    """A ``.txt`` one of whose first lines is ``int float float float float ...`` with values in 0..1 (or an empty
    one). Other lines (a class ``-1``, a value ``nan`` or ``1e308``, text) do not hide the file: the reader names
    each, and the file's good lines are imported."""
    if path.name.lower() in NAME_FILES or path.suffix.lower() != ".txt":
        return False
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            head = [f.readline() for _ in range(5)]
    except OSError:
        return False
    lines = [line.split() for line in head if line.strip()]
    return not lines or any(_is_label_line(parts) for parts in lines)


def _is_label_line(parts: list[str]) -> bool:
    if len(parts) < 5 or not parts[0].isdigit():
        return False
    try:
        return all(-0.01 <= float(v) <= 1.01 for v in parts[1:])
    except ValueError:
        return False


def read_yaml_names(path: Path, notes: list[str] | None = None) -> list[str] | None:
    """The ``names`` of an ultralytics ``data.yaml`` in id order, or None when it has none; :class:`AnnotationError`
    when the YAML cannot be read (:func:`.validate.load_yaml`: no aliases, no objects). A name whose id is not a
    whole number in ``0..MAX_CLASS_ID`` or that is not text is left out, with a note in ``notes``."""
    data = load_yaml(path)
    names = data.get("names") if isinstance(data, dict) else None
    notes = notes if notes is not None else []
    if isinstance(names, dict):
        by_id = {}
        for key, value in names.items():
            try:
                by_id[whole(key, "names: id", 0, MAX_CLASS_ID)] = _name(value, f"names: {shown(key)}")
            except Invalid as exc:
                notes.append(f"{exc}: left out")
        return [by_id.get(k, f"class_{k}") for k in range(max(by_id) + 1)] if by_id else []
    if isinstance(names, list):
        if len(names) > MAX_CLASS_ID + 1:
            raise AnnotationError(f"names: {len(names)} classes, more than {MAX_CLASS_ID + 1}")
        out = []
        for k, value in enumerate(names):
            try:
                out.append(_name(value, f"names: {k}"))
            except Invalid as exc:
                notes.append(f"{exc}: named class_{k}")
                out.append(f"class_{k}")
        return out
    return None


def _name(value: object, what: str) -> str:
    """A class name of a ``data.yaml``: text or a number (YAML reads ``1`` and ``true`` as such), nothing nested."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return str(value)
    raise Invalid(f"{what} is not a name ({shown(value)})")


def find_yaml(root: Path, files: list[Path], notes: list[tuple[Path, str]]) -> tuple[Path, list[str]] | None:
    """The dataset's ``data.yaml`` (or another YAML with ``names``) nearest the root, and its names. A YAML that
    cannot be read, and what was left out of the one found, are named in ``notes`` as (file, note)."""
    yamls = sorted((p for p in files if p.suffix.lower() in (".yaml", ".yml")), key=lambda p: (len(p.parts), p))
    for path in yamls:
        left_out: list[str] = []
        try:
            names = read_yaml_names(path, left_out)
        except AnnotationError as exc:
            notes.append((path, f"{exc}; not read"))
            continue
        if names is not None:
            notes.extend((path, note) for note in left_out)
            return path, names
    return None


YAML_SPLITS = ("train", "val", "test")


def yaml_splits(path: Path) -> tuple[dict[Path, tuple[str, Path]], list[str]]:
    """The split of each image a ``data.yaml`` names (resolved path -> (split, the file that says so: the YAML or a
    list file)), and notes on what it names that is not there. An image named by two splits keeps the first."""
    try:
        data = load_yaml(path)
    except AnnotationError as exc:
        return {}, [f"{path.name}: {exc}, splits not read"]
    if not isinstance(data, dict):
        return {}, []
    base = path.parent
    root = Path(str(data["path"])) if data.get("path") else base
    root = root if root.is_absolute() else base / root
    notes: list[str] = []
    if not root.is_dir() or not resolves_inside(base, root):  # never a folder outside its own (core/confine.py)
        if data.get("path"):
            notes.append(f"{path.name}: path {data['path']!r} is not a folder in its folder: its folder taken instead")
        root = base
    out: dict[Path, tuple[str, Path]] = {}
    doubled = 0
    for split in YAML_SPLITS:
        entries = data.get(split)
        entries = [entries] if isinstance(entries, str) else entries if isinstance(entries, list) else []
        for entry in (str(e) for e in entries if e):
            found = _split_images(root, entry, path, notes)
            for image, source in found:
                key = image.resolve()
                if key in out and out[key][0] != split:
                    doubled += 1
                out.setdefault(key, (split, source))
    if doubled:
        notes.append(f"{path.name}: {doubled} image(s) named by two splits kept in the first (train, val, test)")
    return out, notes


def _split_images(root: Path, entry: str, yaml_file: Path, notes: list[str]) -> list[tuple[Path, Path]]:
    """The images one ``train``/``val``/``test`` entry names: a folder (every image below it) or a list file."""
    target = Path(entry) if Path(entry).is_absolute() else root / entry
    if (not target.exists() or not resolves_inside(yaml_file.parent, target)) and entry.startswith("../"):
        target = root / entry[3:]  # as ultralytics' check_det_dataset retries
    if not resolves_inside(yaml_file.parent, target):  # nothing outside the data.yaml's folder is read
        notes.append(f"{yaml_file.name}: {entry!r} leads outside its folder, not read")
        return []
    if target.is_dir():
        return [(p, yaml_file) for p in sorted(target.rglob("*")) if is_image_name(p) and p.is_file()]
    if not target.is_file():
        notes.append(f"{yaml_file.name}: {entry!r} is neither a folder nor a list file, not read")
        return []
    try:
        lines = target.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError as exc:
        notes.append(f"{entry}: cannot read ({exc.strerror}), not read")
        return []
    out, missing = [], []
    for line in (x.strip() for x in lines):
        if not line:
            continue
        if line.startswith("./"):
            candidates = [target.parent / line[2:]]
        elif Path(line).is_absolute():
            candidates = [Path(line)]
        else:
            candidates = [target.parent / line, root / line]
        image = next((c for c in candidates if c.is_file()), None)
        if image is None:
            missing.append(line)
        else:
            out.append((image, target))
    if missing:
        more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        notes.append(f"{entry}: {len(missing)} listed image(s) not found: {', '.join(missing[:3])}{more}")
    return out


def read_name_file(path: Path) -> list[str]:
    """The names of a class name file, one a line; :class:`AnnotationError` when it cannot be read."""
    try:
        if path.stat().st_size > MAX_LABEL_BYTES:
            raise AnnotationError("class name file too large")
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise AnnotationError(f"cannot read ({exc.strerror})") from exc
    return [line.strip() for line in text.splitlines() if line.strip()]


def names_near(label: Path, root: Path) -> tuple[list[str], Path] | None:
    """``classes.txt`` or a ``.names`` file next to ``label`` or in a folder above it, up to ``root``."""
    folder = label.parent
    while True:
        for name in NAME_FILES:
            if (folder / name).is_file():
                return read_name_file(folder / name), folder / name
        found = sorted(folder.glob("*.names"))
        if found:
            return read_name_file(found[0]), found[0]
        if folder == root or root not in folder.parents:
            return None
        folder = folder.parent


def read_label(path: Path, image: Path, names: list[str] | None) -> ImageAnnotation:
    """One YOLO label file; odd lines become notes. :class:`AnnotationError` when the file is unusable."""
    try:
        if path.stat().st_size > MAX_LABEL_BYTES:
            raise AnnotationError("label file too large")
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise AnnotationError("not a text file") from None
    except OSError as exc:
        raise AnnotationError(f"cannot read ({exc.strerror})") from exc
    ann = ImageAnnotation(file=path, image=image, reference=path.name, normalized=True,
                          edge_slack=EDGE_SLACK, classes=list(names or []))
    unnamed: set[int] = set()
    for n, line in enumerate(text.splitlines(), start=1):
        parts = line.split()
        if not parts:
            continue
        try:
            cls = whole(parts[0], "class id", 0, MAX_CLASS_ID)
            _read_line(ann, names[cls] if names and cls < len(names) else f"class_{cls}", parts[1:], f"line {n}")
        except Invalid as exc:
            ann.notes.append(f"line {n}: {exc}, skipped")
            continue
        if names is None or cls >= len(names):
            unnamed.add(cls)
    if unnamed and names is not None:
        ann.notes.append(f"class id(s) {', '.join(map(str, sorted(unnamed)))} not in the class list: named class_<id>")
    return ann


def _read_line(ann: ImageAnnotation, label: str, fields: list[str], record: str) -> None:
    """The box or polygon of one line after its class id."""
    values = [number(v, "a coordinate") for v in fields]
    if len(values) == 4:
        cx, cy, w, h = values
        ann.boxes.append(Box(label, cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2))
    elif len(values) >= 6 and len(values) % 2 == 0:
        ann.regions.append(Region(label, polygons=[polygon(values)], record=record))
    elif len(values) > 4:
        cx, cy, w, h = values[:4]
        ann.boxes.append(Box(label, cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2))
        ann.notes.append(f"{record}: {len(values) - 4} value(s) after the box (a score, keypoints) not kept")
    else:
        raise Invalid(f"{len(values)} value(s) after the class, expected 4 (a box) or an even number of 6 or more "
                      "(a polygon)")


def label_line(class_id: int, x0: int, y0: int, x1: int, y1: int, width: int, height: int) -> str:
    """One box in the common convention (``x0, y0, x1, y1``: 0-based pixel edges, ``x1`` past the last pixel)."""
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    w, h = x1 - x0, y1 - y0
    return f"{class_id} {cx / width:.6f} {cy / height:.6f} {w / width:.6f} {h / height:.6f}"


def one_line_name(label: str, k: int) -> str:
    """A class name that holds one line of a name file (``classes.txt``, ``obj.names``) whatever reads it: line
    breaks (every one :meth:`str.splitlines` knows) and control characters become ``_``, outer white space goes (the
    readers strip it), and an empty name becomes ``class_<k>``. A label with a line break would otherwise take two
    lines and shift the id of every class after it."""
    text = "".join("_" if len(f"a{ch}b".splitlines()) > 1 or unicodedata.category(ch) == "Cc" else ch
                   for ch in label).strip()
    return text or f"class_{k}"


def name_file_names(names: list[str]) -> tuple[list[str], list[str]]:
    """The class names as name files and ``data.yaml`` write them (:func:`one_line_name`), and the labels that had
    to change (for the export's report)."""
    written = [one_line_name(n, k) for k, n in enumerate(names)]
    return written, [n for n, w in zip(names, written, strict=True) if n != w]


def data_yaml(folder: Path, names: list[str], splits: dict[str, str]) -> str:
    """An ultralytics ``data.yaml``: the dataset folder (absolute: ultralytics resolves a relative ``path`` against
    its own datasets folder), the image folder of each split relative to it, the names by id."""
    import yaml

    data = {"path": str(folder), **splits, "nc": len(names), "names": dict(enumerate(names))}
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


# ------------------------------------------------------------------ writing: the yolo and yolov3 exports
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
    check_targets(targets, overwrite)
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
    check_targets(lists + [out / "JPEGImages" / f"{ids[img.path]}.jpg" for img, _b in todo], overwrite)
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


register_reader(ReaderFormat("yolo", "YOLO txt", 6))
register_export(ExportFormat("yolo", "YOLO (boxes)", "images/{split}, labels/{split} and data.yaml that Ultralytics "
                             "trains on; classes.txt beside the labels for labelImg and darknet.", (), {},
                             staged_writer("yolo", export_yolo), rank=70))
register_export(ExportFormat("yolov3", "YOLOv3-keras (boxes)", "train.txt, val.txt, test.txt of keras-yolo3 "
                             "annotation lines with upright JPEG copies and classes.txt.", (), {},
                             staged_writer("yolov3", export_yolov3), rank=80))
