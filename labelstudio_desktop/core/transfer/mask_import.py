"""Importing mask images: which file belongs to which image, and an incremental, edit-safe re-import.

Where masks come from:

- ``--masks DIR``: mask files anywhere below ``DIR``, matched to images by file stem (``cat/001.png`` to
  ``images/cat/001.jpg``; where several images share a stem, the sub-folders decide; ``001_mask.png`` and
  similar suffixes match too);
- the common ``images/`` + ``masks/`` layout (also one level down, below ``train/``, ``val/``, ``test/``), found
  when the two folders hold files of the same names;
- a VOCdevkit's ``SegmentationClass`` (or, for an image without one, ``SegmentationObject``, its instances named
  by the objects of ``Annotations/<id>.xml`` in order).

Each label of a file becomes one accepted mask (source ``imported``) exactly as training reads masks
(:func:`..masks.decode_mask`). The file is remembered (size, modification time, the digest of each mask stored):
an unchanged file is not read again; a changed one replaces its masks unless the image is verified or one of
them was edited in the app (a new PNG or label, rejected, deleted), which is reported as a conflict instead.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..formats import voc
from ..formats.folders import SPLIT_FOLDER_NAMES, display_path, walk_files
from ..formats.masks import (
    DEFAULT_LABEL,
    MASK_EXTENSIONS,
    VOC_CLASSES,
    ClassList,
    MaskProblem,
    find_class_list,
    read_mask,
)
from ..images import TRANSPOSED_ORIENTATIONS, ImageProblem, is_image_name, probe, upright_array
from ..jobs import JobToken
from ..store.masks import encode_mask, record_mask_classes
from ..store.store import ImageRecord, Store, file_facts
from .reimport import ImportedItem, file_changed, refresh_refused

IMAGE_FOLDER_NAMES = frozenset({"images", "image", "imgs", "img", "jpegimages"})
MASK_FOLDER_NAMES = frozenset({"masks", "mask", "labels", "annotations", "segmentation", "segmentations", "gt",
                               "groundtruth", "ground_truth", "trimaps"})
#: Endings of mask names that still match the image's stem: ``001_mask.png`` is the mask of ``001.jpg``.
MASK_SUFFIXES = ("_mask", "-mask", "_masks", ".mask", "_seg", "_segmentation", "_label", "_labels", "_gt")
BATCH = 100
BATCH_SECONDS = 0.05
NOT_USED = "mask"  # the severity of a problem that kept a mask file (or one of its labels) out


@dataclass
class MaskFolder:
    """A folder of mask files, with the image folder beside it in the ``images/`` + ``masks/`` layout."""

    masks: Path
    images: Path | None = None
    split: str | None = None


@dataclass
class MaskSource:
    """One mask file to import for one image."""

    image: str  # the image's path in the project
    path: Path
    classes: ClassList | None = None
    object_labels: list[str] | None = None  # VOC SegmentationObject: instance k is the k-th object
    label: str | None = None  # the label of a binary mask (default: the image's class, else "object")


@dataclass
class MaskCounts:
    files: int = 0
    masks: int = 0
    refreshed: int = 0
    unchanged: int = 0
    conflicts: int = 0
    skipped: int = 0

    def as_dict(self) -> dict:
        return dict(self.__dict__)


# ------------------------------------------------------------------ finding the masks
def paired_folders(root: Path) -> list[MaskFolder]:
    """``images/`` + ``masks/`` pairs at ``root`` or in its split folders, when they share file stems."""
    found = []
    for base, split in [(root, None), *((d, SPLIT_FOLDER_NAMES[d.name.lower()]) for d in _subdirs(root)
                                        if d.name.lower() in SPLIT_FOLDER_NAMES)]:
        subdirs = _subdirs(base)
        images = [d for d in subdirs if d.name.lower() in IMAGE_FOLDER_NAMES]
        masks = [d for d in subdirs if d.name.lower() in MASK_FOLDER_NAMES]
        if len(images) == 1 and masks:
            image_stems = {p.stem for p in walk_files(images[0]) if is_image_name(p)}
            for mask_dir in masks:
                if any(_stem_keys(p.stem) & image_stems for p in mask_files(mask_dir)):
                    found.append(MaskFolder(mask_dir, images[0], split))
                    break
    return found


def _subdirs(folder: Path) -> list[Path]:
    try:
        return sorted(d for d in folder.iterdir() if d.is_dir() and not d.name.startswith("."))
    except OSError:
        return []


def mask_files(folder: Path) -> list[Path]:
    return [p for p in walk_files(folder) if p.suffix.lower() in MASK_EXTENSIONS]


def _stem_keys(stem: str) -> set[str]:
    """The stem, and the stem without a mask suffix (``001_mask`` -> ``001``)."""
    keys = {stem}
    lowered = stem.lower()
    for suffix in MASK_SUFFIXES:
        if lowered.endswith(suffix) and len(stem) > len(suffix):
            keys.add(stem[:-len(suffix)])
    return keys


def match_folder(folder: MaskFolder, image_paths: list[str], root: Path,
                 problems: list[tuple[str, str, str]]) -> list[MaskSource]:
    """Mask files of ``folder`` matched to project images by stem, sub-folders deciding between namesakes."""
    by_stem: dict[str, list[str]] = {}
    for rel in image_paths:
        by_stem.setdefault(PurePosixPath(rel).stem, []).append(rel)
    classes = find_class_list(folder.masks, folder.masks.parent)
    claimed: dict[str, list[Path]] = {}
    for path in mask_files(folder.masks):
        parents = path.relative_to(folder.masks).parent.parts
        candidates = sorted({rel for key in _stem_keys(path.stem) for rel in by_stem.get(key, [])})
        if len(candidates) > 1 and parents:  # namesakes: the one in the same sub-folder(s)
            same_folder = [rel for rel in candidates if PurePosixPath(rel).parent.parts[-len(parents):] == parents]
            candidates = same_folder or candidates
        if len(candidates) == 1:
            claimed.setdefault(candidates[0], []).append(path)
        elif not candidates:
            problems.append((display_path(path, root), NOT_USED,
                             "mask without a matching image (matched by file stem)"))
        else:
            problems.append((display_path(path, root), NOT_USED, f"{len(candidates)} images match this mask "
                             f"({', '.join(candidates[:3])}): not imported; put it in the sub-folders of its image"))
    sources = []
    for rel, paths in claimed.items():
        if len(paths) > 1:
            names = ", ".join(display_path(p, root) for p in paths)
            problems.append((display_path(paths[0], root), NOT_USED,
                             f"{len(paths)} mask files for image {rel} ({names}): none imported"))
            continue
        sources.append(MaskSource(rel, paths[0], classes))
    return sources


def vocdevkit_sources(year: Path, root: Path) -> list[MaskSource]:
    """A VOCyyyy folder's ``SegmentationClass`` masks, or ``SegmentationObject`` where there is no class mask."""
    classes = find_class_list(year, year / "SegmentationClass") or ClassList(list(VOC_CLASSES), {}, "VOC classes")
    sources = []
    for image in sorted((year / "JPEGImages").glob("*")):
        rel = image.relative_to(root).as_posix()
        by_class = year / "SegmentationClass" / f"{image.stem}.png"
        by_object = year / "SegmentationObject" / f"{image.stem}.png"
        if by_class.is_file():
            sources.append(MaskSource(rel, by_class, classes))
        elif by_object.is_file():
            sources.append(MaskSource(rel, by_object, classes, _object_labels(year / "Annotations",
                                                                              image.stem)))
    return sources


def _object_labels(annotations: Path, stem: str) -> list[str]:
    try:
        return [obj.name for obj in voc.read_voc(annotations / f"{stem}.xml").objects]
    except voc.VocError:
        return []


# ------------------------------------------------------------------ importing
def import_mask_sources(store: Store, sources: list[MaskSource], job: JobToken | None = None
                        ) -> tuple[MaskCounts, list[tuple[str, str, str]]]:
    """Import (or re-import) the masks of ``sources``; returns the counts and (file, severity, reason) problems:
    severity :data:`NOT_USED` when the file (or one of its labels) gave no mask, ``warning`` for a note."""
    job = job or JobToken()
    counts, problems = MaskCounts(), []
    images = {img.path: img for img in store.images(include_missing=False)}
    job.status("reading masks")
    done = 0
    while done < len(sources):
        job.check()
        began, stop, batch = time.monotonic(), min(done + BATCH, len(sources)), []
        while done + len(batch) < stop:  # mask files are read holding no lock (for at most BATCH_SECONDS)...
            source = sources[done + len(batch)]
            image = images.get(source.image)
            batch.append((image, source, _read_ahead(store, image, source)))
            if time.monotonic() - began >= BATCH_SECONDS:
                break
        with store.transaction():  # ...then written in one short commit: the app's edits get in between batches
            for image, source, reading in batch:
                if image is not None:  # an image that could not be imported was reported already
                    _import_one(store, image, source, counts, problems, reading)
        done += len(batch)
        job.progress(done, len(sources))
    names = [n for s in sources if s.classes for n in s.classes.names[1:] if n.lower() != "background"]
    record_mask_classes(store, names)
    return counts, problems


def _read_ahead(store: Store, image: ImageRecord | None, source: MaskSource):
    """The file's masks (or its :class:`MaskProblem`) when :func:`_import_one` will need them, read before the write
    lock is taken; None when it will not read the file (or reads it itself)."""
    if image is None:
        return None
    try:
        size, mtime = file_facts(source.path)
    except OSError:
        return None
    row = store.conn.execute("SELECT * FROM mask_files WHERE path=?",
                             (display_path(source.path, store.root),)).fetchone()
    if not file_changed(row, size, mtime) and row["image_id"] == image.id:
        return None
    try:
        return read_for_image(source, image, store.abs_path(image))
    except MaskProblem as exc:
        return exc


def _import_one(store: Store, image: ImageRecord, source: MaskSource, counts: MaskCounts,
                problems: list[tuple[str, str, str]], reading=None) -> None:
    shown = key = display_path(source.path, store.root)  # relative to the project when inside it, so it can move
    try:
        size, mtime = file_facts(source.path)
    except OSError as exc:
        problems.append((shown, NOT_USED, f"cannot read the mask ({exc.strerror})"))
        counts.skipped += 1
        return
    row = store.conn.execute("SELECT * FROM mask_files WHERE path=?", (key,)).fetchone()
    counts.files += 1
    if not file_changed(row, size, mtime) and row["image_id"] == image.id:
        counts.unchanged += 1
        if row["problem"]:
            counts.skipped += 1
            problems.append((shown, NOT_USED, row["problem"]))
        return
    if row is not None:
        reason = _refresh_refused(store, image, row)
        if reason:
            counts.conflicts += 1
            problems.append((shown, NOT_USED,
                             f"conflict: the mask file changed, but {reason}; the file was not applied"))
            return
    try:
        if isinstance(reading, MaskProblem):
            raise reading
        masks, notes = reading if reading is not None else read_for_image(source, image, store.abs_path(image))
    except MaskProblem as exc:
        problem = f"{exc}: not imported" + ("" if row is None else " (the masks it gave before are kept)")
        problems.append((shown, NOT_USED, problem))
        _remember_file(store, row, key, image.id, size, mtime, None, problem)
        counts.skipped += 1
        return
    if row is not None:
        store.conn.execute("DELETE FROM masks WHERE id IN (SELECT mask_id FROM imported_masks WHERE file_id=?)",
                           (row["id"],))
        counts.refreshed += 1
    problems.extend((shown, "warning", note) for note in notes)
    kept = _without_operator_labels(store, image.id, masks, shown, problems, counts)
    _remember_file(store, row, key, image.id, size, mtime, kept, None)
    counts.masks += len(kept)


def read_for_image(source: MaskSource, image: ImageRecord, image_path: Path) -> tuple[dict[str, bytes], list[str]]:
    """The file's masks in the image's upright frame, each as it will be stored (a PNG), and notes;
    :class:`MaskProblem` when it gives none. A mask of the raw frame of an EXIF-rotated photo (the size transposed)
    is turned upright, as the photo is. A mask of another size is refused from its header, before it is decoded;
    the labels' masks are made one at a time and compressed at once, so a file of many labels costs one array."""
    default_label = source.label or image.label or DEFAULT_LABEL
    reading = read_mask(source.path, source.classes, default_label, source.object_labels,
                        frame=(image.width, image.height))
    notes = list(reading.notes)
    turn = None
    if (reading.width, reading.height) != (image.width, image.height):
        orientation = image_orientation(image_path)
        if orientation not in TRANSPOSED_ORIENTATIONS:
            raise MaskProblem(f"mask is {reading.width}x{reading.height}, the image is {image.width}x{image.height} "
                              "(upright)")
        turn = orientation
        notes.append(f"mask drawn on the photo's raw frame (EXIF orientation {orientation}): turned upright")
    pngs = {}
    for label in reading.masks:
        mask = reading.masks[label]
        if turn is not None:
            mask = upright_array(mask, turn)
        if mask.any():
            pngs[label] = encode_mask(mask)
    if not pngs:
        raise MaskProblem("empty mask (no foreground pixel)")
    return pngs, notes


def _refresh_refused(store: Store, image: ImageRecord, row) -> str | None:
    """Why a changed mask file must not replace the masks it gave, or None."""
    linked = store.conn.execute(
        "SELECT m.label, m.png, m.state, m.edited, i.digest FROM imported_masks i JOIN masks m ON m.id = i.mask_id "
        "WHERE i.file_id=?", (row["id"],)).fetchall()
    items = [ImportedItem(m["label"], m["state"], bool(m["edited"]), mask_digest(m["label"], bytes(m["png"])),
                          m["digest"]) for m in linked]
    return refresh_refused("mask", image.status == "verified", row["mask_count"], items)


def _without_operator_labels(store: Store, image_id: int, masks: dict[str, bytes], shown: str,
                             problems: list[tuple[str, str, str]], counts: MaskCounts) -> dict[str, bytes]:
    """``masks`` less the labels the image already has an accepted mask of from elsewhere (drawn, another file)."""
    taken = {r[0] for r in store.conn.execute(
        "SELECT label FROM masks WHERE image_id=? AND state='accepted'", (image_id,))}
    kept = {}
    for label, mask in masks.items():
        if label in taken:
            counts.conflicts += 1
            problems.append((shown, NOT_USED, f"conflict: the image already has a '{label}' mask (drawn in the app "
                                              "or from another file); the file's was not imported"))
        else:
            kept[label] = mask
    return kept


def _remember_file(store: Store, row, key: str, image_id: int, size: int, mtime: float,
                   masks: dict[str, bytes] | None, problem: str | None) -> None:
    """Record the file's facts and link the masks it gave (``None``: the masks linked before stay)."""
    c = store.conn
    if row is None:
        file_id = c.execute("INSERT INTO mask_files(image_id, path, size, mtime, mask_count, problem) "
                            "VALUES(?,?,?,?,?,?)", (image_id, key, size, mtime, len(masks or {}), problem)).lastrowid
    else:
        file_id = row["id"]
        c.execute("UPDATE mask_files SET image_id=?, size=?, mtime=?, problem=? WHERE id=?",
                  (image_id, size, mtime, problem, file_id))
        if masks is not None:
            c.execute("UPDATE mask_files SET mask_count=? WHERE id=?", (len(masks), file_id))
    for label, png in (masks or {}).items():
        mask_id = store.add_mask(image_id, label, png, source="imported", state="accepted")
        c.execute("INSERT INTO imported_masks(mask_id, file_id, digest) VALUES(?,?,?)",
                  (mask_id, file_id, mask_digest(label, png)))


def mask_digest(label: str, png: bytes) -> str:
    """What an imported mask was: a mask whose label or pixels no longer give this digest was edited."""
    return hashlib.sha256(label.encode("utf-8") + b"\0" + png).hexdigest()


def image_orientation(path: Path) -> int:
    try:
        return probe(path).orientation
    except ImageProblem:
        return 1
