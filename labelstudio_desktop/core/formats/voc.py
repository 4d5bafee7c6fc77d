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

MAX_XML_BYTES = 10_000_000


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


def _safe_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=False, remove_comments=True, remove_pis=True)


def _text(node: etree._Element | None, tag: str) -> str | None:
    if node is None:
        return None
    child = node.find(tag)
    if child is None or child.text is None:
        return None
    return child.text.strip()


def _int_or_none(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return int(round(value)) if math.isfinite(value) else None


def _flag(text: str | None) -> bool:
    return (text or "0").strip().lower() in ("1", "true", "yes")


def read_voc(path: Path) -> VocAnnotation:
    """Parse one VOC XML file. Raises :class:`VocError` for unusable files; odd objects become warnings."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise VocError(f"cannot read ({exc.strerror})") from exc
    if size == 0:
        raise VocError("empty annotation file (0 bytes)")
    if size > MAX_XML_BYTES:
        raise VocError(f"annotation file too large ({size} bytes)")
    try:
        tree = etree.parse(str(path), _safe_parser())
    except etree.XMLSyntaxError as exc:
        raise VocError(f"malformed XML ({exc.msg})") from exc
    except OSError as exc:
        raise VocError(f"cannot read ({exc})") from exc
    if tree.docinfo.internalDTD is not None or _has_entity_refs(tree.getroot()):
        raise VocError("XML with a DTD or entity declarations is refused (possible XXE or entity expansion)")
    root = tree.getroot()
    if root.tag != "annotation":
        raise VocError(f"not a Pascal VOC annotation (root element <{root.tag}>)")
    size_node = root.find("size")
    ann = VocAnnotation(
        filename=_text(root, "filename"),
        width=_int_or_none(_text(size_node, "width")),
        height=_int_or_none(_text(size_node, "height")),
        depth=_int_or_none(_text(size_node, "depth")),
        verified=_flag(root.get("verified")),
    )
    for index, obj in enumerate(root.iter("object"), start=1):
        name = _text(obj, "name")
        box = obj.find("bndbox")
        coords = [_int_or_none(_text(box, t)) for t in ("xmin", "ymin", "xmax", "ymax")]
        if not name:
            ann.warnings.append(f"object {index}: no <name>, skipped")
            continue
        if box is None or any(c is None for c in coords):
            ann.warnings.append(f"object {index} ('{name}'): missing or non-numeric <bndbox>, skipped")
            continue
        xmin, ymin, xmax, ymax = coords
        ann.objects.append(VocObject(
            name=name, x0=xmin - 1, y0=ymin - 1, x1=xmax, y1=ymax,
            pose=_text(obj, "pose") or "Unspecified",
            truncated=_flag(_text(obj, "truncated")),
            difficult=_flag(_text(obj, "difficult")),
        ))
    return ann


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
            objects: list[VocObject], verified: bool = False, database: str = "Unknown") -> bytes:
    """One labelImg-layout annotation, with every tag strict readers need and integer coordinates."""
    root = etree.Element("annotation")
    if verified:
        root.set("verified", "yes")
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
