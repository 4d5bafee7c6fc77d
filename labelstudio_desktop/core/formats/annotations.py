"""What an annotation file says about one image, whatever its format: the record every format reader returns.

Coordinates are those of the file's frame (``width`` x ``height`` when the file says), as 0-based pixel edges
``[x0, x1)`` in floats: a reader converts its format's convention (1-based VOC, normalised YOLO, percent Label
Studio, centre-based CreateML) and nothing else. Rounding to whole pixels, clipping, EXIF rotation and storing
happen once, in :mod:`..annotation_import`.

:class:`ImageIndex` finds the image a file names (a path relative to the file, to the project, a bare file name,
or a Label Studio upload name with its hash prefix).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath

from ..images import is_image_name


@dataclass
class Box:
    label: str
    x0: float
    y0: float
    x1: float
    y1: float
    difficult: bool = False
    truncated: bool = False
    pose: str = "Unspecified"


@dataclass
class LocalRuns:
    """A mask as run lengths over a rectangle of the image, row by row, starting with a run of background (CVAT)."""

    left: int
    top: int
    width: int
    height: int
    runs: list[int]


@dataclass
class Region:
    """A mask region: polygons (flat ``x, y, x, y ...`` lists in pixel-edge coordinates), a COCO RLE (as the file
    has it: checked when decoded), or run lengths over a rectangle. ``frame`` is the (width, height) an RLE or the
    runs were drawn on: the region is decoded only onto an image of that size, never allocated at a size a file
    declares."""

    label: str
    polygons: list[list[float]] = field(default_factory=list)
    rle: dict | None = None
    runs: LocalRuns | None = None
    frame: tuple[int, int] | None = None
    record: str = ""  # how the file names the record ("annotation 17"), for notes


@dataclass
class ImageAnnotation:
    """One image's annotations from one file."""

    file: Path
    image: Path | None  # the image file it belongs to (absolute), None when it could not be found
    reference: str  # how the file names the image, for messages
    width: int | None = None  # the frame of the coordinates, when the file says
    height: int | None = None
    boxes: list[Box] = field(default_factory=list)
    regions: list[Region] = field(default_factory=list)
    verified: bool = False
    split: str | None = None
    raw_orientation: int | None = None  # the file says its boxes are in the raw frame of this EXIF orientation
    #: written by a tool that shows a photo's raw frame and ignores EXIF (labelImg): with no size to tell (EXIF
    #: orientations 2, 3, 4 keep it), the boxes of an EXIF-oriented photo are taken as drawn on the raw frame
    exif_ignored: bool = False
    exact: bool = False  # integer coordinates by the format's definition (VOC): nothing to round
    normalized: bool = False  # coordinates are fractions of the frame (YOLO, Label Studio's percent / 100)
    edge_slack: float = 0.0  # a box past the image by at most this many pixels is clipped without a warning
    notes: list[str] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)  # the file's class list in its order (ids), if it has one


# ------------------------------------------------------------------ finding the image a file names
_UPLOAD_PREFIX = re.compile(r"^[0-9a-f]{8}-")  # Label Studio stores uploads as <8 hex>-<original name>


class ImageIndex:
    """The images of an import, found by the path or name an annotation file gives."""

    def __init__(self, images: list[Path]):
        self.images = {p.resolve() for p in images}
        self.by_name: dict[str, list[Path]] = {}
        for p in sorted(self.images):
            self.by_name.setdefault(p.name.lower(), []).append(p)

    def find(self, reference: str, beside: Path | None = None) -> tuple[Path | None, str | None]:
        """The image ``reference`` names (relative to ``beside`` first), or None and why not."""
        reference = reference.strip()
        if not reference:
            return None, "no image named"
        parts = _path_parts(reference)
        if beside is not None and parts:
            candidate = (beside / Path(*parts)).resolve()
            if candidate in self.images:
                return candidate, None
        for name in dict.fromkeys((parts[-1] if parts else reference, _UPLOAD_PREFIX.sub("", parts[-1] if parts
                                                                                         else reference))):
            matches = self.by_name.get(name.lower(), [])
            if len(parts) > 1 and len(matches) > 1:  # namesakes: the one whose folders end as the reference's
                matches = [m for m in matches if [s.lower() for s in m.parts[-len(parts):]] ==
                           [s.lower() for s in parts]] or matches
            if len(matches) == 1:
                return matches[0], None
            if len(matches) > 1:
                return None, f"{len(matches)} images are named {name}: ambiguous, not used"
        return None, "no such image in the folder"


def _path_parts(reference: str) -> list[str]:
    """The parts of a path written by any tool: URL-ish, Windows or POSIX, without ``.`` and query strings."""
    text = reference.split("?")[0]
    text = re.sub(r"^[a-z]+://[^/]*", "", text)  # http://host, s3://bucket
    pure = PureWindowsPath(text) if "\\" in text else PurePosixPath(text)
    return [p for p in pure.parts if p not in ("/", "\\", ".", "..") and not p.endswith(":\\")]


def image_files_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if is_image_name(p) and p.is_file())


def split_from_name(name: str) -> str | None:
    """The split a file or folder name says (``instances_train2017.json``, ``valid``, ``test.json``)."""
    from .folders import SPLIT_FOLDER_NAMES

    lowered = name.lower()
    for word in re.split(r"[^a-z]+", lowered):
        if word in SPLIT_FOLDER_NAMES:
            return SPLIT_FOLDER_NAMES[word]
    return None
