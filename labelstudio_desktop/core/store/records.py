"""The records of a project's database as the program uses them (images, boxes), made from its rows with every value
checked first.

A database is data from someone else (:mod:`.confine`): a width may be a word, a coordinate ``1e308``, a class a run
of bytes. An image whose facts (size in bytes, time, width, height, channels) cannot be used is read as *missing*,
with a warning saying why: nothing reads its file, no export writes it, and the next import reads the file again and
records its facts anew (as it does for any image that comes back). Its other values (class, value, split, status)
fall back to none with a warning. A box whose coordinates, class, state or source cannot be used is left out
(:class:`..validate.Invalid` says why; the store notes it). Coordinates are bounded by
:data:`..validate.MAX_SIDE`, so every product of them stays small.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from ..validate import MAX_SIDE, Invalid, shown, whole
from .db_values import finite, text_list

SPLITS = ("train", "val", "test")
STATUSES = ("unverified", "verified")
BOX_SOURCES = ("manual", "proposal", "imported")
BOX_STATES = ("pending", "accepted", "rejected")
#: Most channels an image has (grey, grey and alpha, RGB, RGBA).
MAX_CHANNELS = 4


@dataclass
class ImageRecord:
    id: int
    path: str
    size: int
    mtime: float
    width: int
    height: int
    channels: int
    label: str | None = None
    value: float | None = None
    split: str | None = None
    status: str = "unverified"
    excluded: bool = False
    missing: bool = False
    warnings: list[str] = field(default_factory=list)


@dataclass
class BoxRecord:
    id: int
    image_id: int
    label: str
    x0: int
    y0: int
    x1: int
    y1: int
    source: str = "manual"
    state: str = "accepted"
    run_id: int | None = None
    method: str | None = None
    score: float | None = None
    difficult: bool = False
    truncated: bool = False
    pose: str = "Unspecified"
    edited: bool = False
    threshold: float | None = None  # proposals: the heatmap binarisation threshold
    map_iou: float | None = None  # proposals: IoU of the box with the binary map it was fitted to

    @property
    def edges(self) -> tuple[int, int, int, int]:
        return (self.x0, self.y0, self.x1, self.y1)


BOX_COLUMNS = (
    "id", "image_id", "label", "x0", "y0", "x1", "y1", "source", "state", "run_id", "method", "score",
    "difficult", "truncated", "pose", "edited", "threshold", "map_iou",
)
IMAGE_COLUMNS = (
    "id", "path", "size", "mtime", "width", "height", "channels", "label", "value", "split", "status",
    "excluded", "missing", "warnings",
)
#: A mask row as read: its PNG always a blob (a crafted database's number there would otherwise be read as a size to
#: allocate by ``bytes()``).
MASK_COLUMNS = "id, image_id, label, CAST(png AS BLOB) AS png, source, state, run_id, created_at, edited"
#: SQL: a row's ``label`` is a class name (text, not empty): what every query of the classes in use asks.
NAMED = "typeof(label) = 'text' AND label != ''"
#: SQL: the common table expression ``image_labels(label)``, every distinct image label but NULL in index order, read
#: by skipping through the label index: one index search per class, not a step per image (a million images: 2 ms).
IMAGE_LABELS = """WITH RECURSIVE image_labels(label) AS (
    SELECT (SELECT label FROM images WHERE label IS NOT NULL ORDER BY label LIMIT 1)
    UNION ALL
    SELECT (SELECT i.label FROM images i WHERE i.label > image_labels.label ORDER BY i.label LIMIT 1)
    FROM image_labels WHERE image_labels.label IS NOT NULL)
"""
#: An image's facts as read from its file: (column, lowest, highest) of each whole number.
_FACTS = (("size", 0, 2 ** 63 - 1), ("width", 1, MAX_SIDE), ("height", 1, MAX_SIDE), ("channels", 1, MAX_CHANNELS))


def image_from_row(row: sqlite3.Row) -> ImageRecord:
    """The image a row holds (see the module's docstring for values that cannot be used)."""
    data = {k: row[k] for k in IMAGE_COLUMNS}
    data["excluded"], data["missing"] = data["excluded"] == 1, data["missing"] == 1
    notes = []
    try:
        for name, low, high in _FACTS:
            data[name] = whole(data[name], f"its {name}", low, high)
        if not finite(data["mtime"]):
            raise Invalid(f"its modification time is not a time ({shown(data['mtime'])})")
    except Invalid as exc:
        notes.append(f"{exc} in the database: not read until the next import reads its file again")
        data.update(size=0, mtime=0.0, width=0, height=0, channels=0, missing=True)
    checks = (("label", lambda v: v is None or isinstance(v, str), None, "its class"),
              ("value", lambda v: v is None or finite(v), None, "its value"),
              ("split", lambda v: v is None or v in SPLITS, None, "its split"),
              ("status", lambda v: v in STATUSES, "unverified", "its status"))
    for name, usable, fallback, what in checks:
        if not usable(data[name]):
            notes.append(f"{what} in the database is not one ({shown(data[name])}): ignored")
            data[name] = fallback
    data["warnings"] = text_list(data["warnings"] or "[]", "its warnings in the database") + notes
    return ImageRecord(**data)


def box_from_row(row: sqlite3.Row) -> BoxRecord:
    """The box a row holds; :class:`..validate.Invalid` when its edges, class, source or state cannot be used
    (its score, threshold, IoU and pose fall back to none)."""
    data = {k: row[k] for k in BOX_COLUMNS}
    for name in ("x0", "y0", "x1", "y1"):
        data[name] = whole(data[name], name, -MAX_SIDE, MAX_SIDE)
    if not (data["x0"] < data["x1"] and data["y0"] < data["y1"]):
        raise Invalid(f"an empty box {(data['x0'], data['y0'], data['x1'], data['y1'])}")
    if not isinstance(data["label"], str) or not data["label"]:
        raise Invalid(f"its class is not a name ({shown(data['label'])})")
    for name, allowed in (("source", BOX_SOURCES), ("state", BOX_STATES)):
        if data[name] not in allowed:
            raise Invalid(f"its {name} is not one of {', '.join(allowed)} ({shown(data[name])})")
    for name in ("score", "threshold", "map_iou"):
        data[name] = float(data[name]) if finite(data[name]) else None
    for flag in ("difficult", "truncated", "edited"):
        data[flag] = data[flag] == 1
    data["run_id"] = data["run_id"] if isinstance(data["run_id"], int) else None
    data["method"] = data["method"] if isinstance(data["method"], str) else None
    data["pose"] = data["pose"] if isinstance(data["pose"], str) else "Unspecified"
    return BoxRecord(**data)
