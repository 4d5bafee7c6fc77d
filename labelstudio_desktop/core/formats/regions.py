"""Mask regions as interchange formats write them: polygons and COCO run-length encoding (RLE).

- Polygons are flat ``x, y, x, y ...`` lists in pixel-edge coordinates. A pixel belongs to a polygon when its centre
  lies inside or on it, so the outline through the centres of a mask's boundary pixels (what
  :func:`mask_polygons` writes) gives the same mask back (holes are lost: polygon formats cannot hold them).
- COCO RLE (``{"size": [h, w], "counts": ...}``) runs over the pixels column by column, starting with a run of
  zeros; ``counts`` is a list of run lengths (uncompressed) or pycocotools' compressed string (LEB128-like, 5 bits a
  character from ``'0'``, each run after the second stored as the difference to the run two before).
"""

from __future__ import annotations

import cv2
import numpy as np

from ..validate import MAX_SIDE, Invalid, whole
from ..validate import runs as checked_runs
from .annotations import LocalRuns

ROWS_PER_CHUNK = 256
#: Crossings computed at once when filling a polygon (rows x edges): bounds the memory a polygon of many points takes.
CROSSINGS_PER_CHUNK = 1 << 22


def rasterize_polygons(polygons: list[list[float]], width: int, height: int) -> np.ndarray:
    """The 0/1 mask of the pixels whose centres lie inside (or on) any of ``polygons`` (even-odd rule within one)."""
    mask = np.zeros((height, width), np.uint8)
    for flat in polygons:
        if len(flat) >= 6:
            _fill_polygon(mask, np.asarray(flat, np.float64).reshape(-1, 2))
    return mask


def _fill_polygon(mask: np.ndarray, points: np.ndarray) -> None:
    height, width = mask.shape
    x0, y0 = points[:, 0], points[:, 1]
    x1, y1 = np.roll(x0, -1), np.roll(y0, -1)
    first = max(0, int(np.floor(y0.min() - 0.5)))
    last = min(height - 1, int(np.ceil(y0.max() - 0.5)))
    step = max(1, min(ROWS_PER_CHUNK, CROSSINGS_PER_CHUNK // len(points)))
    for start in range(first, last + 1, step):
        rows = np.arange(start, min(start + step, last + 1))
        centre = rows[:, None] + 0.5
        crossing = ((y0 <= centre) & (centre < y1)) | ((y1 <= centre) & (centre < y0))  # half-open: no double count
        with np.errstate(divide="ignore", invalid="ignore"):
            xs = np.where(crossing, x0 + (centre - y0) / (y1 - y0) * (x1 - x0), np.inf)
        xs.sort(axis=1)
        for row, line in zip(rows, xs, strict=True):
            line = line[np.isfinite(line)]
            for left, right in zip(line[0::2], line[1::2], strict=False):
                a, b = max(0, int(np.ceil(left - 0.5))), min(width - 1, int(np.floor(right - 0.5)))
                if a <= b:
                    mask[row, a:b + 1] = 1


def mask_polygons(mask: np.ndarray) -> list[list[float]]:
    """Outlines of the parts of a 0/1 mask along their pixels' outer edges (pixel-edge coordinates), so that any
    reader that fills pixels by their centres (pycocotools, labelme, :func:`rasterize_polygons`) gets the mask back
    (but its holes)."""
    contours, _ = cv2.findContours(np.ascontiguousarray(mask, np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    polygons = []
    for contour in contours:
        centres = contour.reshape(-1, 2).astype(np.float64) + 0.5
        if len(centres) < 3 or abs(_signed_area(centres)) < 1e-9:  # a pixel or a line of pixels: its bounds
            (x0, y0), (x1, y1) = centres.min(axis=0) - 0.5, centres.max(axis=0) + 0.5
            points = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])
        else:
            points = _grown(centres, 0.5)
        polygons.append([round(float(v), 3) for v in points.reshape(-1)])
    return polygons


def _signed_area(points: np.ndarray) -> float:
    x, y = points[:, 0], points[:, 1]
    return float(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y)) / 2


def _grown(points: np.ndarray, distance: float) -> np.ndarray:
    """The closed polygon ``points`` moved outward by ``distance`` (mitred corners)."""
    edges = np.roll(points, -1, axis=0) - points
    lengths = np.maximum(np.linalg.norm(edges, axis=1, keepdims=True), 1e-12)
    normals = np.stack([edges[:, 1], -edges[:, 0]], axis=1) / lengths  # left of each edge in image coordinates
    if _signed_area(points) < 0:
        normals = -normals
    before, after = np.roll(normals, 1, axis=0), normals
    cos = np.sum(before * after, axis=1, keepdims=True)
    miter = (before + after) / np.maximum(1 + cos, 0.25)  # a spike's miter is capped at four times the distance
    return points + distance * miter


def rle_encode(mask: np.ndarray) -> dict:
    """A 0/1 mask as COCO compressed RLE (what ``pycocotools.mask.encode`` returns, counts as text)."""
    height, width = mask.shape
    flat = np.asarray(mask, np.uint8).reshape(-1, order="F")
    changes = np.flatnonzero(np.diff(flat)) + 1
    bounds = np.concatenate(([0], changes, [flat.size]))
    runs = np.diff(bounds).tolist()
    if flat.size and flat[0] == 1:
        runs = [0, *runs]
    return {"size": [height, width], "counts": _compress(runs)}


def rle_frame(rle: object) -> tuple[int, int]:
    """The (width, height) a COCO RLE says it covers; :class:`.Invalid` when it says none or holds no counts."""
    if not isinstance(rle, dict) or not isinstance(rle.get("counts"), (str, list)):
        raise Invalid("RLE without counts (a list of run lengths or pycocotools' text)")
    size = rle.get("size")
    if not isinstance(size, (list, tuple)) or len(size) != 2:
        raise Invalid("RLE without a size [height, width]")
    height, width = (whole(v, "an RLE size", 1, MAX_SIDE) for v in size)
    return width, height


def rle_decode(rle: dict, width: int, height: int) -> np.ndarray:
    """A COCO RLE (compressed text or list counts) of a ``width`` x ``height`` image as a 0/1 mask; :class:`.Invalid`
    when it is of another size or its runs do not add up (checked before anything of its size is allocated)."""
    frame = rle_frame(rle)
    if frame != (width, height):
        raise Invalid(f"RLE is {frame[0]}x{frame[1]}, the image is {width}x{height}")
    counts = rle["counts"]
    pixels = width * height
    checked = checked_runs(_decompress(counts, pixels) if isinstance(counts, str) else counts, pixels)
    return _expand(checked).reshape((height, width), order="F")


def runs_mask(local: LocalRuns, width: int, height: int) -> np.ndarray:
    """Run lengths over a rectangle (row by row) placed on a ``width`` x ``height`` image, clipped to it;
    :class:`.Invalid` when the rectangle is larger than the image."""
    if local.width > width or local.height > height:
        raise Invalid(f"its rectangle ({local.width}x{local.height}) is larger than the {width}x{height} image")
    inner = _expand(checked_runs(local.runs, local.width * local.height, "rle")).reshape(local.height, local.width)
    full = np.zeros((height, width), np.uint8)
    x0, y0 = max(0, local.left), max(0, local.top)
    x1, y1 = min(width, local.left + local.width), min(height, local.top + local.height)
    if x0 < x1 and y0 < y1:
        full[y0:y1, x0:x1] = inner[y0 - local.top:y1 - local.top, x0 - local.left:x1 - local.left]
    return full


def _expand(checked: list[int]) -> np.ndarray:
    """Runs of 0, 1, 0, 1 ... (checked: none negative, their sum the pixels) as a flat 0/1 array."""
    values = np.zeros(len(checked), np.uint8)
    values[1::2] = 1
    return np.repeat(values, checked)


def _compress(runs: list[int]) -> str:
    out = bytearray()
    for i, run in enumerate(runs):
        value = run - runs[i - 2] if i > 2 else run
        more = True
        while more:
            chunk = value & 0x1F
            value >>= 5
            more = not ((chunk & 0x10 == 0 and value == 0) or (chunk & 0x10 and value == -1))
            if more:
                chunk |= 0x20
            out.append(chunk + 48)
    return out.decode("ascii")


#: A run is at most this many 5-bit chunks of pycocotools' text (enough for any image: 2 ** 65 pixels).
MAX_RUN_CHUNKS = 13


def _decompress(text: str, pixels: int) -> list[int]:
    """pycocotools' compressed counts as run lengths; :class:`.Invalid` for characters it never writes, a number that
    ends early or has more chunks than any image needs, or more runs than ``pixels`` allow."""
    out: list[int] = []
    pos = 0
    while pos < len(text):
        if len(out) > pixels:
            raise Invalid(f"RLE has more runs than the mask's {pixels} pixels")
        value, shift, more = 0, 0, True
        while more:
            if pos >= len(text):
                raise Invalid("RLE counts end in the middle of a number")
            chunk = ord(text[pos]) - 48
            if not 0 <= chunk < 64:
                raise Invalid(f"RLE counts hold a character pycocotools never writes ({text[pos]!r})")
            if shift >= MAX_RUN_CHUNKS:
                raise Invalid("RLE counts hold a number larger than any mask")
            value |= (chunk & 0x1F) << (5 * shift)
            more = bool(chunk & 0x20)
            pos += 1
            shift += 1
            if not more and chunk & 0x10:
                value |= -1 << (5 * shift)
        if len(out) > 2:
            value += out[-2]
        out.append(value)
    return out


def polygons_bounds(polygons: list[list[float]]) -> tuple[float, float, float, float] | None:
    points = [p for flat in polygons for p in np.asarray(flat, np.float64).reshape(-1, 2)]
    if not points:
        return None
    arr = np.asarray(points)
    return float(arr[:, 0].min()), float(arr[:, 1].min()), float(arr[:, 0].max()), float(arr[:, 1].max())
