"""Importing a folder into a project: layout detection, incremental re-import, per-file problems.

Re-importing the same folder adds new files, refreshes changed ones (size or mtime), marks vanished
ones missing, and never drops an annotation. Labels and splits from the layout are applied to new images only.
Annotation files (VOC, YOLO, COCO, labelme, CVAT, Label Studio, CreateML: :mod:`.annotation_sources`) are read
again when they were added or changed, and replace what they gave an image the operator has not worked on
(:mod:`.annotation_import`). Masks (``masks=DIR``, the ``images/`` + ``masks/`` layout, a VOCdevkit's
``SegmentationClass``) are imported by :mod:`.mask_import`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..editing.class_list import record_classes
from ..formats import cifar
from ..formats.folders import (
    Candidate,
    class_folder_candidates,
    display_path,
    flat_candidates,
    image_files,
    looks_like_class_folders,
    rel_posix,
    split_from_folders,
    walk_files,
)
from ..fsutil import atomic_write
from ..images import ImageProblem, probe, unsupported_image
from ..jobs import JobToken
from ..labels_rule import label_problem
from ..store.integrity import ProjectBusy, project_lock
from ..store.masks import mask_size
from ..store.store import BUSY_TIMEOUT, Store, file_facts
from ..validate import AnnotationError
from .annotation_import import AnnotationCounts, AnnotationStore
from .annotation_sources import ANNOTATION_FORMATS, Scan, read_format, scan, unused_note, voc_annotation
from .mask_import import MaskCounts, MaskFolder, import_mask_sources, match_folder, paired_folders, vocdevkit_sources

FORMATS = ("auto", "flat", "classes", "vocdevkit", "cifar", *ANNOTATION_FORMATS)
CIFAR_OUTPUT_DIR = "cifar-png"
INGEST_BATCH = 200
#: A batch commits once it has held the write lock this long, so the app's edits never wait for an import.
INGEST_SECONDS = 0.05


@dataclass
class Problem:
    path: str
    severity: str  # "error": not imported; "warning": imported with a problem; "mask": mask file not used
    reason: str


@dataclass
class ImportReport:
    format: str
    added: int = 0
    refreshed: int = 0
    unchanged: int = 0
    missing: int = 0
    restored: int = 0
    boxes: int = 0
    masks: MaskCounts | None = None  # None when the import had no mask source
    annotations: AnnotationCounts | None = None  # None when the import read no annotation file
    problems: list[Problem] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return self.added + self.refreshed + self.unchanged + self.restored

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def as_dict(self) -> dict:
        return {
            "format": self.format, "added": self.added, "refreshed": self.refreshed,
            "unchanged": self.unchanged, "missing": self.missing, "restored": self.restored,
            "boxes": self.boxes, "masks": self.masks.as_dict() if self.masks else None,
            "annotations": self.annotations.as_dict() if self.annotations else None,
            "problems": [p.__dict__ for p in self.problems],
        }


class ImportFailed(Exception):
    """The import cannot start (wrong format, unreadable folder)."""


# ------------------------------------------------------------------ detection
def _vocdevkit_years(root: Path) -> list[Path]:
    """``VOCyyyy`` folders (JPEGImages/ with Annotations/ or SegmentationClass/) at or below ``root``."""
    candidates = [root, *sorted(root.glob("VOC*")), *sorted(root.glob("VOCdevkit/VOC*"))]
    return [p for p in candidates if (p / "JPEGImages").is_dir()
            and ((p / "Annotations").is_dir() or (p / "SegmentationClass").is_dir())]


def detect_format(root: Path, files: list[Path], annotations: Path | None = None, found: Scan | None = None) -> str:
    if cifar.find_batch_dir(root) is not None:
        return "cifar"
    if _vocdevkit_years(root):
        return "vocdevkit"
    found = found or scan(root, files, annotations)
    detected = found.detected()
    if detected:
        return detected
    if annotations is not None:
        return "voc"
    return "classes" if looks_like_class_folders(root, image_files(root, files)) else "flat"


# ------------------------------------------------------------------ candidates
def _layout_candidates(root: Path, images: list[Path]) -> list[Candidate]:
    """Class folders (if the layout has them) or a flat folder, with the split of any split folder in the path."""
    base = class_folder_candidates(root, images) if looks_like_class_folders(root, images) else \
        flat_candidates(root, images)
    for cand in base:
        cand.split = cand.split or split_from_folders(cand.rel)
    return base


def _voc_candidates(root: Path, files: list[Path], annotations: Path | None,
                    problems: list[Problem]) -> list[Candidate]:
    images = image_files(root, files)
    by_stem: dict[str, list[Path]] = {}
    if annotations is not None:
        if not annotations.is_dir():
            raise ImportFailed(f"{annotations}: annotations folder not found")
        for xml in sorted(annotations.rglob("*.xml")):
            by_stem.setdefault(xml.stem, []).append(xml)
    images_per_stem: dict[str, int] = {}
    for img in images:
        images_per_stem[img.stem] = images_per_stem.get(img.stem, 0) + 1
    out = []
    used: set[Path] = set()
    for img, cand in zip(images, _layout_candidates(root, images), strict=True):
        sidecar = img.with_suffix(".xml")
        if sidecar.is_file():
            cand.annotation = sidecar
        elif annotations is not None:
            matches = by_stem.get(img.stem, [])
            if len(matches) > 1:
                cand.notes.append(f"{len(matches)} annotation files named {img.stem}.xml: none used")
            elif matches and images_per_stem[img.stem] > 1:
                cand.notes.append(f"{images_per_stem[img.stem]} images are named {img.stem}.*: "
                                  f"annotation {img.stem}.xml is ambiguous, not used")
                used.add(matches[0])
            elif matches:
                cand.annotation = matches[0]
        if cand.annotation is not None:
            used.add(cand.annotation)
        out.append(cand)
    image_stems = {img.with_suffix("") for img in images}
    xml_pool = annotations.rglob("*.xml") if annotations is not None else (p for p in files if p.suffix == ".xml")
    for xml in xml_pool:
        if xml not in used and xml.with_suffix("") not in image_stems:
            problems.append(Problem(display_path(xml, root), "warning", "annotation file without a matching image"))
    return out


def _annotation_candidates(fmt: str, found: Scan, root: Path, files: list[Path], annotations: Path | None,
                           report: ImportReport) -> tuple[list[Candidate], list[str]]:
    """Images of the folder with what the files of ``fmt`` say about them; the files' class list."""
    if annotations is not None and not annotations.exists():
        raise ImportFailed(f"{annotations}: annotations folder or file not found")
    images = image_files(root, files)
    reading = read_format(fmt, found, root, images, annotations)
    for path, severity, reason in reading.problems:
        report.problems.append(Problem(display_path(path, root), severity, reason))
    candidates = _layout_candidates(root, images)
    for img, cand in zip(images, candidates, strict=True):
        cand.sources = reading.by_image.get(img.resolve(), [])
        cand.split = cand.split or next((a.split for a in cand.sources if a.split), None)
    refused = [c for c in reading.classes if label_problem(c)]
    report.problems.extend(Problem(display_path(annotations or root, root), "warning",
                                   f"class list: {label_problem(c)}; not added") for c in refused)
    return candidates, [c for c in reading.classes if c not in refused]


def _vocdevkit_candidates(root: Path, problems: list[Problem]) -> list[Candidate]:
    out = []
    for year in _vocdevkit_years(root):
        split_of: dict[str, str] = {}
        # "trainval" comes last: it only names the split of ids that train/val do not list; Main before Segmentation
        for listing in (year / "ImageSets" / task / f"{name}.txt" for task in ("Main", "Segmentation")
                        for name in ("train", "val", "test", "trainval")):
            split = "train" if listing.stem == "trainval" else listing.stem
            if listing.is_file():
                for line in listing.read_text(encoding="utf-8", errors="replace").splitlines():
                    if line.split():
                        split_of.setdefault(line.split()[0], split)
        for img in image_files(year / "JPEGImages"):
            xml = year / "Annotations" / f"{img.stem}.xml"
            out.append(Candidate(rel=rel_posix(img, root), split=split_of.get(img.stem),
                                 annotation=xml if xml.is_file() else None))
    return out


def _paired_candidates(root: Path, files: list[Path], folders: list[MaskFolder]) -> list[Candidate]:
    """The ``images/`` + ``masks/`` layout: class folders (if any) read below ``images/``, the split from a split
    folder above it; images elsewhere as a flat folder."""
    images = image_files(root, files)
    out: list[Candidate] = []
    covered: set[Path] = set()
    for folder in folders:
        inside = [p for p in images if folder.images in p.parents]
        read = class_folder_candidates if looks_like_class_folders(folder.images, inside) else flat_candidates
        for cand in read(folder.images, inside):
            cand.rel = rel_posix(folder.images / cand.rel, root)
            cand.split = cand.split or folder.split
            out.append(cand)
        covered.update(inside)
    return out + flat_candidates(root, [p for p in images if p not in covered])


def _mask_folders(root: Path, fmt: str, masks: Path | None) -> list[MaskFolder]:
    if masks is not None:
        masks = Path(masks).resolve()
        if not masks.is_dir():
            raise ImportFailed(f"{masks}: mask folder not found")
        if masks == root or masks in root.parents:
            raise ImportFailed(f"{masks}: the mask folder holds the images too; put the masks in a folder of their own")
        return [MaskFolder(masks)]
    return paired_folders(root) if fmt in ("auto", "flat", "classes") else []


def _cifar_candidates(store: Store, root: Path, view: str | None, problems: list[Problem],
                      job: JobToken) -> list[Candidate]:
    batch_dir = cifar.find_batch_dir(root)
    meta = display_path(batch_dir / "batches.meta", root)
    meta_notes: list[str] = []
    try:
        names = cifar.label_names(batch_dir, meta_notes)
    except cifar.CifarError as exc:
        problems.append(Problem(meta, "warning", f"{exc}; classes named by number"))
        names = None
    problems.extend(Problem(meta, "warning", note) for note in meta_notes)
    out_dir = root / CIFAR_OUTPUT_DIR
    out = []
    batches = sorted(p for p in batch_dir.iterdir() if cifar.BATCH_NAME.match(p.name))
    for n, batch in enumerate(batches):
        job.status(f"unpacking {batch.name}")
        notes: list[str] = []
        try:
            samples = cifar.read_batch(batch, view, notes)
        except cifar.CifarError as exc:
            problems.append(Problem(display_path(batch, root), "error", str(exc)))
            continue
        split = "test" if batch.name == "test_batch" else "train"
        outside: list[int] = []
        for s in samples:
            target = out_dir / batch.name / f"{cifar.safe_stem(s.filename, s.index)}.png"
            if not target.exists():
                atomic_write(target, cifar.png_bytes(s.pixels))
            label = None if s.label is None else _cifar_label(s.label, names)
            if s.label is not None and label is None:
                outside.append(s.label)
            out.append(Candidate(rel=rel_posix(target, root), label=label, split=split))
        if outside:
            known = f"the {len(names)} classes of batches.meta (0..{len(names) - 1})" if names else "class numbers"
            shown = ", ".join(str(v) for v in sorted(set(outside))[:5]) + (" ..." if len(set(outside)) > 5 else "")
            notes.append(f"{len(outside)} image(s) have labels outside {known} ({shown}): imported without a class")
        problems.extend(Problem(display_path(batch, root), "warning", note) for note in notes)
        job.progress(n + 1, len(batches))
    if view:
        store.set_setting("cifar_view", view)
    return out


def _cifar_label(label: int, names: list[str] | None) -> str | None:
    """The class of a CIFAR label: its name, its number when the batches have no names; None outside the list."""
    if names:
        return names[label] if 0 <= label < len(names) else None
    return str(label) if label >= 0 else None


# ------------------------------------------------------------------ ingest
def import_folder(store: Store, fmt: str = "auto", annotations: Path | None = None, view: str | None = None,
                  job: JobToken | None = None, masks: Path | None = None) -> ImportReport:
    """Import (or re-import) the project's image folder, its annotation files (of ``fmt``, or the format found),
    and masks (from ``masks``, or found in the layout). Problems are reported, never raised per file. One import of
    a project runs at a time: another one (a second first import of the folder, the app's) waits for it up to the
    busy timeout, then stops with a plain :class:`ImportFailed` (:func:`.integrity.project_lock`)."""
    try:
        with project_lock(store.db_path, BUSY_TIMEOUT):
            return _import_folder(store, fmt, annotations, view, job or JobToken(), masks)
    except ProjectBusy as exc:
        raise ImportFailed(str(exc)) from exc


def _import_folder(store: Store, fmt: str, annotations: Path | None, view: str | None, job: JobToken,
                   masks: Path | None) -> ImportReport:
    root = store.root
    if fmt not in FORMATS:
        raise ImportFailed(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    job.status("scanning folder")
    annotations = Path(annotations).resolve() if annotations is not None else None
    mask_folders = _mask_folders(root, fmt, masks)
    skipped: list[tuple[str, str]] = []  # unreadable folders, names that are not UTF-8, links leading outside
    files = [p for p in walk_files(root, skipped) if not any(f.masks in p.parents for f in mask_folders)]
    found = scan(root, files, annotations) if fmt != "cifar" else Scan()
    paired = fmt == "auto" and any(f.images is not None for f in mask_folders)
    if fmt == "auto":
        fmt = detect_format(root, files, annotations, found)
    report = ImportReport(format="images+masks" if paired and fmt in ("flat", "classes") else fmt)
    problems = report.problems
    problems.extend(Problem(shown, "error", reason) for shown, reason in skipped)
    problems.extend(Problem(display_path(p, root), "error", unsupported_image(p)) for p in files
                    if unsupported_image(p))
    classes: list[str] = []
    if report.format == "images+masks":
        candidates = _paired_candidates(root, files, [f for f in mask_folders if f.images is not None])
    elif fmt == "cifar":
        if cifar.find_batch_dir(root) is None:
            raise ImportFailed(f"{root}: no CIFAR batches (data_batch_N, test_batch) found")
        candidates = _cifar_candidates(store, root, view, problems, job)
    elif fmt == "vocdevkit":
        candidates = _vocdevkit_candidates(root, problems)
    elif fmt == "voc":
        candidates = _voc_candidates(root, files, annotations, problems)
    elif fmt in ANNOTATION_FORMATS:
        candidates, classes = _annotation_candidates(fmt, found, root, files, annotations, report)
    elif fmt == "classes":
        candidates = class_folder_candidates(root, image_files(root, files))
    else:
        candidates = flat_candidates(root, image_files(root, files))
    for other, paths in found.files.items():
        if other != fmt and not (fmt == "vocdevkit" and other == "voc"):
            shown, reason = unused_note(other, paths, fmt, root)
            problems.append(Problem(shown, "warning", reason))
    problems.extend(Problem(display_path(path, root), "warning", reason) for path, reason in found.problems)
    store.set_setting("format", report.format)
    record_classes(store, classes)

    job.status("reading image headers")
    known = {img.path: img for img in store.images()}
    seen: set[str] = set()
    applier = AnnotationStore(store, [])
    done = 0
    while done < len(candidates):
        job.check()
        began, stop, batch = time.monotonic(), min(done + INGEST_BATCH, len(candidates)), []
        while done + len(batch) < stop:  # the files are read holding no lock (for at most INGEST_SECONDS)...
            cand = candidates[done + len(batch)]
            batch.append((cand, _read_one(root, cand, fmt)))
            if time.monotonic() - began >= INGEST_SECONDS:
                break
        with store.transaction():  # ...then written in one short commit: the app's edits get in between batches
            for cand, read in batch:
                seen.add(cand.rel)
                _ingest_one(store, cand, read, known.get(cand.rel), report, applier)
        done += len(batch)
        job.progress(done, len(candidates))
    with store.transaction():
        applier.finish()
    problems.extend(Problem(*row) for row in applier.problems)
    if applier.counts.files:
        report.annotations = applier.counts
    gone = [img.id for rel, img in known.items() if rel not in seen and not img.missing
            and not (root / rel).is_file()]
    if gone:
        store.set_missing(gone)
        report.missing = len(gone)
    _import_masks(store, fmt, mask_folders, report, job)
    # a path that is not UTF-8 (an annotation or mask file's) is shown with its bytes escaped, never a crash
    report.problems[:] = [Problem(_printable(p.path), p.severity, _printable(p.reason)) for p in report.problems]
    store.record_import_problems([(p.path, p.severity, p.reason) for p in report.problems])
    return report


def _printable(text: str) -> str:
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _import_masks(store: Store, fmt: str, folders: list[MaskFolder], report: ImportReport, job: JobToken) -> None:
    root = store.root
    paths = [img.path for img in store.images(include_missing=False)]
    found: list[tuple[str, str, str]] = []
    sources = []
    for folder in folders:  # a paired folder's masks match the images beside them only
        scope = paths if folder.images is None else [p for p in paths if folder.images in (root / p).parents]
        sources += match_folder(folder, scope, root, found)
    if fmt == "vocdevkit":
        for year in _vocdevkit_years(root):
            sources += vocdevkit_sources(year, root)
    if not folders and not sources:
        return
    report.masks, read = import_mask_sources(store, sources, job)
    report.problems.extend(Problem(path, severity, reason) for path, severity, reason in found + read)


@dataclass
class _Read:
    """What the files say about one candidate, read before the batch takes the write lock."""
    facts: Any = None
    problem: str | None = None
    size: int = 0
    mtime: float = 0.0
    anns: list = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _read_one(root: Path, cand: Candidate, fmt: str) -> _Read:
    path = root / cand.rel
    try:
        facts = probe(path, check_data=True)
    except ImageProblem as exc:
        return _Read(problem=str(exc))
    size, mtime = file_facts(path)
    notes = list(facts.warnings) + cand.notes
    anns = [(fmt, ann) for ann in cand.sources]
    if cand.annotation is not None:
        try:
            anns.append(("voc", voc_annotation(cand.annotation, path)))
        except AnnotationError as exc:
            notes.append(f"annotation {cand.annotation.name}: {exc}")
    anns = [(ann_format, _lawful_labels(ann, root, notes)) for ann_format, ann in anns]
    return _Read(facts, None, size, mtime, anns, notes)


def _lawful_labels(ann, root: Path, notes: list[str]):
    """``ann`` without the boxes and mask regions whose label breaks the label rule (a line break, a control
    character: :func:`.labels_rule.label_problem`); each refused label is named in ``notes`` with its file."""
    refused = {item.label for item in (*ann.boxes, *ann.regions) if label_problem(item.label)}
    if not refused:
        return ann
    for label in sorted(refused):
        notes.append(f"{display_path(ann.file, root)}: {label_problem(label)}; its boxes and masks were not imported")
    return replace(ann, boxes=[b for b in ann.boxes if b.label not in refused],
                   regions=[r for r in ann.regions if r.label not in refused])


def _flag_boxes_beyond(store: Store, image_id: int, rel: str, width: int, height: int, notes: list[str],
                       report: ImportReport) -> None:
    """The file was replaced by an image of another size: accepted boxes reaching beyond the new edges, and masks
    of the old size, are kept as they are (never clipped, scaled or dropped) and set to pending, so they come up
    for review; the image says why."""
    beyond = [b for b in store.boxes(image_id) if b.x1 > width or b.y1 > height]
    for box in beyond:
        if box.state == "accepted":
            store.update_box(replace(box, state="pending"))
    resized = [m for m in store.masks(image_id) if mask_size(bytes(m["png"])) not in (None, (width, height))]
    for mask in resized:
        if mask["state"] == "accepted":
            store.update_mask(mask["id"], "pending", bytes(mask["png"]), mask["label"])
    said = ([f"{len(beyond)} box(es) reach beyond its edges"] if beyond else []) + \
        ([f"{len(resized)} mask(s) are of the old size"] if resized else [])
    if said:
        note = (f"the file changed to {width}x{height}: {' and '.join(said)}, kept unchanged and set to pending "
                "for review")
        report.problems.append(Problem(rel, "warning", note))
        store.set_image_warnings(image_id, [*notes, note])


def _ingest_one(store: Store, cand: Candidate, read: _Read, existing, report: ImportReport,
                applier: AnnotationStore) -> None:
    if read.problem is not None:
        report.problems.append(Problem(cand.rel, "error", read.problem))
        if existing is not None and not existing.missing:
            store.set_missing([existing.id])
            report.missing += 1
        return
    facts, size, mtime, notes, anns = read.facts, read.size, read.mtime, read.notes, read.anns
    for note in notes:
        report.problems.append(Problem(cand.rel, "warning", note))

    if existing is None:
        image_id = store.add_image(cand.rel, size, mtime, facts.width, facts.height, facts.channels,
                                   label=cand.label, split=cand.split, warnings=notes)
        report.added += 1
    else:
        image_id = existing.id
        if existing.size != size or existing.mtime != mtime or existing.missing:
            store.refresh_image(existing.id, size, mtime, facts.width, facts.height, facts.channels, notes)
            if existing.width and (facts.width, facts.height) != (existing.width, existing.height):  # 0: not known
                _flag_boxes_beyond(store, existing.id, cand.rel, facts.width, facts.height, notes, report)
            if existing.missing and existing.size == size:
                report.restored += 1
            else:
                report.refreshed += 1
            if existing.label is None and cand.label is not None:
                store.update_image_fields(existing.id, {"label": cand.label})
        else:
            report.unchanged += 1
    image = store.image(image_id)
    for ann_format, ann in anns:
        report.boxes += applier.apply(image, ann, ann_format, facts.orientation, existing is None)
