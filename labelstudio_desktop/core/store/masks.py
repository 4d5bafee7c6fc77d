"""Masks in the store: PNG blobs per image (grey, 255 foreground; a proposal keeps its probabilities 0-255), the
union of the accepted ones as a 0/1 array, and the stable order of mask classes.

A stored mask is data from the database, so from anyone (:mod:`.confine`): its PNG header is checked against its
image's size before anything is decoded (a 30000x30000 PNG of a few kilobytes would take gigabytes), and a blob that
is not a PNG, or that cannot be decoded, is a :class:`BadMask`: callers skip that mask with a note naming it.
"""

from __future__ import annotations

import io
import sqlite3
import struct
import warnings
from collections.abc import Sequence

import cv2
import numpy as np
from PIL import Image

from ..images import MAX_PIXELS
from ..validate import shown
from .records import NAMED
from .store import Store

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"  # the IEND chunk: empty, and its CRC
#: A mask of another size than its image's (a mask of a file since replaced by one of another size) is decoded,
#: then scaled, when it has at most this many times its image's pixels (and never more than :data:`MAX_PIXELS`).
OTHER_SIZE_FACTOR = 16


class BadMask(ValueError):
    """A stored mask that cannot be used: not a PNG, of a size far from its image's, or undecodable."""


def mask_size(png: bytes) -> tuple[int, int] | None:
    """Width and height from a stored mask's PNG header; None when it is not a PNG."""
    if len(png) >= 24 and png[:8] == PNG_SIGNATURE and png[12:16] == b"IHDR":
        return struct.unpack(">II", png[16:24])
    return None


def checked_size(width: object, height: object) -> tuple[int, int]:
    """An image's size as the database records it, when a mask of it can be made: whole numbers of at most
    :data:`MAX_PIXELS` pixels in all; :class:`BadMask` otherwise."""
    if not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in (width, height)):
        raise BadMask(f"its image's recorded size ({shown(width)}x{shown(height)}) is not a size: not decoded")
    if width * height > MAX_PIXELS:
        raise BadMask(f"its image's recorded size {width}x{height} is beyond {MAX_PIXELS // 1_000_000} megapixels: "
                      "not decoded")
    return width, height


def decode_grey(png: bytes, width: int, height: int, interpolation: int = cv2.INTER_NEAREST) -> np.ndarray:
    """A stored mask (a proposal's probabilities, a heatmap) as grey 0-255 of the image's size, scaled with
    ``interpolation`` when it is of another size. Raises :class:`BadMask` (before decoding anything) when the blob is
    not a PNG or its header gives a size far from the image's (see :data:`OTHER_SIZE_FACTOR`), or when its data
    cannot be decoded."""
    png = bytes(png) if isinstance(png, (bytes, bytearray, memoryview)) else b""
    width, height = checked_size(width, height)
    size = mask_size(png)
    if size is None:
        raise BadMask(f"not a PNG image ({shown(png[:8])}): not decoded")
    w, h = size
    if (w, h) != (width, height) and not 0 < w * h <= min(MAX_PIXELS, OTHER_SIZE_FACTOR * width * height):
        raise BadMask(f"its PNG is {w}x{h}, far from its image's size {width}x{height}: not decoded")
    if not png.endswith(PNG_END):  # cut short: decoding would fill the rest with background, without a word
        raise BadMask("its PNG is cut short (no IEND chunk): not decoded")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # the size was checked above
            with Image.open(io.BytesIO(png)) as im:
                grey = np.asarray(im.convert("L"))
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise BadMask(f"its PNG cannot be decoded ({exc})") from exc
    if grey.shape != (height, width):
        grey = cv2.resize(grey, (width, height), interpolation=interpolation)
    return grey


def decode_mask(png: bytes, width: int, height: int) -> np.ndarray:
    """A stored mask as a 0/1 uint8 array of the image's size (:func:`decode_grey` cut at 127)."""
    return (decode_grey(png, width, height) > 127).astype(np.uint8)


def mask_note(mask_id: object, label: object, problem: BadMask) -> str:
    """The note for a stored mask that was left out."""
    return f"mask {mask_id} ({shown(label)}) left out: {problem}"


def decoded_masks(rows: Sequence[sqlite3.Row], width: int, height: int, notes: list[str] | None
                  ) -> list[tuple[sqlite3.Row, np.ndarray]]:
    """Each mask row with its decoded mask (:func:`decode_mask`). A mask that cannot be used is skipped with a note
    in ``notes`` (:func:`mask_note`); with ``notes`` None, its :class:`BadMask` is raised."""
    out = []
    for row in rows:
        try:
            if not isinstance(row["label"], str) or not row["label"]:
                raise BadMask("its class in the database is not a name")
            out.append((row, decode_mask(row["png"], width, height)))
        except BadMask as exc:
            if notes is None:
                raise
            notes.append(mask_note(row["id"], row["label"], exc))
    return out


def encode_mask(mask: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray((np.asarray(mask) > 0).astype(np.uint8) * 255).save(buf, "PNG")
    return buf.getvalue()


def union_mask(store: Store, image_id: int, width: int, height: int, state: str = "accepted",
               notes: list[str] | None = None) -> np.ndarray | None:
    """The union of an image's masks in ``state`` as a 0/1 array, or None when it has none. A mask that cannot be
    used is left out with a note in ``notes`` (raised as :class:`BadMask` when ``notes`` is None)."""
    rows = [r for r in store.masks(image_id) if r["state"] == state]
    if not rows:
        return None
    try:
        union = np.zeros(checked_size(width, height)[::-1], np.uint8)
    except BadMask as exc:
        if notes is None:
            raise
        notes.extend(mask_note(r["id"], r["label"], exc) for r in rows)
        return None
    for _row, mask in decoded_masks(rows, width, height, notes):
        union |= mask
    return union


MASK_CLASSES_SETTING = "mask_classes"


def mask_class_order(store: Store, labels: list[str] | set[str] = ()) -> list[str]:
    """Mask labels in a stable order (index k + 1 in a segmentation export is the k-th): the order recorded with
    the project (a class list's order when masks were imported with one), then new ``labels`` and every label in
    use, alphabetically. A label keeps its index even while no mask has it."""
    order = store.get_names(MASK_CLASSES_SETTING)
    in_use = {r[0] for r in store.conn.execute(f"SELECT DISTINCT label FROM masks WHERE {NAMED}")}
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
    order = store.get_names(MASK_CLASSES_SETTING)
    new = [n for n in dict.fromkeys(names) if n not in order]
    if new:
        store.set_setting(MASK_CLASSES_SETTING, order + new)
