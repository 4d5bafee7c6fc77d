"""Exporting a project: Pascal VOC in the labelImg layout or as ``VOCdevkit/VOC2007``.

Written so strict readers never choke: integer coordinates, every tag (``pose``, ``truncated``,
``difficult``), the size of the EXIF-corrected image, and ids that never collide. Files are written
atomically; existing files are replaced only when asked (``overwrite``).
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..editing.class_list import class_names, object_class_names
from ..formats.masks import labelmap_name, labelmap_text
from ..formats.voc import VocObject, voc_xml
from ..fsutil import WRITTEN, atomic_write, link_outside, name_refused, unique_safe_names
from ..images import ImageProblem, open_upright, probe, raw_point
from ..jobs import JobToken
from ..store.store import SPLITS, BoxRecord, ImageRecord, Store
from .export_registry import ExportFormat, register
from .staging import staged_export

LAYOUTS = ("labelimg", "vocdevkit")
VOC_YEAR = "VOC2007"


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


def _objects(store: Store, image: ImageRecord, include_pending: bool) -> list[VocObject]:
    return [VocObject(b.label, b.x0, b.y0, b.x1, b.y1, b.pose, b.truncated, b.difficult)
            for b in store.boxes(image.id, states=export_states(include_pending))]


def exportable_images(store: Store) -> list[ImageRecord]:
    """Images an export reads: not excluded, not missing, and not a link leading outside the project (never read:
    see :func:`links_outside`)."""
    return [img for img in store.images(include_excluded=False, include_missing=False)
            if not link_outside(store.root, store.abs_path(img))]


LINK_OUTSIDE = "skipped: a link leading outside the project (its file is not read)"


def links_outside(store: Store) -> list[str]:
    """Paths of usable images whose file is now a symbolic link leading outside the project: exports skip them."""
    return [img.path for img in store.images(include_excluded=False, include_missing=False)
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


def _check_targets(targets: list[Path], overwrite: bool) -> None:
    existing = [t for t in targets if _exists(t)]
    if existing and not overwrite:
        shown = ", ".join(str(t) for t in existing[:3])
        more = f" and {len(existing) - 3} more" if len(existing) > 3 else ""
        raise ExportError(f"{len(existing)} file(s) already exist: {shown}{more}. Nothing was written; "
                          "choose another folder or pass --overwrite")


def export_voc(store: Store, out: Path, layout: str = "labelimg", include_pending: bool = False,
               overwrite: bool = False, job: JobToken | None = None) -> ExportReport:
    """Write Pascal VOC annotations for every usable image of the project."""
    job = job or JobToken()
    if layout not in LAYOUTS:
        raise ExportError(f"unknown layout {layout!r}; choose one of {', '.join(LAYOUTS)}")
    out = Path(out).resolve()
    images = exportable_images(store)
    report = ExportReport(layout=layout, out=out)
    with staged_export(store.root, out):  # a killed export leaves nothing half-written in ``out``
        if layout == "labelimg":
            _export_labelimg(store, out, images, include_pending, overwrite, job, report)
        else:
            _export_vocdevkit(store, out, images, include_pending, overwrite, job, report)
    return report


def _export_labelimg(store: Store, out: Path, images: list[ImageRecord], include_pending: bool,
                     overwrite: bool, job: JobToken, report: ExportReport) -> None:
    """An XML per image beside a copy of the folder tree. labelImg shows a photo's raw frame (it ignores EXIF), so
    the XML of an EXIF-rotated photo gives the raw frame's size and boxes, and says so (``exif_orientation``):
    the file it references is described as that file is."""
    todo = images_with_boxes(store, include_pending, report)
    if not todo:  # nothing to write: report.nothing_because says why
        return
    targets = {img.path: out / PurePosixPath(img.path).with_suffix(".xml") for img, _boxes in todo}
    _check_targets(list(targets.values()), overwrite)
    raw_frames = 0
    for n, (img, boxes) in enumerate(todo):
        job.check()
        src = store.abs_path(img)
        objects = [_voc_object(b) for b in boxes]
        width, height, orientation = img.width, img.height, _orientation(src)
        if orientation != 1:
            objects, (width, height) = _raw_frame(objects, img, orientation)
        xml = voc_xml(folder=xml_text(src.parent.name), filename=xml_text(src.name), path=xml_text(str(src)),
                      width=width, height=height, depth=3, objects=objects, verified=img.status == "verified",
                      raw_orientation=orientation if orientation != 1 else None)
        with each_file(report, img.path):
            atomic_write(targets[img.path], xml)
            raw_frames += int(orientation != 1)
            report.images += 1
            report.objects += len(objects)
        job.progress(n + 1, len(todo))
    if raw_frames:
        report.problems.append(("", f"{raw_frames} EXIF-rotated photo(s): their XML gives the raw frame labelImg "
                                    "shows (size and boxes), marked exif_orientation; importing it turns them upright"))


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """``text`` with the characters XML 1.0 cannot hold (control characters, lone surrogates) as ``_``: a label
    stored before labels were checked at entry must not stop the export."""
    return _NOT_XML.sub("_", text)


def _voc_object(b: BoxRecord) -> VocObject:
    return VocObject(xml_text(b.label), b.x0, b.y0, b.x1, b.y1, xml_text(b.pose), b.truncated, b.difficult)


def _orientation(path: Path) -> int:
    try:
        return probe(path).orientation
    except ImageProblem:
        return 1


def _raw_frame(objects: list[VocObject], img: ImageRecord, orientation: int
               ) -> tuple[list[VocObject], tuple[int, int]]:
    """Boxes of the upright image in the raw frame of a photo of this EXIF orientation, and that frame's size."""
    raw_w, raw_h = (img.height, img.width) if orientation in (5, 6, 7, 8) else (img.width, img.height)
    moved = []
    for o in objects:
        corners = [raw_point(x, y, orientation, raw_w, raw_h) for x, y in ((o.x0, o.y0), (o.x1, o.y1))]
        xs, ys = sorted(int(c[0]) for c in corners), sorted(int(c[1]) for c in corners)
        moved.append(VocObject(o.name, xs[0], ys[0], xs[1], ys[1], o.pose, o.truncated, o.difficult))
    return moved, (raw_w, raw_h)


def _jpeg_bytes(src: Path) -> tuple[bytes, bool]:
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
        data, reencoded = _jpeg_bytes(store.abs_path(img))
    except (ImageProblem, OSError) as exc:
        report.problems.append((img.path, f"skipped: {exc}"))
        return False
    with each_file(report, img.path) as step:  # a name the file system refuses: noted, and False
        atomic_write(target, data)
        report.reencoded += int(reencoded)
    return not step.skipped


def _class_presence(boxes: list[BoxRecord]) -> dict[str, int]:
    presence: dict[str, int] = {}
    for b in boxes:
        presence[b.label] = max(presence.get(b.label, 0), 0 if b.difficult else 1)
    return presence


def class_list_stems(classes: list[str], report: ExportReport) -> dict[str, str]:
    """The name of each class's ``<class>_<split>.txt`` lists: the class's ``labelmap.txt`` name when it is a safe
    file name, so readers find a class's lists by its name; one of its own (``_2``...) when two would share one."""
    stems = unique_safe_names(classes, fallback="class")
    renamed = [c for c in classes if stems[c] != labelmap_name(c)]
    if renamed:
        report.problems.append(("", "per-class lists named apart from their class: " + ", ".join(
            f"{c!r} -> {stems[c]}_*.txt" for c in renamed[:5]) + (" ..." if len(renamed) > 5 else "")))
    return stems


def _export_vocdevkit(store: Store, out: Path, images: list[ImageRecord], include_pending: bool,
                      overwrite: bool, job: JobToken, report: ExportReport) -> None:
    base = out / "VOCdevkit" / VOC_YEAR
    todo = images_with_boxes(store, include_pending, report)
    if not todo:  # nothing to write: report.nothing_because says why
        return
    ids = unique_ids([img.path for img, _boxes in todo])
    sets = base / "ImageSets" / "Main"
    targets = [p for img, _boxes in todo for p in (base / "Annotations" / f"{ids[img.path]}.xml",
                                                   base / "JPEGImages" / f"{ids[img.path]}.jpg")]
    targets += [sets / f"{name}.txt" for name in (*SPLITS, "trainval")] + [base / "labelmap.txt"]
    _check_targets(targets, overwrite)
    listed: dict[str, list[str]] = {s: [] for s in SPLITS}
    presence: dict[str, dict[str, int]] = {}  # id -> class -> 1 present, 0 only difficult
    for n, (img, boxes) in enumerate(todo):
        job.check()
        ident = ids[img.path]
        jpeg = base / "JPEGImages" / f"{ident}.jpg"
        with each_file(report, img.path):
            if not write_upright_copy(store, img, jpeg, report):
                continue
            objects = [_voc_object(b) for b in boxes]
            xml = voc_xml(folder=VOC_YEAR, filename=jpeg.name, path=str(jpeg), width=img.width, height=img.height,
                          depth=3, objects=objects, verified=img.status == "verified",
                          database="labelstudio-desktop")
            atomic_write(base / "Annotations" / f"{ident}.xml", xml)
            listed[split_or_train(img, report)].append(ident)
            presence[ident] = _class_presence(boxes)
            report.images += 1
            report.objects += len(objects)
        job.progress(n + 1, len(todo))
    listed_trainval = listed["train"] + listed["val"]
    used = {c for per_image in presence.values() for c in per_image}
    classes = [c for c in class_names(store) if c in used]
    stems = class_list_stems(classes, report)
    for name, idents in (*listed.items(), ("trainval", listed_trainval)):
        atomic_write(sets / f"{name}.txt", "".join(f"{i}\n" for i in idents).encode("utf-8"))
        for cls in classes:  # the per-class lists of the VOC devkit: 1 present, -1 absent, 0 difficult only
            lines = "".join(f"{i} {presence[i].get(cls, -1):>2}\n" for i in idents)
            with each_file(report, f"class {cls!r}"):
                atomic_write(sets / f"{stems[cls]}_{name}.txt", lines.encode("utf-8"))
    # Datumaro (and CVAT through it) refuse classes outside VOC's 20 without a labelmap: the project's object classes,
    # numbered as in every other export (the masks export's palette indices among them); image-only classes take none
    atomic_write(base / "labelmap.txt", labelmap_text(object_class_names(store)).encode("utf-8"))
    note_unsplit(report)


def staged_writer(key: str, write_into: Callable, *option_names: str) -> Callable:
    """A registry writer (:class:`.export_registry.ExportFormat`) for ``write_into(store, out, include_pending,
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


def _write_voc(store: Store, out: Path, include_pending: bool, overwrite: bool, job: JobToken,
               layout: str = "labelimg", **_) -> ExportReport:
    return export_voc(store, out, layout=layout, include_pending=include_pending, overwrite=overwrite, job=job)


register(ExportFormat("voc", "Pascal VOC (boxes)", "XML per image, read by labelImg, CVAT and Datumaro (with "
                      "labelmap.txt), TensorFlow's VOC scripts, keras-yolo3, torchvision.", ("layout",),
                      {"layout": LAYOUTS}, _write_voc))
