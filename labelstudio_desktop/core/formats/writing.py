"""What every writer of an export shares: the report and the error, the images an export reads (usable, with their
boxes, their masks), their file ids, the refusal to replace files unless asked, a file name the file system refuses
(skipped with a note), the upright JPEG copies, and the staged writer every format registers
(:func:`staged_writer`: a killed export leaves nothing half-written, :mod:`.staging`).

Files are written atomically (:func:`.fsutil.atomic_write`); existing files are replaced only when asked
(``overwrite``).
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np

from ..fsutil import WRITTEN, atomic_write, link_outside, name_refused
from ..images import ImageProblem, open_upright, probe
from ..jobs import JobToken
from ..store.masks import decoded_masks
from ..store.store import BoxRecord, ImageRecord, Store
from .staging import staged_export


class ExportError(Exception):
    """The export cannot run (target files exist, bad layout); nothing was written."""


@dataclass
class ExportReport:
    layout: str
    out: Path
    images: int = 0
    objects: int = 0
    reencoded: int = 0
    unsplit: int = 0
    problems: list[tuple[str, str]] = field(default_factory=list)
    nothing_because: str = ""  # when nothing was exported: why, in a sentence

    def as_dict(self) -> dict:
        return {"layout": self.layout, "out": str(self.out), "images": self.images, "objects": self.objects,
                "reencoded": self.reencoded, "unsplit": self.unsplit,
                "problems": [{"path": p, "reason": r} for p, r in self.problems],
                "nothing_because": self.nothing_because}


def export_states(include_pending: bool) -> tuple[str, ...]:
    return ("accepted", "pending") if include_pending else ("accepted",)


HOW_TO_ADD = {"masks": "import mask images (`labelstudio-desktop import FOLDER --masks DIR`) or paint masks in the app",
              "boxes": "draw boxes in the app, accept proposals, or import Pascal VOC (`import FOLDER --annotations "
                       "DIR`)"}


def nothing_to_export(store: Store, kind: str, include_pending: bool) -> str:
    """Why an export of ``kind`` (``masks`` or ``boxes``) found nothing, and what to do about it."""
    if kind not in HOW_TO_ADD:
        raise ValueError(f"unknown kind {kind!r}")
    counts = {state: n for state, n in store.conn.execute(f"SELECT state, COUNT(*) FROM {kind} GROUP BY state")}
    pending, accepted = counts.get("pending", 0), counts.get("accepted", 0)
    if not counts:
        return f"the project has no {kind}: {HOW_TO_ADD[kind]}"
    if not accepted and pending and not include_pending:
        return f"the project has only pending {kind} ({pending}): accept them in the app, or pass --include-pending"
    return (f"no {'accepted or pending' if include_pending else 'accepted'} {kind} on usable images "
            f"({sum(counts.values())} {kind} in all; rejected ones, and excluded or missing images, are left out)")


def exportable_images(store: Store) -> list[ImageRecord]:
    """Images an export reads: not excluded, not missing, and not a link leading outside the project (never read:
    see :func:`links_outside`)."""
    return [img for img in store.each_image(include_excluded=False, include_missing=False)
            if not link_outside(store.root, store.abs_path(img))]


LINK_OUTSIDE = "skipped: a link leading outside the project (its file is not read)"


def links_outside(store: Store) -> list[str]:
    """Paths of usable images whose file is now a symbolic link leading outside the project: exports skip them."""
    return [img.path for img in store.each_image(include_excluded=False, include_missing=False)
            if link_outside(store.root, store.abs_path(img))]


def note_links_outside(store: Store, report: ExportReport) -> None:
    for path in links_outside(store):
        report.problems.append((path, LINK_OUTSIDE))


def images_with_boxes(store: Store, include_pending: bool, report: ExportReport
                      ) -> list[tuple[ImageRecord, list[BoxRecord]]]:
    """Usable images with their boxes to export. An image without boxes is exported (as a negative) only when it
    is verified: an unverified one is simply not annotated yet; how many were left out is noted in ``report``."""
    states = export_states(include_pending)
    note_links_outside(store, report)
    out, unannotated = [], 0
    for img in exportable_images(store):
        boxes = store.boxes(img.id, states=states)
        if boxes or img.status == "verified":
            out.append((img, boxes))
        else:
            unannotated += 1
    if unannotated:
        report.problems.append(("", f"{unannotated} unverified image(s) without boxes left out (verify an image "
                                    "to export it as a negative)"))
    if not out and not report.nothing_because:
        report.nothing_because = nothing_to_export(store, "boxes", include_pending)
    return out


def images_with_boxes_and_masks(store: Store, include_pending: bool, report: ExportReport
                                ) -> list[tuple[ImageRecord, list[BoxRecord], list[tuple[str, np.ndarray]]]]:
    """Images with boxes (or verified), and images with masks, each with its boxes and its masks (label, 0/1 array:
    one per stored mask, oldest first): what the COCO and labelme writers write."""
    states = export_states(include_pending)
    boxed = {img.id: (img, boxes) for img, boxes in images_with_boxes(store, include_pending, report)}
    out = []
    for img in store.each_image(include_excluded=False, include_missing=False):
        rows = [r for r in store.masks(img.id) if r["state"] in states]
        notes: list[str] = []
        masks = [(r["label"], mask) for r, mask in decoded_masks(rows, img.width, img.height, notes)]
        report.problems.extend((img.path, note) for note in notes)
        if img.id in boxed or masks:
            out.append((img, boxed[img.id][1] if img.id in boxed else [], masks))
    if out:
        report.nothing_because = ""
    return out


def split_or_train(img: ImageRecord, report: ExportReport) -> str:
    """The image's split; an image without one goes to train (counted in ``report.unsplit``)."""
    if img.split is None:
        report.unsplit += 1
        return "train"
    return img.split


def note_unsplit(report: ExportReport) -> None:
    if report.unsplit:
        report.problems.append(("", f"{report.unsplit} image(s) without a split were listed in train"))


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _ascii_id(text: str) -> str:
    """Letters, digits, ``._-`` only: strict readers open ids with the locale's encoding and split on spaces."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _UNSAFE.sub("_", folded).strip("_")


def unique_ids(paths: list[str]) -> dict[str, str]:
    """A file id per image path: the stem when it is unique, else the folder path joined with ``__``.

    Ids are ASCII without white space (ImageSets readers split lines on it) and never collide.
    """
    stems: dict[str, int] = {}
    for p in paths:
        stem = _ascii_id(PurePosixPath(p).stem)
        stems[stem] = stems.get(stem, 0) + 1
    taken: set[str] = set()
    ids: dict[str, str] = {}
    for p in paths:
        pure = PurePosixPath(p)
        stem = _ascii_id(pure.stem)
        base = stem if stems[stem] == 1 else "__".join(_ascii_id(part) for part in (*pure.parent.parts, pure.stem))
        ident, n = base or "image", 2
        while ident in taken:
            ident, n = f"{base}_{n}", n + 1
        taken.add(ident)
        ids[p] = ident
    return ids


def _exists(path: Path) -> bool:
    """Whether ``path`` exists; a name the file system refuses (too long...) does not, and is skipped when written
    (:func:`each_file`)."""
    try:
        return path.exists()
    except OSError as exc:
        if name_refused(exc):
            return False
        raise


@dataclass
class FileStep:
    """What :func:`each_file` did: ``skipped`` when the file system refused a name."""

    skipped: bool = False


@contextmanager
def each_file(report: ExportReport, record: str) -> Iterator[FileStep]:
    """One image's (or one list's) files of an export, written in the ``with`` block: when the file system refuses
    a name (:func:`.fsutil.name_refused`: too long, a character it cannot hold), the files the block wrote are removed,
    ``record`` is noted as skipped with the name, and the export goes on after the block. Blocks nest: what an inner
    one wrote counts as written by the outer one too."""
    step = FileStep()
    written: list[Path] = []
    token = WRITTEN.set(written)
    try:
        yield step
    except OSError as exc:
        if not name_refused(exc):
            raise
        for path in written:
            path.unlink(missing_ok=True)
        name = Path(exc.filename).name if exc.filename else "?"
        report.problems.append((record, f"skipped: the file system refuses the name {name!r} ({exc.strerror})"))
        step.skipped = True
    finally:
        WRITTEN.reset(token)
        outer = WRITTEN.get()
        if outer is not None and not step.skipped:
            outer.extend(written)


def check_targets(targets: list[Path], overwrite: bool) -> None:
    existing = [t for t in targets if _exists(t)]
    if existing and not overwrite:
        shown = ", ".join(str(t) for t in existing[:3])
        more = f" and {len(existing) - 3} more" if len(existing) > 3 else ""
        raise ExportError(f"{len(existing)} file(s) already exist: {shown}{more}. Nothing was written; "
                          "choose another folder or pass --overwrite")


def jpeg_bytes(src: Path) -> tuple[bytes, bool]:
    """The JPEG to put in JPEGImages: the original bytes when they are an upright RGB JPEG, else re-encoded."""
    facts = probe(src)
    if facts.format == "JPEG" and facts.orientation == 1 and facts.mode in ("RGB", "L") \
            and not any("truncated" in w for w in facts.warnings):
        return src.read_bytes(), False
    buf = io.BytesIO()
    open_upright(src).save(buf, format="JPEG", quality=95, subsampling=0)
    return buf.getvalue(), True


def write_upright_copy(store: Store, img: ImageRecord, target: Path, report: ExportReport) -> bool:
    """Write the image as an upright JPEG at ``target`` (its own bytes when they already are one); False, with the
    reason in ``report``, when it cannot be read, is a link leading outside the project (never read), or the file
    system refuses the name of ``target`` (:func:`each_file`)."""
    if link_outside(store.root, store.abs_path(img)):
        note = (img.path, LINK_OUTSIDE)
        if note not in report.problems:
            report.problems.append(note)
        return False
    try:
        data, reencoded = jpeg_bytes(store.abs_path(img))
    except (ImageProblem, OSError) as exc:
        report.problems.append((img.path, f"skipped: {exc}"))
        return False
    with each_file(report, img.path) as step:  # a name the file system refuses: noted, and False
        atomic_write(target, data)
        report.reencoded += int(reencoded)
    return not step.skipped


def staged_writer(key: str, write_into: Callable, *option_names: str) -> Callable:
    """A registry writer (:class:`.registry.ExportFormat`) for ``write_into(store, out, include_pending,
    overwrite, job, report, **options)``: ``out`` resolved, a report of layout ``key``, the whole export staged
    (a killed export leaves nothing half-written in ``out``); ``option_names``: the export options it takes."""
    def write(store: Store, out: Path, include_pending: bool, overwrite: bool, job: JobToken,
              **options) -> ExportReport:
        out = Path(out).resolve()
        report = ExportReport(layout=key, out=out)
        with staged_export(store.root, out):
            taken = {k: options[k] for k in option_names if k in options}
            write_into(store, out, include_pending, overwrite, job, report, **taken)
        return report
    return write
