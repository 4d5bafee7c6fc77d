"""Real mask files for tests, written with PIL as tools write them: grey, 0/1, JPEG, palette, colour, 16-bit."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from labelstudio_desktop.core.formats.masks import VOC_COLORMAP


def square(w: int = 64, h: int = 48, box=(10, 8, 30, 24)) -> np.ndarray:
    """A 0/1 mask of size w x h with the box ``(x0, y0, x1, y1)`` set."""
    m = np.zeros((h, w), np.uint8)
    x0, y0, x1, y1 = box
    m[y0:y1, x0:x1] = 1
    return m


def save_grey(path: Path, values: np.ndarray, fmt: str | None = None, **save) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.asarray(values, np.uint8), "L").save(path, format=fmt, **save)
    return path


def save_palette(path: Path, indices: np.ndarray, colormap: np.ndarray = VOC_COLORMAP) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    im = Image.fromarray(np.asarray(indices, np.uint8), "P")
    im.putpalette(colormap.ravel().tolist())
    im.save(path)
    return path


def save_rgb(path: Path, rgb: np.ndarray) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.asarray(rgb, np.uint8), "RGB").save(path)
    return path
