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

ROWS_PER_CHUNK = 256


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
    for start in range(first, last + 1, ROWS_PER_CHUNK):
        rows = np.arange(start, min(start + ROWS_PER_CHUNK, last + 1))
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


def rle_decode(rle: dict) -> np.ndarray:
    """A COCO RLE (compressed string or list counts) as a 0/1 mask; ValueError when it does not add up."""
    try:
        height, width = (int(v) for v in rle["size"])
        counts = rle["counts"]
    except (KeyError, TypeError, ValueError):
        raise ValueError("RLE without a size [height, width] and counts") from None
    runs = _decompress(counts.encode("ascii") if isinstance(counts, str) else counts) \
        if isinstance(counts, (str, bytes)) else [int(c) for c in counts]
    if sum(runs) != height * width or any(r < 0 for r in runs):
        raise ValueError(f"RLE runs add up to {sum(runs)} pixels, the mask has {height * width}")
    values = np.zeros(len(runs), np.uint8)
    values[1::2] = 1
    flat = np.repeat(values, runs)
    return flat.reshape((height, width), order="F")


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


def _decompress(text: bytes) -> list[int]:
    runs: list[int] = []
    pos = 0
    while pos < len(text):
        value, shift, more = 0, 0, True
        while more:
            if pos >= len(text):
                raise ValueError("RLE counts end in the middle of a number")
            chunk = text[pos] - 48
            value |= (chunk & 0x1F) << (5 * shift)
            more = bool(chunk & 0x20)
            pos += 1
            shift += 1
            if not more and chunk & 0x10:
                value |= -1 << (5 * shift)
        if len(runs) > 2:
            value += runs[-2]
        runs.append(value)
    return runs


def polygons_bounds(polygons: list[list[float]]) -> tuple[float, float, float, float] | None:
    points = [p for flat in polygons for p in np.asarray(flat, np.float64).reshape(-1, 2)]
    if not points:
        return None
    arr = np.asarray(points)
    return float(arr[:, 0].min()), float(arr[:, 1].min()), float(arr[:, 0].max()), float(arr[:, 1].max())
