"""The mask overlay of the canvas: the mask being edited as an image-sized 0/1 numpy buffer, the image's other masks
as a label-index map, and the overlay image the canvas draws, re-rendered only where something changed.

The overlay is a premultiplied ARGB32 buffer wrapped (not copied) by a ``QImage``: writing a region of the numpy
array changes what the canvas draws, so a brush stroke on a 4000x3000 photo costs the pixels under the brush, not
the 12 million of the image.
"""

from __future__ import annotations

import cv2
import numpy as np
from PySide6.QtGui import QColor, QImage

from ..core.editing.mask_edits import Rect, clip_rect

PENDING_COLOR = QColor(40, 220, 90)  # a proposal under review


def _bgra(color: QColor) -> np.ndarray:
    """An opaque colour as the bytes of a premultiplied ARGB32 pixel (little-endian: B, G, R, A)."""
    return np.array([color.blue(), color.green(), color.red(), 255], np.uint8)


def outline_of(mask: np.ndarray, width: int) -> np.ndarray:
    """The pixels of the boolean ``mask`` within ``width`` pixels of its edge (the image border is an edge)."""
    if width <= 0:
        return mask
    kernel = np.ones((2 * width + 1, 2 * width + 1), np.uint8)
    inner = cv2.erode(mask.astype(np.uint8), kernel, borderType=cv2.BORDER_CONSTANT, borderValue=0)
    return mask & (inner == 0)


class MaskLayer:
    """``mask``: the edited mask (0/1, the image's size), painted into by the tools; ``image``: the overlay.

    After changing ``mask`` in a rectangle, :meth:`render` that rectangle. ``outline`` > 0 shows only a band of that
    many image pixels along every mask's edge (the window keeps it about two screen pixels wide)."""

    def __init__(self) -> None:
        self.mask = np.zeros((0, 0), np.uint8)
        self.others = np.zeros((0, 0), np.uint8)  # 0: none, k: the k-th colour of ``palette``
        self.palette = np.zeros((1, 4), np.uint8)
        self.color = _bgra(PENDING_COLOR)
        self.outline = 0
        self._pixels = np.zeros((0, 0, 4), np.uint8)
        self.image: QImage | None = None

    @property
    def size(self) -> tuple[int, int]:
        return self.mask.shape[1], self.mask.shape[0]

    def load(self, mask: np.ndarray, color: QColor, others: list[tuple[np.ndarray, QColor]] | None = None) -> None:
        """Show ``mask`` (0/1, edited in place from now on) in ``color`` over ``others`` (masks shown, not edited)."""
        height, width = mask.shape
        self.mask = np.ascontiguousarray(mask, np.uint8)
        self.color = _bgra(color)
        self.set_others(others or [])
        if self._pixels.shape[:2] != (height, width):
            self._pixels = np.zeros((height, width, 4), np.uint8)
            self.image = QImage(self._pixels.data, width, height, width * 4, QImage.Format_ARGB32_Premultiplied)
        self.render()

    def set_others(self, others: list[tuple[np.ndarray, QColor]]) -> None:
        height, width = self.mask.shape
        self.others = np.zeros((height, width), np.uint8)
        colors = [np.zeros(4, np.uint8)]
        for other, color in others[:254]:
            self.others[other > 0] = len(colors)
            colors.append(_bgra(color))
        self.palette = np.stack(colors)

    def set_color(self, color: QColor) -> None:
        """Show the edited mask in ``color`` (a proposal turns from green to its label's colour once accepted)."""
        if not np.array_equal(_bgra(color), self.color):
            self.color = _bgra(color)
            self.render()

    def set_outline(self, width: int) -> None:
        if width != self.outline:
            self.outline = width
            self.render()

    def render(self, rect: Rect | None = None) -> None:
        """Recompute the overlay's pixels in ``rect`` (default: everywhere) from the masks."""
        width, height = self.size
        rect = clip_rect(rect or (0, 0, width, height), width, height)
        if rect is None:
            return
        x0, y0, x1, y1 = rect
        pad = self.outline  # an edge band depends on the neighbours: work on a margin, keep the middle
        px0, py0, px1, py1 = clip_rect((x0 - pad, y0 - pad, x1 + pad, y1 + pad), width, height)
        inner = (slice(y0 - py0, y1 - py0), slice(x0 - px0, x1 - px0))
        edited = self.mask[py0:py1, px0:px1].astype(bool)
        others = self.others[py0:py1, px0:px1]
        if self.outline:
            edited = outline_of(edited, self.outline)
            others = np.where(outline_of(others > 0, self.outline), others, 0)
        out = self._pixels[y0:y1, x0:x1]
        out[...] = self.palette[others[inner]]
        out[edited[inner]] = self.color

    def clear(self) -> None:
        self.load(np.zeros((0, 0), np.uint8), QColor(PENDING_COLOR))
        self.image = None
