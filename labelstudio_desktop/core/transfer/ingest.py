"""Writing an import's images into the store, a short batch at a time, holding no list of every file or record.

The files of a batch are read holding no lock (their headers by :mod:`.header_reads`, in a second process for a large
folder), then written in one short transaction, so the app's edits get in between batches; each batch commits
whole, so a cancelled or failed import keeps every batch before it. A batch's new images go in with one statement
(:mod:`..store.bulk_images`, the rows :meth:`..store.store.Store.add_image` writes), and the records of its paths are
looked up by one indexed query. The paths met are kept in a temporary table (on a re-import only: in a first import
nothing can vanish), and the images beyond them whose files are gone are marked missing.
"""

from __future__ import annotations

import time
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..formats.folders import Candidate, display_path
from ..jobs import JobToken
from ..labels_rule import label_problem
from ..store.bulk_images import INSERT_IMAGE, SeenPaths, has_images, image_row, images_by_path, insert_images
from ..store.masks import mask_size
from ..store.store import ImageRecord, Store
from ..validate import AnnotationError
from .annotation_import import AnnotationStore
from .annotation_sources import voc_annotation
from .header_reads import Header, headers
from .import_report import ImportReport, Problem

#: Images marked missing per transaction.
MISSING_BATCH = 10_000


@dataclass
class _Read:
    """What the files say about one candidate, read before the batch takes the write lock."""
    facts: Any = None
    problem: str | None = None
    size: int = 0
    mtime: float = 0.0
    anns: list = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def ingest(store: Store, candidates: Iterable[Candidate], total: int, fmt: str, report: ImportReport,
           job: JobToken, batch: tuple[int, float], processes: bool = False) -> None:
    """Add or refresh the image of each candidate (``total`` of them, for the progress) and store what its annotations
    say (of ``fmt``); mark missing the images whose files are gone. ``batch``: the most images a batch writes, and
    the seconds of reading after which it is written whatever its size. ``processes``: read the headers in a worker
    process (:func:`.header_reads.headers`)."""
    most, seconds = batch
    root = store.root
    seen = SeenPaths(store.conn) if has_images(store.conn) else None
    applier = AnnotationStore(store, [])
    reads = headers(root, candidates, processes)
    done = 0
    try:
        while True:
            job.check()
            began, read = time.monotonic(), []
            for cand, header in reads:  # the files are read holding no lock (for at most ``seconds``)...
                read.append((cand, _read_one(root, cand, fmt, header)))
                if len(read) >= most or time.monotonic() - began >= seconds:
                    break
            if not read:
                break
            with store.transaction():  # ...then written in one short commit: the app's edits get in between batches
                _write_batch(store, read, seen, report, applier)
            done += len(read)
            job.progress(done, total)
    finally:
        reads.close()
    with store.transaction():
        applier.finish()
    report.problems.extend(Problem(*row) for row in applier.problems)
    if applier.counts.files:
        report.annotations = applier.counts
    if seen is not None:
        _mark_gone(store, seen, report)
        seen.close()


def _write_batch(store: Store, batch: list[tuple[Candidate, _Read]], seen: SeenPaths | None, report: ImportReport,
                 applier: AnnotationStore) -> None:
    """One batch, inside its transaction: its plain new images in one statement (in their order, so ids follow the
    files), the others one by one."""
    known = images_by_path(store.conn, [cand.rel for cand, _read in batch], store.refused_images) if seen else {}
    new_rows: list[tuple] = []
    for cand, read in batch:
        existing = known.get(cand.rel)
        if read.problem is not None:
            report.problems.append(Problem(cand.rel, "error", read.problem))
            if existing is not None and not existing.missing:
                store.set_missing([existing.id])
                report.missing += 1
            continue
        report.problems.extend(Problem(cand.rel, "warning", note) for note in read.notes)
        if existing is not None:
            _refresh(store, cand, read, existing, report)
            image_id = existing.id
        else:
            report.added += 1
            row = image_row(cand.rel, read.size, read.mtime, read.facts.width, read.facts.height,
                            read.facts.channels, label=cand.label, split=cand.split, warnings=read.notes)
            if not read.anns:
                new_rows.append(row)
                continue
            insert_images(store.conn, new_rows)
            new_rows = []
            image_id = int(store.conn.execute(INSERT_IMAGE, row).lastrowid)
        if read.anns:
            image = store.image(image_id)
            for ann_format, ann in read.anns:
                report.boxes += applier.apply(image, ann, ann_format, read.facts.orientation, existing is None)
    insert_images(store.conn, new_rows)
    if seen is not None:
        seen.add(cand.rel for cand, _read in batch)


def _mark_gone(store: Store, seen: SeenPaths, report: ImportReport) -> None:
    """Mark missing the images not met whose files are gone (a file not met may be in a folder left out)."""
    gone = array("q")
    for records in seen.unseen(store.refused_images):
        gone.extend(img.id for img in records if not img.missing and not (store.root / img.path).is_file())
    for start in range(0, len(gone), MISSING_BATCH):
        store.set_missing(gone[start:start + MISSING_BATCH].tolist())
    report.missing += len(gone)


def _read_one(root: Path, cand: Candidate, fmt: str, header: Header) -> _Read:
    if header.problem is not None:
        return _Read(problem=header.problem)
    facts = header.facts
    notes = list(facts.warnings) + cand.notes
    anns = [(fmt, ann) for ann in cand.sources]
    if cand.annotation is not None:
        try:
            anns.append(("voc", voc_annotation(cand.annotation, root / cand.rel)))
        except AnnotationError as exc:
            notes.append(f"annotation {cand.annotation.name}: {exc}")
    anns = [(ann_format, _lawful_labels(ann, root, notes)) for ann_format, ann in anns]
    return _Read(facts, None, header.size, header.mtime, anns, notes)


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


def _refresh(store: Store, cand: Candidate, read: _Read, existing: ImageRecord, report: ImportReport) -> None:
    """A file the project has: its facts recorded again when it changed (or came back), counted either way."""
    facts, size, mtime = read.facts, read.size, read.mtime
    if existing.size == size and existing.mtime == mtime and not existing.missing:
        report.unchanged += 1
        return
    store.refresh_image(existing.id, size, mtime, facts.width, facts.height, facts.channels, read.notes)
    if existing.width and (facts.width, facts.height) != (existing.width, existing.height):  # 0: not known
        _flag_boxes_beyond(store, existing.id, cand.rel, facts.width, facts.height, read.notes, report)
    if existing.missing and existing.size == size:
        report.restored += 1
    else:
        report.refreshed += 1
    if existing.label is None and cand.label is not None:
        store.update_image_fields(existing.id, {"label": cand.label})
