"""Editing masks: the pixel operations of the mask tools (brush and eraser strokes, polygons, filling holes, GrabCut
from a box with hints) on an image-sized 0/1 ``uint8`` array, and the mask rows they are saved as.

Every operation works on the array in place (or on a region of it) and returns the rectangle it touched, so the
GUI re-renders and repaints only that. Rectangles are pixel edges ``(x0, y0, x1, y1)``, ``[x0, x1) x [y0, y1)``.
A painted mask is stored as a 1-bit grey PNG (0 / 255 when decoded; :func:`.masks.decode_mask` reads it like any
other): encoding a 4000x3000 mask takes about 13 ms that way against 60-160 ms as an 8-bit PNG.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import cv2
import numpy as np

from ..store.store import Store

Rect = tuple[int, int, int, int]
GRABCUT_MAX_SIDE = 480  # GrabCut runs on the box's neighbourhood shrunk to this many pixels at most
GRABCUT_ITERATIONS = 5
HINT_FOREGROUND, HINT_BACKGROUND = 1, 2  # values of a GrabCut hint map (0: no hint)


# ------------------------------------------------------------------ pixels
def clip_rect(rect: Rect, width: int, height: int) -> Rect | None:
    """``rect`` inside the image, or None when nothing of it is."""
    x0, y0, x1, y1 = max(0, rect[0]), max(0, rect[1]), min(width, rect[2]), min(height, rect[3])
    return (x0, y0, x1, y1) if x0 < x1 and y0 < y1 else None


def union_rect(a: Rect | None, b: Rect | None) -> Rect | None:
    if a is None or b is None:
        return a or b
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def stroke_segment(mask: np.ndarray, start: tuple[float, float], end: tuple[float, float], diameter: int,
                   value: int) -> Rect | None:
    """Paint (``value`` 1) or erase (0) a round brush of ``diameter`` image pixels along ``start`` -> ``end``
    (image coordinates); the rectangle it may have changed."""
    h, w = mask.shape
    (x0, y0), (x1, y1) = (round(start[0]), round(start[1])), (round(end[0]), round(end[1]))
    radius = max(0, (diameter - 1) // 2)
    cv2.circle(mask, (x1, y1), radius, value, -1)
    if (x0, y0) != (x1, y1):
        cv2.circle(mask, (x0, y0), radius, value, -1)
        cv2.line(mask, (x0, y0), (x1, y1), value, 2 * radius + 1 if radius else 1)
    return clip_rect((min(x0, x1) - radius - 1, min(y0, y1) - radius - 1, max(x0, x1) + radius + 2,
                      max(y0, y1) + radius + 2), w, h)


def fill_polygon(mask: np.ndarray, points: list[tuple[float, float]], value: int = 1) -> Rect | None:
    """Fill the polygon of image points (closed implicitly); the rectangle it changed."""
    if len(points) < 3:
        return None
    pts = np.round(np.asarray(points, np.float64)).astype(np.int32)
    cv2.fillPoly(mask, [pts], value)
    h, w = mask.shape
    return clip_rect((int(pts[:, 0].min()), int(pts[:, 1].min()), int(pts[:, 0].max()) + 1,
                      int(pts[:, 1].max()) + 1), w, h)


def fill_holes(mask: np.ndarray) -> Rect | None:
    """Fill every background region that does not reach the image border; the rectangle of what changed."""
    background = np.pad((mask == 0).astype(np.uint8), 1, constant_values=1)
    cv2.floodFill(background, None, (0, 0), 0)  # the background connected to the border is cleared
    holes = background[1:-1, 1:-1].astype(bool)
    if not holes.any():
        return None
    mask[holes] = 1
    ys, xs = np.nonzero(holes.any(axis=1))[0], np.nonzero(holes.any(axis=0))[0]
    return (int(xs[0]), int(ys[0]), int(xs[-1]) + 1, int(ys[-1]) + 1)


def grabcut_region(box: Rect, width: int, height: int) -> Rect:
    """The part of the image GrabCut looks at for ``box``: the box and a margin around it (its background model)."""
    margin = max(8, round(0.15 * max(box[2] - box[0], box[3] - box[1])))
    return clip_rect((box[0] - margin, box[1] - margin, box[2] + margin, box[3] + margin), width, height) or box


def grabcut(pixels: np.ndarray, box: Rect, hints: np.ndarray | None = None) -> np.ndarray:
    """OpenCV GrabCut of the object in ``box``: a 0/1 array of :func:`grabcut_region`'s size (foreground only inside
    the box). ``pixels``: the RGB image; ``hints``: a map of the region's size with :data:`HINT_FOREGROUND` and
    :data:`HINT_BACKGROUND` strokes that GrabCut must respect. Runs on the region shrunk to
    :data:`GRABCUT_MAX_SIDE` pixels (a second or less on a 4000x3000 photo) and scales the result back."""
    height, width = pixels.shape[:2]
    rx0, ry0, rx1, ry1 = grabcut_region(box, width, height)
    crop = pixels[ry0:ry1, rx0:rx1]
    factor = min(1.0, GRABCUT_MAX_SIDE / max(crop.shape[:2]))
    size = (max(1, round(crop.shape[1] * factor)), max(1, round(crop.shape[0] * factor)))
    small = cv2.resize(crop, size, interpolation=cv2.INTER_AREA) if factor < 1 else crop
    seeds = np.full(small.shape[:2], cv2.GC_BGD, np.uint8)
    bx0, by0 = int((box[0] - rx0) * factor), int((box[1] - ry0) * factor)
    bx1, by1 = max(bx0 + 1, round((box[2] - rx0) * factor)), max(by0 + 1, round((box[3] - ry0) * factor))
    seeds[by0:by1, bx0:bx1] = cv2.GC_PR_FGD
    if hints is not None:
        small_hints = cv2.resize(hints, size, interpolation=cv2.INTER_NEAREST) if factor < 1 else hints
        seeds[small_hints == HINT_FOREGROUND] = cv2.GC_FGD
        seeds[small_hints == HINT_BACKGROUND] = cv2.GC_BGD
    if not (seeds == cv2.GC_BGD).any():  # a box over the whole image: its border stands for the background
        seeds[[0, -1], :] = seeds[:, [0, -1]] = cv2.GC_PR_BGD
    background, foreground = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    cv2.grabCut(np.ascontiguousarray(small[..., ::-1]), seeds, None, background, foreground, GRABCUT_ITERATIONS,
                cv2.GC_INIT_WITH_MASK)
    result = ((seeds == cv2.GC_FGD) | (seeds == cv2.GC_PR_FGD)).astype(np.uint8)
    if factor < 1:
        result = cv2.resize(result, (crop.shape[1], crop.shape[0]), interpolation=cv2.INTER_NEAREST)
    inside = np.zeros_like(result)
    inside[box[1] - ry0:box[3] - ry0, box[0] - rx0:box[2] - rx0] = 1
    return result & inside


def encode_painted(mask: np.ndarray) -> bytes:
    """A 0/1 (or 0/255) mask as a 1-bit grey PNG (see the module's note on speed)."""
    ok, data = cv2.imencode(".png", (np.asarray(mask) > 0).astype(np.uint8) * 255, [cv2.IMWRITE_PNG_BILEVEL, 1])
    if not ok:
        raise ValueError("the mask could not be encoded as PNG")
    return data.tobytes()


def binarise(grey: np.ndarray, threshold: float, equalise: bool = False) -> np.ndarray:
    """A proposal's probabilities (0-255) as 0/1 at ``threshold`` (0-1), after histogram equalisation when asked:
    what the review shows is what accepting it stores."""
    if equalise:
        grey = cv2.equalizeHist(grey)
    return (grey >= threshold * 255).astype(np.uint8)


# -------------------------------------------------------------------- rows
@dataclass(frozen=True)
class MaskRow:
    """Every column of a mask row, as a value: what a mask edit restores on undo (``id`` None: not stored yet)."""

    id: int | None
    image_id: int
    label: str
    png: bytes
    source: str = "manual"
    state: str = "accepted"
    edited: bool = False
    run_id: int | None = None
    created_at: float = 0.0

    @classmethod
    def from_row(cls, row) -> MaskRow:
        return cls(row["id"], row["image_id"], row["label"], bytes(row["png"]), row["source"], row["state"],
                   bool(row["edited"]), row["run_id"], row["created_at"])


def read_mask(store: Store, mask_id: int) -> MaskRow:
    return MaskRow.from_row(store.mask(mask_id))


def write_mask(store: Store, mask: MaskRow) -> int:
    """Store ``mask`` under its id (updated when the row exists, inserted with that id when not, with a new id when
    it has none); returns the id."""
    values = (mask.image_id, mask.label, mask.png, mask.source, mask.state, int(mask.edited), mask.run_id,
              mask.created_at or time.time())
    with store.transaction() as c:
        if mask.id is not None and c.execute("SELECT 1 FROM masks WHERE id=?", (mask.id,)).fetchone():
            c.execute("UPDATE masks SET image_id=?, label=?, png=?, source=?, state=?, edited=?, run_id=?, "
                      "created_at=? WHERE id=?", (*values, mask.id))
            return mask.id
        cur = c.execute("INSERT INTO masks(id, image_id, label, png, source, state, edited, run_id, created_at) "
                        "VALUES(?,?,?,?,?,?,?,?,?)", (mask.id, *values))
        return int(cur.lastrowid)


def remove_mask(store: Store, mask_id: int) -> None:
    with store.transaction() as c:
        c.execute("DELETE FROM masks WHERE id=?", (mask_id,))


def editable_mask(rows: list, label: str) -> MaskRow | None:
    """The mask the tools paint into for ``label``: the pending proposal under review (painting corrects and accepts
    it), else the newest accepted mask of that label, else None (the first stroke adds one)."""
    pending = [r for r in rows if r["state"] == "pending"]
    same = [r for r in rows if r["state"] == "accepted" and r["label"] == label]
    row = (pending or same or [None])[-1]
    return None if row is None else MaskRow.from_row(row)
