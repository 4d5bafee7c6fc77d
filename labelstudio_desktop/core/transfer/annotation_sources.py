"""Finding the annotation files of a folder, telling their format, and reading them for the images they name.

Formats (each a module in :mod:`.formats`): ``voc`` (an XML per image, beside it or in ``--annotations``), ``yolo``
(txt labels), ``coco``, ``labelme``, ``cvat``, ``labelstudio``, ``createml``. Auto-detection takes the format of the
files found, the multi-image files (COCO, CVAT, Label Studio, CreateML) first; files of another known format that the
import does not read are reported, never passed over in silence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..formats import cvat, voc, yolo
from ..formats.annotations import ImageAnnotation, ImageIndex
from ..formats.catalog import by_rank
from ..formats.folders import display_path, image_files
from ..validate import AnnotationError, capped, load_json

#: ``import --format`` values that read annotation files, in the order auto-detection prefers them (each format's
#: module registers itself: :mod:`..formats.catalog` imports them all).
ANNOTATION_FORMATS = tuple(f.key for f in by_rank())
TITLES = {f.key: f.title for f in by_rank()}
JSON_READERS = {f.key: (f.sniff_json, f.read_json) for f in by_rank() if f.sniff_json is not None}
XML_SNIFF_BYTES = 4096


@dataclass
class Scan:
    """The annotation files found, by format (VOC: XML files whose root is ``<annotation>``)."""

    files: dict[str, list[Path]] = field(default_factory=dict)
    json: dict[Path, object] = field(default_factory=dict)  # parsed once
    yamls: list[Path] = field(default_factory=list)  # ultralytics data.yaml candidates
    problems: list[tuple[Path, str]] = field(default_factory=list)  # unreadable JSON files: (file, reason)

    def add(self, fmt: str, path: Path) -> None:
        self.files.setdefault(fmt, []).append(path)

    def detected(self) -> str | None:
        return next((fmt for fmt in ANNOTATION_FORMATS if self.files.get(fmt)), None)


@dataclass
class Reading:
    """What the files of one format say, by image (absolute path)."""

    by_image: dict[Path, list[ImageAnnotation]] = field(default_factory=dict)
    classes: list[str] = field(default_factory=list)  # the files' class lists, in their order
    problems: list[tuple[Path, str, str]] = field(default_factory=list)  # (file, severity, reason)


def scan(root: Path, files: list[Path], annotations: Path | None = None) -> Scan:
    """Sort the folder's (and ``annotations``') XML, JSON and YOLO txt files by format."""
    found = Scan()
    pool = list(files) + annotation_files(annotations)
    stems = {p.with_suffix("") for p in image_files(root, files)}
    for path in dict.fromkeys(pool):
        suffix = path.suffix.lower()
        if suffix == ".xml":
            kind = _xml_kind(path)
            if kind:
                found.add(kind, path)
        elif suffix == ".json":
            try:
                data = load_json(path)
            except AnnotationError as exc:  # broken, too large or too deep: named, the other files are read
                found.problems.append((path, f"{exc}; not read as annotations"))
                continue
            kind = next((k for k, (test, _read) in JSON_READERS.items() if test(data)), None)
            if kind:
                found.json[path] = data
                found.add(kind, path)
        elif suffix in (".yaml", ".yml"):
            found.yamls.append(path)
        elif suffix == ".txt" and yolo.looks_like_yolo(path) and (
                path.with_suffix("") in stems or yolo.LABEL_FOLDER in (p.lower() for p in path.parent.parts)
                or annotations is not None):
            found.add("yolo", path)
    return found


def annotation_files(annotations: Path | None) -> list[Path]:
    """The files of an ``--annotations`` folder, or the one file it names."""
    if annotations is None:
        return []
    if annotations.is_file():
        return [annotations]
    return sorted(p for p in annotations.rglob("*") if p.is_file())


def _xml_kind(path: Path) -> str | None:
    try:
        with open(path, "rb") as f:
            head = f.read(XML_SNIFF_BYTES)
    except OSError:
        return None
    if b"<annotations" in head:
        return "cvat"
    if b"<annotation" in head:
        return "voc"
    return None


def read_format(fmt: str, found: Scan, root: Path, images: list[Path], annotations: Path | None) -> Reading:
    """Read every file of ``fmt`` (but VOC, read per image by the importer) for the images of the import."""
    reading = Reading()
    index = ImageIndex(images)
    if fmt == "yolo":
        _read_yolo(found, root, images, annotations, reading)
        return reading
    for path in found.files.get(fmt, []):
        notes: list[str] = []  # of the file, where no image can be told
        try:
            if fmt == "cvat":
                anns = cvat.read(path, index, notes)
            else:
                anns = JSON_READERS[fmt][1](path, found.json[path], index, notes)
        except AnnotationError as exc:
            reading.problems.append((path, "warning", f"{TITLES[fmt]}: {exc}; not read"))
            continue
        reading.problems.extend((path, "warning", note) for note in capped(notes))
        _collect(anns, path, root, reading)
    return reading


def _collect(anns: list[ImageAnnotation], path: Path, root: Path, reading: Reading) -> None:
    missing = [a for a in anns if a.image is None]
    for ann in anns:
        if ann.image is not None:
            reading.by_image.setdefault(ann.image, []).append(ann)
        for name in ann.classes:
            if name not in reading.classes:
                reading.classes.append(name)
    if missing:
        shown = ", ".join(f"{a.reference} ({a.notes[0] if a.notes else 'not found'})" for a in missing[:3])
        more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        reading.problems.append((path, "warning", f"{len(missing)} image(s) it names are not in the folder: "
                                                  f"{shown}{more}"))


def _read_yolo(found: Scan, root: Path, images: list[Path], annotations: Path | None, reading: Reading) -> None:
    labels = {p.resolve() for p in found.files.get("yolo", [])}
    by_stem: dict[str, list[Path]] = {}
    if annotations is not None:
        for p in labels:
            if annotations.resolve() in p.parents or annotations.resolve() == p:
                by_stem.setdefault(p.stem, []).append(p)
    yaml_notes: list[tuple[Path, str]] = []
    data_yaml, names = yolo.find_yaml(root, found.yamls, yaml_notes) or (None, None)
    reading.problems.extend((path, "warning", note) for path, note in yaml_notes)
    splits, notes = yolo.yaml_splits(data_yaml) if data_yaml else ({}, [])
    reading.problems.extend((data_yaml, "warning", note) for note in notes)
    listed = {image.resolve() for image in images}
    outside = [p for p in splits if p not in listed]
    if outside:
        reading.problems.append((data_yaml, "warning", f"{len(outside)} image(s) of its splits are outside the "
                                                       f"imported folder, not imported (e.g. {outside[0]})"))
    used: set[Path] = set()
    for image in images:
        candidates = [p.resolve() for p in yolo.label_path_candidates(image) if p.resolve() in labels]
        candidates = candidates or [p for p in by_stem.get(image.stem, []) if len(by_stem[image.stem]) == 1]
        split, listing = splits.get(image.resolve(), (None, None))
        if not candidates:
            if split is not None:  # an image without labels (a negative) whose split the data.yaml gives
                reading.by_image.setdefault(image.resolve(), []).append(ImageAnnotation(
                    file=listing, image=image.resolve(), reference=image.name, split=split))
            continue
        label = candidates[-1]  # the labels/ folder before a sidecar txt
        used.add(label)
        try:
            near = None if names is not None else yolo.names_near(label, root)
            ann = yolo.read_label(label, image.resolve(), names if names is not None else (near[0] if near else None))
        except AnnotationError as exc:
            reading.problems.append((label, "warning", f"{TITLES['yolo']}: {exc}; not read"))
            continue
        if names is None and near is None:
            ann.notes.append("no class names (data.yaml, classes.txt, obj.names): classes named class_<id>")
        ann.split = split
        reading.by_image.setdefault(image.resolve(), []).append(ann)
        for name in ann.classes:
            if name not in reading.classes:
                reading.classes.append(name)
    for label in sorted(labels - used):
        reading.problems.append((label, "warning", "YOLO label file without a matching image"))


def unused_note(fmt: str, files: list[Path], used_format: str, root: Path) -> tuple[str, str]:
    """A problem row naming annotation files of ``fmt`` that an import of ``used_format`` did not read."""
    shown = display_path(files[0], root)
    more = f" and {len(files) - 1} more" if len(files) > 1 else ""
    return shown, (f"{len(files)} {TITLES[fmt]} file(s) ({shown}{more}) not read by this import "
                   f"({used_format}): import with --format {fmt} to use them")


def voc_annotation(path: Path, image: Path) -> ImageAnnotation:
    """A VOC XML of one image; :class:`AnnotationError` when it is unusable."""
    try:
        return voc.image_annotation(path, image)
    except voc.VocError as exc:
        raise AnnotationError(str(exc)) from exc
