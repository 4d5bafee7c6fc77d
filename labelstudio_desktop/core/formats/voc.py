"""Pascal VOC XML: safe reading and strict-reader-proof writing (the labelImg layout).

VOC coordinates are 1-based inclusive integers; internally boxes are 0-based pixel edges
``[x0, x1)``. So ``xmin = x0 + 1`` and ``xmax = x1``, and reading inverts it: a round trip is exact.
XML from outside is untrusted: entities are not resolved, no DTD or network is touched.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from .annotations import AnnotationError, Box, ImageAnnotation, checked_size
from .registry import ReaderFormat, register_reader
from .validate import Invalid, number, side

#: No size limit below what a file may hold: nothing is expanded (entities and DTDs are refused), so memory grows
#: with the file alone. libxml2's "huge" mode (text nodes over 10 MB, deep trees) is switched on only for a file that
#: needs it.
MAX_XML_BYTES: int | None = None
#: Set on the root of an XML whose boxes are in the raw frame of an EXIF-rotated photo (what labelImg shows).
RAW_FRAME_ATTRIBUTE = "exif_orientation"


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


register_reader(ReaderFormat("voc", "Pascal VOC XML", 5))
