"""Pascal VOC XML: safe reading, and strict-reader-proof writing, in the labelImg layout or as
``VOCdevkit/VOC2007`` (the ``voc`` export).

VOC coordinates are 1-based inclusive integers; internally boxes are 0-based pixel edges
``[x0, x1)``. So ``xmin = x0 + 1`` and ``xmax = x1``, and reading inverts it: a round trip is exact.
XML from outside is untrusted: entities are not resolved, no DTD or network is touched.

Written so strict readers never choke: integer coordinates, every tag (``pose``, ``truncated``,
``difficult``), the size of the EXIF-corrected image, and ids that never collide. Files are written
atomically; existing files are replaced only when asked (``overwrite``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from lxml import etree

from ..editing.class_list import class_names, object_class_names
from ..fsutil import atomic_write, unique_safe_names
from ..images import ImageProblem, probe, raw_point
from ..jobs import JobToken
from ..store.store import SPLITS, BoxRecord, ImageRecord, Store
from ..validate import AnnotationError, Invalid, checked_size, number, side
from .annotations import Box, ImageAnnotation
from .masks import labelmap_name, labelmap_text
from .registry import ExportFormat, ReaderFormat, register_export, register_reader
from .staging import staged_export
from .writing import (
    ExportError,
    ExportReport,
    check_targets,
    each_file,
    exportable_images,
    images_with_boxes,
    note_unsplit,
    split_or_train,
    unique_ids,
    write_upright_copy,
)

#: No size limit below what a file may hold: nothing is expanded (entities and DTDs are refused), so memory grows
#: with the file alone. libxml2's "huge" mode (text nodes over 10 MB, deep trees) is switched on only for a file that
#: needs it.
MAX_XML_BYTES: int | None = None
#: Set on the root of an XML whose boxes are in the raw frame of an EXIF-rotated photo (what labelImg shows).
RAW_FRAME_ATTRIBUTE = "exif_orientation"
LAYOUTS = ("labelimg", "vocdevkit")  # of the voc export
VOC_YEAR = "VOC2007"


class VocError(Exception):
    """An annotation file that cannot be used; the message is a plain reason."""


@dataclass
class VocObject:
    name: str
    x0: int
    y0: int
    x1: int
    y1: int
    pose: str = "Unspecified"
    truncated: bool = False
    difficult: bool = False


@dataclass
class VocAnnotation:
    filename: str | None
    width: int | None
    height: int | None
    depth: int | None
    verified: bool
    objects: list[VocObject] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    raw_orientation: int | None = None  # written by this program: boxes in the raw frame of this EXIF orientation
    labelimg: bool = False  # labelImg's layout (1-based integers, no frame attribute): it shows the raw frame


def _text(node: etree._Element | None, tag: str) -> str | None:
    if node is None:
        return None
    child = node.find(tag)
    if child is None or child.text is None:
        return None
    return child.text.strip()


def _number_or_none(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _int_or_none(text: str | None) -> int | None:
    value = _number_or_none(text)
    return None if value is None else int(round(value))


_TRUE, _FALSE = ("1", "true", "yes"), ("0", "false", "no", "")


def _flag(text: str | None) -> bool:
    return (text or "0").strip().lower() in _TRUE


def _checked_flag(obj: etree._Element, tag: str, where: str, warnings: list[str]) -> bool:
    """A 0/1 tag; another value is named in a warning (a non-zero number counts as set)."""
    text = (_text(obj, tag) or "0").lower()
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    number = _number_or_none(text)
    warnings.append(f"{where}: <{tag}> is '{text}', not 0 or 1: taken as {int(bool(number))}")
    return bool(number)


#: Tags of a VOC object this program has no place for: named in a warning, never dropped silently.
_UNKEPT_TAGS = {"occluded": "occlusion flag", "part": "part box", "attributes": "attributes", "actions": "actions"}


def _unkept(obj: etree._Element, where: str, warnings: list[str]) -> None:
    for tag, what in _UNKEPT_TAGS.items():
        nodes = obj.findall(tag)
        if tag == "occluded":
            nodes = [n for n in nodes if (n.text or "0").strip().lower() not in _FALSE]
        if tag == "part":
            shown = ", ".join(_text(n, "name") or "?" for n in nodes)
            if nodes:
                warnings.append(f"{where}: {len(nodes)} <part> box(es) ({shown}) not imported (no part boxes here)")
            continue
        if tag in ("attributes", "actions"):
            items = [f"{_text(a, 'name') or a.tag}={_text(a, 'value') or (a.text or '').strip()}"
                     for n in nodes for a in n]
            if items:
                warnings.append(f"{where}: {what} {', '.join(items)} not kept")
            continue
        if nodes:
            warnings.append(f"{where}: <occluded> {nodes[0].text.strip()} not kept (no {what} here)")


def _is_zero_based(root: etree._Element) -> bool:
    """Datumaro (CVAT's format library) writes VOC boxes 0-based, as decimals (``10.0``), with ``<occluded>`` on
    every object and ``<source><annotation>``; 1-based writers (labelImg, VOC itself) write integers."""
    coords = [n.text.strip() for n in root.iterfind("object/bndbox/*") if n.text and n.text.strip()]
    if not coords or not all("." in c for c in coords):
        return False
    objects = root.findall("object")
    return all(o.find("occluded") is not None for o in objects) or root.find("source/annotation") is not None \
        or any(_number_or_none(c) == 0 for c in coords)


def read_voc(path: Path) -> VocAnnotation:
    """Parse one VOC XML file. Raises :class:`VocError` for unusable files; odd objects become warnings."""
    root = _parse(path)
    size_node = root.find("size")
    orientation = _int_or_none(root.get(RAW_FRAME_ATTRIBUTE))
    warnings: list[str] = []
    ann = VocAnnotation(
        filename=_text(root, "filename"),
        width=side(_text(size_node, "width"), "<width>", warnings),
        height=side(_text(size_node, "height"), "<height>", warnings),
        depth=_int_or_none(_text(size_node, "depth")),
        verified=_flag(root.get("verified")),
        raw_orientation=orientation if orientation in range(2, 9) else None,
        warnings=warnings,
    )
    zero_based = _is_zero_based(root)
    if zero_based:
        ann.warnings.append("0-based coordinates written as decimals (Datumaro's VOC): converted, not shifted by 1")
    offset = 0 if zero_based else 1
    # This program marks a raw frame with RAW_FRAME_ATTRIBUTE and writes upright copies otherwise; Datumaro (0-based
    # floats) applies EXIF. What is left is labelImg's own layout: it never turns a photo by its EXIF orientation.
    ann.labelimg = not zero_based and root.get(RAW_FRAME_ATTRIBUTE) is None and root.find("path") is not None
    rounded, largest = 0, 0.0
    for index, obj in enumerate(root.iter("object"), start=1):
        name = _text(obj, "name")
        box = obj.find("bndbox")
        if not name:
            ann.warnings.append(f"object {index}: no <name>, skipped")
            continue
        try:
            if box is None:
                raise Invalid("no <bndbox>")
            coords = [number(_text(box, t), f"<{t}>") for t in ("xmin", "ymin", "xmax", "ymax")]
        except Invalid as exc:
            ann.warnings.append(f"object {index} ('{name}'): missing or non-numeric <bndbox> ({exc}), skipped")
            continue
        where = f"object {index} ('{name}')"
        whole = [int(round(c)) for c in coords]
        change = max(abs(c - w) for c, w in zip(coords, whole, strict=True))
        rounded += change > 1e-6
        largest = max(largest, change)
        xmin, ymin, xmax, ymax = whole
        ann.objects.append(VocObject(
            name=name, x0=xmin - offset, y0=ymin - offset, x1=xmax, y1=ymax,
            pose=_text(obj, "pose") or "Unspecified",
            truncated=_checked_flag(obj, "truncated", where, ann.warnings),
            difficult=_checked_flag(obj, "difficult", where, ann.warnings),
        ))
        _unkept(obj, where, ann.warnings)
    if rounded:
        ann.warnings.append(f"{rounded} box(es) with fractional coordinates rounded to whole pixels "
                            f"(largest change {largest:.2f} px)")
    return ann


def _parse(path: Path) -> etree._Element:
    root = parse_untrusted_xml(path)
    if root.tag != "annotation":
        raise VocError(f"not a Pascal VOC annotation (root element <{root.tag}>)")
    return root


_REFUSED = "XML with a DTD or entity declarations is refused (possible XXE or entity expansion)"


def parse_untrusted_xml(path: Path, max_bytes: int | None = MAX_XML_BYTES) -> etree._Element:
    """An XML file from outside, parsed safely as a stream (no DTD, no entities, no network; a DTD is refused at
    the root element, before the rest is read); :class:`VocError` if unusable. ``max_bytes``: an optional limit."""
    try:
        checked_size(path, max_bytes if max_bytes is not None else float("inf"), "annotation file")
    except AnnotationError as exc:
        raise VocError(str(exc)) from exc
    try:
        try:
            root = _stream(path, huge=False)
        except etree.XMLSyntaxError as exc:
            if "XML_PARSE_HUGE" not in str(exc):
                raise
            root = _stream(path, huge=True)
    except etree.XMLSyntaxError as exc:
        if "Excessive depth" in exc.msg:
            raise VocError("nested too deeply (elements inside each other thousands of levels down)") from exc
        raise VocError(f"malformed XML ({exc.msg})") from exc
    except OSError as exc:
        raise VocError(f"cannot read ({exc})") from exc
    if _has_entity_refs(root):
        raise VocError(_REFUSED)
    return root


def _stream(path: Path, huge: bool) -> etree._Element:
    context = etree.iterparse(str(path), events=("start",), resolve_entities=False, no_network=True,
                              load_dtd=False, dtd_validation=False, huge_tree=huge, remove_comments=True,
                              remove_pis=True)
    root = None
    for _event, element in context:
        if root is None:
            root = element
            if element.getroottree().docinfo.internalDTD is not None:
                raise VocError(_REFUSED)
    if root is None:
        raise VocError("malformed XML (no element)")
    return root


def image_annotation(path: Path, image: Path | None, reference: str | None = None) -> ImageAnnotation:
    """A VOC XML as the common record (integer coordinates: nothing left to round)."""
    ann = read_voc(path)
    return ImageAnnotation(
        file=path, image=image, reference=reference or ann.filename or path.name, width=ann.width, height=ann.height,
        boxes=[Box(o.name, o.x0, o.y0, o.x1, o.y1, o.difficult, o.truncated, o.pose) for o in ann.objects],
        verified=ann.verified, raw_orientation=ann.raw_orientation, exact=True, notes=list(ann.warnings),
        exif_ignored=ann.labelimg)


def _has_entity_refs(root: etree._Element) -> bool:
    return any(isinstance(node, etree._Entity) for node in root.iter())


def clamp_object(obj: VocObject, width: int, height: int) -> tuple[VocObject | None, str | None]:
    """Clip a box to the image; return (box or None if nothing is left, warning or None)."""
    x0, y0 = max(0, obj.x0), max(0, obj.y0)
    x1, y1 = min(width, obj.x1), min(height, obj.y1)
    if x0 >= x1 or y0 >= y1:
        return None, (f"box '{obj.name}' ({obj.x0 + 1},{obj.y0 + 1},{obj.x1},{obj.y1}) is empty or outside "
                      f"the {width}x{height} image, skipped")
    if (x0, y0, x1, y1) != (obj.x0, obj.y0, obj.x1, obj.y1):
        clipped = VocObject(obj.name, x0, y0, x1, y1, obj.pose, obj.truncated, obj.difficult)
        return clipped, f"box '{obj.name}' extended past the {width}x{height} image, clipped to it"
    return obj, None


def _sub(parent: etree._Element, tag: str, text: str | int | None = None) -> etree._Element:
    node = etree.SubElement(parent, tag)
    if text is not None:
        node.text = str(text)
    return node


def voc_xml(folder: str, filename: str, path: str, width: int, height: int, depth: int,
            objects: list[VocObject], verified: bool = False, database: str = "Unknown",
            raw_orientation: int | None = None) -> bytes:
    """One labelImg-layout annotation, with every tag strict readers need and integer coordinates.
    ``raw_orientation``: the boxes and size are in the raw frame of a photo with this EXIF orientation."""
    root = etree.Element("annotation")
    if verified:
        root.set("verified", "yes")
    if raw_orientation:
        root.set(RAW_FRAME_ATTRIBUTE, str(raw_orientation))
    _sub(root, "folder", folder)
    _sub(root, "filename", filename)
    _sub(root, "path", path)
    source = _sub(root, "source")
    _sub(source, "database", database)
    size = _sub(root, "size")
    _sub(size, "width", int(width))
    _sub(size, "height", int(height))
    _sub(size, "depth", int(depth))
    _sub(root, "segmented", 0)
    for obj in objects:
        node = _sub(root, "object")
        _sub(node, "name", obj.name)
        _sub(node, "pose", obj.pose or "Unspecified")
        _sub(node, "truncated", int(bool(obj.truncated)))
        _sub(node, "difficult", int(bool(obj.difficult)))
        box = _sub(node, "bndbox")
        _sub(box, "xmin", int(obj.x0) + 1)
        _sub(box, "ymin", int(obj.y0) + 1)
        _sub(box, "xmax", int(obj.x1))
        _sub(box, "ymax", int(obj.y1))
    etree.indent(root, space="\t")
    return etree.tostring(root, encoding="utf-8", pretty_print=True)


# ------------------------------------------------------------------ writing: the voc export
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
    check_targets(list(targets.values()), overwrite)
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
    check_targets(targets, overwrite)
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


def _write_voc(store: Store, out: Path, include_pending: bool, overwrite: bool, job: JobToken,
               layout: str = "labelimg", **_) -> ExportReport:
    return export_voc(store, out, layout=layout, include_pending=include_pending, overwrite=overwrite, job=job)


register_reader(ReaderFormat("voc", "Pascal VOC XML", 5))
register_export(ExportFormat("voc", "Pascal VOC (boxes)", "XML per image, read by labelImg, CVAT and Datumaro (with "
                             "labelmap.txt), TensorFlow's VOC scripts, keras-yolo3, torchvision.", ("layout",),
                             {"layout": LAYOUTS}, _write_voc, rank=10))
