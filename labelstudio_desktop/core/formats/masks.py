"""Mask images: reading a mask file into one binary mask per label, and the ``masks`` export (a Pascal VOC
segmentation set).

How a mask file's pixels become labels (index 0 is always background, 255 in an index mask is VOC's "void"
border band, which is ignored, never a class):

===============================  ===========================================================================
the file                         what is foreground
===============================  ===========================================================================
1-bit                            set pixels
JPEG (lossy), any colour         grey value >= 128 (half the range)
grey with at most one nonzero    every nonzero pixel (0/1, 0/255 and 0/k masks)
value
grey with several small values   class indices (all values below 128, or 255): named through the class list
                                 (``labelmap.txt`` or ``classes.txt``), else ``class_<k>``
other grey (anti-aliased)        grey value >= 128 (half the range)
palette (indexed) PNG            class indices: a ``labelmap.txt`` colour names the index whose palette colour
                                 it is, else the list's order names it, else ``class_<k>``
colour (RGB)                     the colours of ``labelmap.txt``; without one, colours of the VOC colour map as
                                 their index; other colours are refused
===============================  ===========================================================================

Binary masks take the image's own label (its class) or ``object``. A class list is looked for in the mask folder
and its parent: ``labelmap.txt`` (VOC/Datumaro ``name:r,g,b:parts:actions`` lines, index = line order) or
``classes.txt`` (one name a line; index 0 is background whether or not the first line names it).

The ``masks`` export writes a Pascal VOC segmentation set that torchvision, TensorFlow and Datumaro read.
Written into ``--out`` (``layout="flat"``, as Datumaro and CVAT write VOC) or ``--out/VOCdevkit/VOC2012``
(``layout="vocdevkit"``, where ``torchvision.datasets.VOCSegmentation(root=OUT)`` looks)::

    JPEGImages/<id>.jpg               upright JPEG copies (the original bytes when already upright RGB JPEG)
    SegmentationClass/<id>.png        palette PNG, VOC colours: index = class id, 0 background, 255 border
    SegmentationClassRaw/<id>.png     the same indices as plain grey: tf.io.decode_png returns a palette PNG's
                                      *colours* (RGB), not its indices; DeepLab's TF pipeline reads this folder
    SegmentationObject/<id>.png       palette PNG, one index per connected component of each mask (instance),
                                      255 border
    ImageSets/Segmentation/{train,val,test,trainval}.txt   ids by the project's split
    labelmap.txt                      ``name:r,g,b::`` (index = line order), classes.txt (one name a line)

Class indices are the project's class list (:func:`..editing.class_list.object_class_names`): index k + 1 is the
class YOLO exports number k and COCO exports k + 1, and it stays put when a class loses its last mask. Only images
with a mask are exported; accepted masks only unless ``include_pending`` (pending masks cut at 0.5).
"""

from __future__ import annotations

import io
import struct
import warnings as _warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from ..editing.class_list import object_class_names
from ..fsutil import atomic_write
from ..images import ImageProblem
from ..jobs import JobToken
from ..store.masks import decoded_masks
from ..store.store import SPLITS, ImageRecord, Store
from .registry import ExportFormat, register_export
from .staging import staged_export
from .writing import (
    ExportError,
    ExportReport,
    check_targets,
    each_file,
    export_states,
    exportable_images,
    jpeg_bytes,
    nothing_to_export,
    unique_ids,
)

#: The 20 Pascal VOC classes, index 0 background: the names of a VOCdevkit's masks when it has no labelmap.
VOC_CLASSES = ("background", "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair",
               "cow", "diningtable", "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa",
               "train", "tvmonitor")
BACKGROUND_NAMES = frozenset({"background", "_background_", "__background__"})
IGNORE_INDEX = 255
CLASS_LIST_FILES = ("labelmap.txt", "classes.txt")
MASK_EXTENSIONS = frozenset({".png", ".bmp", ".tif", ".tiff", ".jpg", ".jpeg", ".gif"})
DEFAULT_LABEL = "object"
#: The masks export: its layouts (the folder the set goes into), its folders of images, its largest index.
MASK_LAYOUTS = {"flat": "", "labelimg": "", "vocdevkit": "VOCdevkit/VOC2012"}
SEGMENTATION_FOLDERS = ("JPEGImages", "SegmentationClass", "SegmentationClassRaw", "SegmentationObject")
MAX_INDEX = IGNORE_INDEX - 1


class MaskProblem(Exception):
    """A mask file that gives no mask; the message is a plain reason."""


def voc_colormap() -> np.ndarray:
    """The Pascal VOC colour map, 256 x 3 uint8: the bits of index k spread over R, G and B."""
    cmap = np.zeros((256, 3), np.uint8)
    for k in range(256):
        r = g = b = 0
        c = k
        for j in range(8):
            r |= ((c >> 0) & 1) << (7 - j)
            g |= ((c >> 1) & 1) << (7 - j)
            b |= ((c >> 2) & 1) << (7 - j)
            c >>= 3
        cmap[k] = (r, g, b)
    return cmap


VOC_COLORMAP = voc_colormap()
VOID_COLOUR = tuple(int(v) for v in VOC_COLORMAP[IGNORE_INDEX])
_VOC_INDEX = {tuple(int(v) for v in c): k for k, c in enumerate(VOC_COLORMAP)}


# ------------------------------------------------------------------ class lists
@dataclass
class ClassList:
    """Names of the indices of index masks (index 0 background) and, from a labelmap, of colours."""

    names: list[str]
    colors: dict[tuple[int, int, int], str] = field(default_factory=dict)
    source: str = ""

    def name(self, index: int) -> str | None:
        return self.names[index] if 0 < index < len(self.names) else None


def parse_labelmap(text: str, source: str = "labelmap.txt") -> ClassList:
    """``name:r,g,b:parts:actions`` lines (VOC/Datumaro/CVAT); ``#`` comments; index = line order."""
    names: list[str] = []
    colors: dict[tuple[int, int, int], str] = {}
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, _, rest = line.partition(":")
        name = name.strip()
        color = rest.split(":")[0].strip()
        try:
            rgb = tuple(int(v) for v in color.split(",")) if color else ()
        except ValueError:
            rgb = ()
        if len(rgb) == 3:
            colors[rgb] = name  # type: ignore[index]
        names.append(name)
    return ClassList(names, colors, source)


def parse_classes_txt(text: str, source: str = "classes.txt") -> ClassList:
    """One name a line; when the first line is not a background name, index 1 is the first line."""
    names = [line.strip() for line in text.splitlines() if line.strip()]
    if not names or names[0].lower() not in BACKGROUND_NAMES:
        names = ["background", *names]
    return ClassList(names, {}, source)


def find_class_list(*folders: Path) -> ClassList | None:
    """The first ``labelmap.txt`` or ``classes.txt`` in ``folders`` (in that order of preference per folder)."""
    for folder in folders:
        for name in CLASS_LIST_FILES:
            path = folder / name
            if path.is_file():
                text = path.read_text(encoding="utf-8", errors="replace")
                return parse_labelmap(text, str(path)) if name == "labelmap.txt" else parse_classes_txt(text, str(path))
    return None


# ------------------------------------------------------------------ reading
class LabelMasks(Mapping):
    """The 0/1 mask of each label of a mask file, made when asked for from the file's one array of values (class
    indices, colour numbers, or 0/1): a file of many labels costs one array, not one per label."""

    def __init__(self, values: np.ndarray | None = None, labels: dict[str, list[int]] | None = None):
        self.values = values
        self.labels = labels or {}

    def add(self, label: str, value: int) -> None:
        self.labels.setdefault(label, []).append(value)

    def __getitem__(self, label: str) -> np.ndarray:
        values = self.labels[label]
        mask = self.values == values[0] if len(values) == 1 else np.isin(self.values, values)
        return mask.astype(np.uint8)

    def __iter__(self) -> Iterator[str]:
        return iter(self.labels)

    def __len__(self) -> int:
        return len(self.labels)


@dataclass
class MaskReading:
    """What a mask file holds: a 0/1 mask per label (all of the file's size, made one at a time), and notes worth a
    warning."""

    width: int
    height: int
    masks: LabelMasks = field(default_factory=LabelMasks)
    notes: list[str] = field(default_factory=list)


def open_mask(path: Path, frame: tuple[int, int] | None = None) -> tuple[Image.Image, str]:
    """The mask image, EXIF orientation applied, with its format; :class:`MaskProblem` if unusable. With ``frame``
    (the image's width and height), a mask of another size (either way round) is refused from its header, before
    its pixels are decoded."""
    try:
        if path.stat().st_size == 0:
            raise MaskProblem("empty file (0 bytes)")
        with _warnings.catch_warnings():
            _warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # the size is checked below
            im = Image.open(path)
        with im:
            if frame is not None and im.size not in (frame, frame[::-1]):
                raise MaskProblem(f"mask is {im.width}x{im.height}, the image is {frame[0]}x{frame[1]} (upright)")
            im.load()
            fmt = im.format or "?"
            return ImageOps.exif_transpose(im), fmt
    except MaskProblem:
        raise
    except UnidentifiedImageError as exc:
        raise MaskProblem("not an image (the content is not a format this program can read)") from exc
    except Image.DecompressionBombError as exc:
        raise MaskProblem("absurd dimensions, refused as a possible decompression bomb") from exc
    except (OSError, SyntaxError, ValueError, struct.error) as exc:
        raise MaskProblem(f"cannot read the mask ({exc})") from exc


def read_mask(path: Path, classes: ClassList | None = None, default_label: str = DEFAULT_LABEL,
              object_labels: list[str] | None = None, frame: tuple[int, int] | None = None) -> MaskReading:
    """Read one mask file (see the module's table). ``object_labels``: the labels of a VOC ``SegmentationObject``
    file's instances, index k being the k-th object of the image's annotation. ``frame``: the image's size, see
    :func:`open_mask`."""
    im, fmt = open_mask(path, frame)
    reading = MaskReading(im.width, im.height)
    lossy = fmt == "JPEG"
    if im.mode == "1":
        _binary(reading, np.asarray(im), default_label)
    elif im.mode in ("P", "PA"):
        indices = np.asarray(im.getchannel("P") if im.mode == "PA" else im)
        _indexed(reading, indices, classes, object_labels, _palette(im), default_label)
    elif lossy:
        grey = np.asarray(im.convert("L"))
        _binary(reading, grey >= 128, default_label)
    elif im.mode in ("L", "LA", "I", "I;16", "I;16B", "I;16L", "F"):
        _grey(reading, _grey_values(im), classes, object_labels, default_label)
    else:
        rgb = np.asarray(im.convert("RGB"))
        if (rgb[..., 0] == rgb[..., 1]).all() and (rgb[..., 1] == rgb[..., 2]).all():
            _grey(reading, rgb[..., 0], classes, object_labels, default_label)
        else:
            _colour(reading, rgb, classes)
    return reading


def _palette(im: Image.Image) -> np.ndarray:
    """The palette as 256 x 3 colours (a short palette padded with black)."""
    raw = im.getpalette() or []
    palette = np.zeros((256, 3), np.uint8)
    n = min(len(raw) // 3, 256)
    palette[:n] = np.asarray(raw[:n * 3], np.uint8).reshape(n, 3)
    return palette


def _grey_values(im: Image.Image) -> np.ndarray:
    """The grey samples; for grey+alpha with a constant grey (a cut-out), the alpha channel is the mask."""
    if im.mode == "LA":
        grey, alpha = np.asarray(im.getchannel("L")), np.asarray(im.getchannel("A"))
        return alpha if grey.min() == grey.max() and alpha.min() != alpha.max() else grey
    values = np.asarray(im)
    return values.astype(np.int64) if values.dtype.kind == "f" else values


def _binary(reading: MaskReading, foreground: np.ndarray, label: str) -> None:
    reading.masks = LabelMasks(np.asarray(foreground, bool).astype(np.uint8), {label: [1]})


def _grey(reading: MaskReading, values: np.ndarray, classes: ClassList | None, object_labels: list[str] | None,
          default_label: str) -> None:
    present = np.unique(values)
    nonzero = present[present != 0]
    classy = nonzero[nonzero != IGNORE_INDEX]
    half = 128 if values.dtype.itemsize == 1 or present.max() < 256 else 32768
    if object_labels is not None or (classes is not None and len(classy) and classy.max() < len(classes.names)):
        _indexed(reading, values, classes, object_labels, None, default_label)
    elif len(nonzero) <= 1:
        _binary(reading, values != 0, default_label)
    elif (classy < 128).all():
        _indexed(reading, values, classes, object_labels, None, default_label)
    else:
        _binary(reading, values >= half, default_label)


def _indexed(reading: MaskReading, indices: np.ndarray, classes: ClassList | None,
             object_labels: list[str] | None, palette: np.ndarray | None, default_label: str) -> None:
    unnamed = []
    reading.masks = LabelMasks(indices)
    for k in (int(v) for v in np.unique(indices)):
        if k in (0, IGNORE_INDEX):
            continue
        name = _index_name(k, classes, object_labels, palette)
        if name == "":
            name = default_label
        elif name is None:
            name = f"class_{k}"
            unnamed.append(k)
        if name.lower() not in BACKGROUND_NAMES:
            reading.masks.add(name, k)
    if unnamed and classes is not None:
        reading.notes.append(f"index(es) {', '.join(map(str, unnamed))} not in {Path(classes.source).name}: "
                             "named class_<index>")


def _index_name(k: int, classes: ClassList | None, object_labels: list[str] | None,
                palette: np.ndarray | None) -> str | None:
    if object_labels is not None:  # an instance mask: an index without its object takes the default label
        return object_labels[k - 1] if k - 1 < len(object_labels) else ""
    if classes is None:
        return None
    if palette is not None and classes.colors:
        by_colour = classes.colors.get(tuple(int(v) for v in palette[k]))
        if by_colour is not None:
            return by_colour
    return classes.name(k)


def _colour(reading: MaskReading, rgb: np.ndarray, classes: ClassList | None) -> None:
    colours, inverse = np.unique(rgb.reshape(-1, 3), axis=0, return_inverse=True)
    reading.masks = LabelMasks(inverse.reshape(rgb.shape[:2]))
    by_colour = classes.colors if classes is not None and classes.colors else None
    unknown = []
    for n, colour in enumerate(tuple(int(v) for v in c) for c in colours):
        if colour in ((0, 0, 0), VOID_COLOUR):
            continue
        if by_colour is not None:
            name = by_colour.get(colour)
        elif colour in _VOC_INDEX:
            k = _VOC_INDEX[colour]
            name = (classes.name(k) if classes else None) or f"class_{k}"
        else:
            name = None
        if name is None:
            unknown.append(colour)
        elif name.lower() not in BACKGROUND_NAMES:
            reading.masks.add(name, n)
    if unknown and by_colour is None:
        shown = ", ".join(str(c) for c in unknown[:4]) + (" ..." if len(unknown) > 4 else "")
        raise MaskProblem(f"colour mask with colours {shown} that no labelmap.txt names: add one beside the masks")
    if unknown:
        reading.notes.append(f"{len(unknown)} colour(s) not in {Path(classes.source).name}, left as background: "
                             + ", ".join(str(c) for c in unknown[:4]))


# ------------------------------------------------------------------ writing
def palette_png(indices: np.ndarray, colormap: np.ndarray = VOC_COLORMAP) -> bytes:
    """An index image as a palette ('P' mode) PNG with ``colormap`` (the VOC colours by default)."""
    im = Image.fromarray(np.ascontiguousarray(indices, np.uint8), "P")
    im.putpalette(colormap.ravel().tolist())
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


def grey_png(values: np.ndarray) -> bytes:
    """An 8-bit grey PNG of ``values`` as they are (class indices, for readers that decode without a palette)."""
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(values, np.uint8), "L").save(buf, "PNG")
    return buf.getvalue()


def labelmap_name(label: str) -> str:
    """A label as a ``labelmap.txt`` name: no ``:`` (the field separator) and no line break."""
    return "".join("_" if ch in ":\r\n" else ch for ch in label)


def labelmap_text(classes: list[str], colormap: np.ndarray = VOC_COLORMAP) -> str:
    """``labelmap.txt`` as Datumaro and CVAT write it: background first, index = line order, VOC colours."""
    lines = ["# label:color_rgb:parts:actions"]
    for k, name in enumerate(["background", *classes]):
        r, g, b = (int(v) for v in colormap[k])
        lines.append(f"{labelmap_name(name)}:{r},{g},{b}::")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------ writing: the masks export
def images_with_masks(store: Store, states: tuple[str, ...]) -> list[tuple[ImageRecord, list]]:
    """Usable images with at least one mask in ``states``, each with those masks (oldest first)."""
    out = []
    for img in exportable_images(store):
        rows = [r for r in store.masks(img.id) if r["state"] in states]
        if rows:
            out.append((img, rows))
    return out


def label_masks(rows: list, width: int, height: int, notes: list[str] | None) -> dict[str, np.ndarray]:
    """The union of each label's masks as 0/1 arrays (a pending mask cut at 0.5, as training reads masks); a mask
    that cannot be used is left out with a note (:func:`..store.masks.decoded_masks`)."""
    by_label: dict[str, np.ndarray] = {}
    for r, m in decoded_masks(rows, width, height, notes):
        by_label[r["label"]] = by_label[r["label"]] | m if r["label"] in by_label else m
    return by_label


def components(mask: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
    """8-connected components of a 0/1 mask: their count, the label image and stats (x, y, w, h, area) by label."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    return n - 1, labels, stats


def border_band(index: np.ndarray, width: int) -> np.ndarray:
    """Pixels within ``width`` pixels of a change of index (VOC's "void" band around each region)."""
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * width + 1, 2 * width + 1))
    return cv2.dilate(index, kernel) != cv2.erode(index, kernel)


def export_masks(store: Store, out: Path, include_pending: bool = False, overwrite: bool = False, border: int = 0,
                 layout: str = "flat", job: JobToken | None = None) -> ExportReport:
    """Write the VOC segmentation set of the project's masks into ``out`` (see the module's docstring)."""
    job = job or JobToken()
    if layout not in MASK_LAYOUTS:
        raise ExportError(f"unknown layout {layout!r} for masks; choose flat or vocdevkit")
    if border < 0:
        raise ExportError(f"--border must be 0 or more pixels (got {border})")
    out = Path(out).resolve()
    base = out / MASK_LAYOUTS[layout] if MASK_LAYOUTS[layout] else out
    report = ExportReport(layout=f"masks ({'VOCdevkit/VOC2012' if MASK_LAYOUTS[layout] else 'flat'})", out=out)
    todo = images_with_masks(store, export_states(include_pending))
    if not todo:
        report.nothing_because = nothing_to_export(store, "masks", include_pending)
        return report
    classes = object_class_names(store)
    if len(classes) > MAX_INDEX:
        raise ExportError(f"{len(classes)} object classes in the project's class list: a VOC index PNG holds at "
                          f"most {MAX_INDEX}")
    ids = unique_ids([img.path for img, _rows in todo])
    sets = base / "ImageSets" / "Segmentation"
    targets = [base / folder / f"{ids[img.path]}.{'jpg' if folder == 'JPEGImages' else 'png'}"
               for img, _rows in todo for folder in SEGMENTATION_FOLDERS]
    targets += [sets / f"{name}.txt" for name in (*SPLITS, "trainval")] + [base / "labelmap.txt",
                                                                            base / "classes.txt"]
    check_targets(targets, overwrite)
    listed: dict[str, list[str]] = {s: [] for s in SPLITS}
    for n, (img, rows) in enumerate(todo):
        job.check()
        ident = ids[img.path]
        try:
            jpeg, reencoded = jpeg_bytes(store.abs_path(img))
        except (ImageProblem, OSError) as exc:
            report.problems.append((img.path, f"skipped: {exc}"))
            continue
        notes: list[str] = []
        masks = decoded_masks(rows, img.width, img.height, notes)
        report.problems.extend((img.path, note) for note in notes)
        if not masks:
            report.problems.append((img.path, "skipped: none of its masks can be used"))
            continue
        class_index, object_index, instances = _index_images(masks, img.width, img.height, classes, img.path, report)
        if border:
            class_index[border_band(class_index, border)] = IGNORE_INDEX
            object_index[border_band(object_index, border)] = IGNORE_INDEX
        with each_file(report, img.path):
            atomic_write(base / "JPEGImages" / f"{ident}.jpg", jpeg)
            atomic_write(base / "SegmentationClass" / f"{ident}.png", palette_png(class_index))
            atomic_write(base / "SegmentationClassRaw" / f"{ident}.png", grey_png(class_index))
            atomic_write(base / "SegmentationObject" / f"{ident}.png", palette_png(object_index))
            if img.split is None:
                report.unsplit += 1
            listed[img.split or "train"].append(ident)
            report.images += 1
            report.objects += instances
            report.reencoded += int(reencoded)
        job.progress(n + 1, len(todo))
    for name, idents in (*listed.items(), ("trainval", listed["train"] + listed["val"])):
        atomic_write(sets / f"{name}.txt", "".join(f"{i}\n" for i in idents).encode("utf-8"))
    atomic_write(base / "labelmap.txt", labelmap_text(classes).encode("utf-8"))
    atomic_write(base / "classes.txt", "".join(f"{labelmap_name(c)}\n" for c in ["background", *classes]).encode())
    renamed = [c for c in classes if labelmap_name(c) != c]
    if renamed:
        report.problems.append(("labelmap.txt", f"{len(renamed)} label(s) with ':' or a line break written with "
                                                f"'_' instead: {', '.join(map(repr, renamed[:3]))}"))
    if report.unsplit:
        report.problems.append(("", f"{report.unsplit} image(s) without a split were listed in train"))
    return report


def _index_images(decoded: list, width: int, height: int, classes: list[str], path: str,
                  report: ExportReport) -> tuple[np.ndarray, np.ndarray, int]:
    """The class index image (labels in class order, a later class over an earlier one where masks overlap) and
    the object index image: one index per connected component of each stored mask (an instance imported from COCO
    or labelme stays apart from a touching one of its class), in class order, then the masks' order, then position."""
    masks = sorted(((r["label"], mask) for r, mask in decoded), key=lambda item: classes.index(item[0]))
    class_index = np.zeros((height, width), np.uint8)
    object_index = np.zeros((height, width), np.uint8)
    instances = 0
    for label, mask in masks:
        class_index[mask > 0] = classes.index(label) + 1
    for _label, mask in masks:
        count, labels, _stats = components(mask)
        for k in range(1, count + 1):
            if instances == MAX_INDEX:
                report.problems.append((path, f"more than {MAX_INDEX} objects: the rest left out of "
                                              "SegmentationObject"))
                return class_index, object_index, instances
            instances += 1
            object_index[labels == k] = instances
    return class_index, object_index, instances


def _write_masks(store: Store, out: Path, include_pending: bool, overwrite: bool, job: JobToken, border: int = 0,
                 layout: str = "flat", **_) -> ExportReport:
    with staged_export(store.root, out):  # a killed export leaves nothing half-written in ``out``
        return export_masks(store, out, include_pending, overwrite, border=border, layout=layout, job=job)


register_export(ExportFormat("masks", "VOC segmentation set (masks)", "Read by torchvision's VOCSegmentation, "
                             "TensorFlow DeepLab, Datumaro and CVAT.", ("layout", "border"),
                             {"layout": ("flat", "vocdevkit")}, _write_masks, rank=20))
