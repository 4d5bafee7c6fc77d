"""Masks in the store: PNG blobs per image; the union of the accepted ones as a 0/1 array."""

from __future__ import annotations

import io

import cv2
import numpy as np
from PIL import Image

from .store import Store


def decode_mask(png: bytes, width: int, height: int) -> np.ndarray:
    """A stored mask as a 0/1 uint8 array of the image's size."""
    m = np.asarray(Image.open(io.BytesIO(png)).convert("L"))
    if m.shape != (height, width):
        m = cv2.resize(m, (width, height), interpolation=cv2.INTER_NEAREST)
    return (m > 127).astype(np.uint8)


def encode_mask(mask: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray((np.asarray(mask) > 0).astype(np.uint8) * 255).save(buf, "PNG")
    return buf.getvalue()


def union_mask(store: Store, image_id: int, width: int, height: int, state: str = "accepted") -> np.ndarray | None:
    """The union of an image's masks in ``state`` as a 0/1 array, or None when it has none."""
    rows = [r for r in store.masks(image_id) if r["state"] == state]
    if not rows:
        return None
    union = np.zeros((height, width), np.uint8)
    for r in rows:
        union |= decode_mask(r["png"], width, height)
    return union
