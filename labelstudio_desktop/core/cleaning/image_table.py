"""The usable images of a project as columns: a million image records in tens of megabytes, not half a gigabyte.

An :class:`ImageTable` is a read-only mapping from image id to :class:`~..store.records.ImageRecord`, in path order,
that makes a record when one is asked for; the duplicate search works on its rows (``0..n-1``, path order) and
columns (NumPy arrays) instead. Each row is read through :func:`~..store.records.image_from_row`, so a value the
database holds that cannot be used is read as the store reads it.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Mapping

import numpy as np

from ..store.records import ImageRecord, image_from_row
from ..store.store import Store


class _Codes:
    """Small integers for the few distinct values of a text column (None is -1)."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self._code: dict[str, int] = {}
        self.values = array("i")

    def add(self, value: str | None) -> None:
        if value is None:
            self.values.append(-1)
            return
        code = self._code.get(value)
        if code is None:
            code = self._code[value] = len(self.names)
            self.names.append(value)
        self.values.append(code)


class ImageTable(Mapping[int, ImageRecord]):
    """Image records by id, held as columns in path order (rows ``0..n-1``); see the module's docstring."""

    def __init__(self, records: Iterable[ImageRecord] = ()):
        ids, size, mtime, width, height, channels = (array("q"), array("q"), array("d"), array("l"), array("l"),
                                                     array("b"))
        value, flags = array("d"), array("b")
        labels, splits, statuses = _Codes(), _Codes(), _Codes()
        self.paths: list[str] = []
        self._warnings: dict[int, list[str]] = {}
        for img in records:
            if img.warnings:
                self._warnings[len(ids)] = list(img.warnings)
            ids.append(img.id)
            self.paths.append(img.path)
            size.append(img.size)
            mtime.append(img.mtime)
            width.append(img.width)
            height.append(img.height)
            channels.append(img.channels)
            value.append(np.nan if img.value is None else img.value)
            flags.append(int(img.excluded) | int(img.missing) << 1)
            labels.add(img.label)
            splits.add(img.split)
            statuses.add(img.status)
        self.ids = np.frombuffer(ids, np.int64).copy() if ids else np.zeros(0, np.int64)
        self.size = np.array(size, np.int64)
        self.mtime = np.array(mtime, np.float64)
        self.width = np.array(width, np.int32)
        self.height = np.array(height, np.int32)
        self.channels = np.array(channels, np.int8)
        self.value = np.array(value, np.float64)
        self._flags = np.array(flags, np.int8)
        self.label, self.label_names = np.array(labels.values, np.int32), labels.names
        self.split, self.split_names = np.array(splits.values, np.int32), splits.names
        self.status, self.status_names = np.array(statuses.values, np.int32), statuses.names
        self._index()

    @classmethod
    def usable(cls, store: Store) -> ImageTable:
        """The images the store lists with ``include_excluded=False, include_missing=False``, one row at a time."""
        refused = store.refused_images
        rows = store.conn.execute("SELECT * FROM images WHERE excluded=0 AND missing=0 ORDER BY path")
        records = (image_from_row(r) for r in rows if r["id"] not in refused)
        return cls(img for img in records if not img.missing)

    def _index(self) -> None:
        n = len(self.ids)
        top = int(self.ids.max()) if n else -1
        if n and int(self.ids.min()) >= 0 and top <= 4 * n + 1024:  # the usual dense row ids: a direct table
            self._direct = np.full(top + 1, -1, np.int32)
            self._direct[self.ids] = np.arange(n, dtype=np.int32)
            self._sorted = None
        else:
            self._direct = None
            self._sorted = np.argsort(self.ids, kind="stable")

    def rows(self, image_ids: np.ndarray | Iterable[int]) -> np.ndarray:
        """The rows of image ids (-1 for an id not in the table)."""
        ids = np.asarray(image_ids if isinstance(image_ids, np.ndarray) else list(image_ids), np.int64)
        if self._direct is not None:
            inside = (ids >= 0) & (ids < len(self._direct))
            out = np.full(len(ids), -1, np.int64)
            out[inside] = self._direct[ids[inside]]
            return out
        if not len(self.ids):
            return np.full(len(ids), -1, np.int64)
        pos = np.minimum(np.searchsorted(self.ids, ids, sorter=self._sorted), len(self.ids) - 1)
        found = self._sorted[pos]
        return np.where(self.ids[found] == ids, found, -1)

    def row(self, image_id: int) -> int:
        """The row of an image id; KeyError when it is not in the table."""
        if self._direct is not None:
            row = int(self._direct[image_id]) if 0 <= image_id < len(self._direct) else -1
        else:
            row = int(self.rows([image_id])[0])
        if row < 0:
            raise KeyError(image_id)
        return row

    def record(self, row: int) -> ImageRecord:
        """The image record of a row."""
        def name(names: list[str], code: int) -> str | None:
            return names[code] if code >= 0 else None

        value = float(self.value[row])
        flags = int(self._flags[row])
        return ImageRecord(
            id=int(self.ids[row]), path=self.paths[row], size=int(self.size[row]), mtime=float(self.mtime[row]),
            width=int(self.width[row]), height=int(self.height[row]), channels=int(self.channels[row]),
            label=name(self.label_names, int(self.label[row])), value=None if np.isnan(value) else value,
            split=name(self.split_names, int(self.split[row])),
            status=name(self.status_names, int(self.status[row])) or "unverified",
            excluded=bool(flags & 1), missing=bool(flags & 2), warnings=list(self._warnings.get(row, [])))

    def __getitem__(self, image_id: int) -> ImageRecord:
        return self.record(self.row(int(image_id)))

    def __contains__(self, image_id: object) -> bool:
        try:
            self.row(int(image_id))  # type: ignore[arg-type]
        except (KeyError, TypeError, ValueError):
            return False
        return True

    def __iter__(self) -> Iterator[int]:
        return iter(self.ids.tolist())

    def __len__(self) -> int:
        return len(self.ids)
