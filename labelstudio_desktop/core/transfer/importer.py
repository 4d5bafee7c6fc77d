"""Importing a folder into a project: layout detection, incremental re-import, per-file problems.

Re-importing the same folder adds new files, refreshes changed ones (size or mtime), marks vanished
ones missing, and never drops an annotation. Labels and splits from the layout are applied to new images only.
Annotation files (VOC, YOLO, COCO, labelme, CVAT, Label Studio, CreateML: :mod:`.annotation_sources`) are read
again when they were added or changed, and replace what they gave an image the operator has not worked on
(:mod:`.annotation_import`). Masks (``masks=DIR``, the ``images/`` + ``masks/`` layout, a VOCdevkit's
``SegmentationClass``) are imported by :mod:`.mask_import`.

A plain folder or class folders (the layout of a million images) are never held whole: one walk decides the layout
(:mod:`.folder_survey`), a second streams the images a folder at a time into short batches (:mod:`.ingest`), their
headers read in worker processes when there are many (:mod:`.header_reads`). The layouts that come with annotation
files, masks or batches list their files as before.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

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
)
from ..fsutil import atomic_write
from ..jobs import JobToken
from ..labels_rule import label_problem
from ..store.integrity import ProjectBusy, project_lock
from ..store.store import BUSY_TIMEOUT, Store
from .annotation_sources import ANNOTATION_FORMATS, Scan, read_format, scan, unused_note
from .folder_survey import all_files, plain_images, survey
from .header_reads import worker_pays
from .import_report import ImportReport, Problem
from .ingest import ingest
from .mask_import import MaskFolder, import_mask_sources, match_folder, paired_folders, vocdevkit_sources

__all__ = ["FORMATS", "ImportFailed", "ImportReport", "Problem", "detect_format", "import_folder"]

FORMATS = ("auto", "flat", "classes", "vocdevkit", "cifar", *ANNOTATION_FORMATS)
CIFAR_OUTPUT_DIR = "cifar-png"
#: Formats whose images are streamed a folder at a time, never listed whole (a plain folder, class folders).
PLAIN_LAYOUTS = ("auto", "flat", "classes")
#: Images a batch writes at most; a batch commits once its files have been read this long, so the app's edits never
#: wait long for an import (:func:`.ingest.ingest`).
INGEST_BATCH = 200
INGEST_SECONDS = 0.05


class ImportFailed(Exception):
    """The import cannot start (wrong format, unreadable folder)."""


# ------------------------------------------------------------------ detection
def _vocdevkit_years(root: Path) -> list[Path]:
    """``VOCyyyy`` folders (JPEGImages/ with Annotations/ or SegmentationClass/) at or below ``root``."""
    candidates = [root, *sorted(root.glob("VOC*")), *sorted(root.glob("VOCdevkit/VOC*"))]
    return [p for p in candidates if (p / "JPEGImages").is_dir()
            and ((p / "Annotations").is_dir() or (p / "SegmentationClass").is_dir())]


def detect_format(root: Path, files: list[Path] | None = None, annotations: Path | None = None,
                  found: Scan | None = None, class_folders: bool | None = None) -> str:
    """The format of the folder: CIFAR batches, a VOCdevkit, the annotation files found (``found``, else scanned
    from ``files``), VOC XML in ``annotations``, else class folders (``class_folders``, else told from ``files``) or a
    flat folder."""
    if cifar.find_batch_dir(root) is not None:
        return "cifar"
    if _vocdevkit_years(root):
        return "vocdevkit"
    found = found or scan(root, files or [], annotations)
    detected = found.detected()
    if detected:
        return detected
    if annotations is not None:
        return "voc"
    if class_folders is None:
        class_folders = looks_like_class_folders(root, image_files(root, files or []))
    return "classes" if class_folders else "flat"


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
    # one walk that keeps what deciding the layout needs; the full list of files only for a layout that needs it
    surveyed = survey(root, mask_folders, keep_files=fmt not in PLAIN_LAYOUTS)
    found = scan(root, surveyed.scanned, annotations) if fmt != "cifar" else Scan()
    paired = fmt == "auto" and any(f.images is not None for f in mask_folders)
    if fmt == "auto":
        fmt = detect_format(root, annotations=annotations, found=found, class_folders=surveyed.class_folders.verdict)
    report = ImportReport(format="images+masks" if paired and fmt in ("flat", "classes") else fmt)
    problems = report.problems
    problems.extend(Problem(shown, "error", reason) for shown, reason in surveyed.skipped + surveyed.unsupported)
    classes: list[str] = []
    if report.format in ("flat", "classes"):  # streamed, a folder at a time
        candidates: Iterable[Candidate] = plain_images(root, mask_folders, class_folders=fmt == "classes")
        total = surveyed.images
    else:
        files = surveyed.files if surveyed.files is not None else all_files(root, mask_folders)
        candidates, classes = _layout_candidates_of(store, fmt, report, root, files, found, annotations,
                                                    mask_folders, view, job)
        total = len(candidates)
    for other, paths in found.files.items():
        if other != fmt and not (fmt == "vocdevkit" and other == "voc"):
            shown, reason = unused_note(other, paths, fmt, root)
            problems.append(Problem(shown, "warning", reason))
    problems.extend(Problem(display_path(path, root), "warning", reason) for path, reason in found.problems)
    store.set_setting("format", report.format)
    record_classes(store, classes)

    job.status("reading image headers")
    ingest(store, candidates, total, fmt, report, job, batch=(INGEST_BATCH, INGEST_SECONDS),
           processes=worker_pays(total))
    _import_masks(store, fmt, mask_folders, report, job)
    # a path that is not UTF-8 (an annotation or mask file's) is shown with its bytes escaped, never a crash
    report.problems[:] = [Problem(_printable(p.path), p.severity, _printable(p.reason)) for p in report.problems]
    store.record_import_problems([(p.path, p.severity, p.reason) for p in report.problems])
    return report


def _layout_candidates_of(store: Store, fmt: str, report: ImportReport, root: Path, files: list[Path], found: Scan,
                          annotations: Path | None, mask_folders: list[MaskFolder], view: str | None,
                          job: JobToken) -> tuple[list[Candidate], list[str]]:
    """The candidates of a layout that comes with annotation files, masks or batches (the whole list of its files
    in hand), and the class list its files give."""
    problems = report.problems
    if report.format == "images+masks":
        return _paired_candidates(root, files, [f for f in mask_folders if f.images is not None]), []
    if fmt == "cifar":
        if cifar.find_batch_dir(root) is None:
            raise ImportFailed(f"{root}: no CIFAR batches (data_batch_N, test_batch) found")
        return _cifar_candidates(store, root, view, problems, job), []
    if fmt == "vocdevkit":
        return _vocdevkit_candidates(root, problems), []
    if fmt == "voc":
        return _voc_candidates(root, files, annotations, problems), []
    if fmt in ANNOTATION_FORMATS:
        return _annotation_candidates(fmt, found, root, files, annotations, report)
    return (class_folder_candidates if fmt == "classes" else flat_candidates)(root, image_files(root, files)), []


def _printable(text: str) -> str:
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _import_masks(store: Store, fmt: str, folders: list[MaskFolder], report: ImportReport, job: JobToken) -> None:
    if not folders and fmt != "vocdevkit":  # no mask source: the project's images are not listed
        return
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
