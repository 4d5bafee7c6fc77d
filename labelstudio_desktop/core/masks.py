"""Masks in the store: PNG blobs per image (grey, 255 foreground; a proposal keeps its probabilities 0-255), the
union of the accepted ones as a 0/1 array, and the stable order of mask classes."""

from __future__ import annotations

import io
import sqlite3

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


MASK_CLASSES_SETTING = "mask_classes"


def mask_class_order(store: Store, labels: list[str] | set[str] = ()) -> list[str]:
    """Mask labels in a stable order (index k + 1 in a segmentation export is the k-th): the order recorded with
    the project (a class list's order when masks were imported with one), then new ``labels`` and every label in
    use, alphabetically. A label keeps its index even while no mask has it."""
    order = list(store.get_setting(MASK_CLASSES_SETTING, []))
    in_use = {r[0] for r in store.conn.execute("SELECT DISTINCT label FROM masks")}
    new = sorted((set(labels) | in_use) - set(order))
    if new:
        order += new
        try:
            store.set_setting(MASK_CLASSES_SETTING, order)
        except sqlite3.Error:  # locked or read-only: the order holds for this export and is recorded next time
            pass
    return order


def record_mask_classes(store: Store, names: list[str]) -> None:
    """Append the names of an imported class list, in its order, to the recorded mask class order."""
    order = list(store.get_setting(MASK_CLASSES_SETTING, []))
    new = [n for n in dict.fromkeys(names) if n not in order]
    if new:
        store.set_setting(MASK_CLASSES_SETTING, order + new)
