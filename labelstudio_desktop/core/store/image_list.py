"""The image list as the browser shows it: ordered and filtered in SQL, read a page at a time.

A project may hold a million images. The list keeps the ids in their order as one NumPy array (8 bytes an image), the
rows passing the filter as another, and reads an image's details (name, class, badges) only for the rows on screen,
a page at a time: never one Python object per image.

Natural order (``img-2`` before ``img-10``, case-insensitive) is kept in the database as a text key per image
(:func:`list_key`, column ``images.list_key``, indexed), so ordering by name is an index scan, not a sort of a million
Python tuples. The key is made when an image is added (and by the migration that added the column); a row without one
(written by another program) is listed first, in path order.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

import numpy as np

from .natural_order import fill_list_keys, list_key, natural_key  # noqa: F401 - list_key is imported from here too
from .records import IMAGE_LABELS
from .store import Store

#: Rows read at once for the screen (and cached, :data:`CACHED_ROWS` at most).
PAGE = 256
CACHED_ROWS = 8192
#: Sort keys of :func:`ordered_ids`; ``name`` breaks every tie.
SORTS = ("name", "date", "size", "class")
FLAGS = ("excluded", "boxes", "no boxes", "pending", "warnings")


@dataclass
class ListedImage:
    """What the browser shows of one image."""

    id: int
    path: str
    size: int
    mtime: float
    label: str | None
    split: str | None
    status: str
    excluded: bool
    missing: bool
    warnings: bool
    boxes: int
    pending: int  # pending box and mask proposals
    name: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        self.name = self.path.rsplit("/", 1)[-1]

    def file_state(self) -> tuple:
        """What says the file changed: path, size, mtime, missing."""
        return self.path, self.size, self.mtime, self.missing


_ROWS_SQL = """
SELECT i.id, i.path, i.size, i.mtime, i.label, i.split, i.status, i.excluded, i.missing, i.warnings != '[]',
       (SELECT COUNT(*) FROM boxes b WHERE b.image_id = i.id AND b.state = 'accepted'),
       (SELECT COUNT(*) FROM boxes b WHERE b.image_id = i.id AND b.state = 'pending')
         + (SELECT COUNT(*) FROM masks m WHERE m.image_id = i.id AND m.state = 'pending')
FROM images i WHERE i.id IN ({marks})
"""


def listed_images(store: Store, ids: list[int]) -> dict[int, ListedImage]:
    """The rows of these images (an id no longer in the project is left out)."""
    out: dict[int, ListedImage] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for r in store.conn.execute(_ROWS_SQL.format(marks=",".join("?" * len(chunk))), chunk):
            if not isinstance(r[1], str):  # a damaged row (another program's): listed by its id
                r = (r[0], f"#{r[0]}", *r[2:])
            out[r[0]] = ListedImage(r[0], r[1], _number(r[2]), _number(r[3]), _text(r[4]), _text(r[5]),
                                    str(r[6]), bool(r[7]), bool(r[8]), bool(r[9]), r[10], r[11])
    return out


def _number(value: object) -> float:
    return value if isinstance(value, (int, float)) else 0


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


# ------------------------------------------------------------------------------------------------ order
def ordered_ids(store: Store, sort: str = "name", places: dict[int, int] | None = None) -> np.ndarray:
    """Every image id (excluded and missing ones too) in the order of ``sort`` (:data:`SORTS`), the name in natural
    order breaking ties; with ``places`` (image id -> place), the images placed first, by place, then the rest."""
    if not store.readonly and store.conn.execute("SELECT 1 FROM images WHERE list_key IS NULL LIMIT 1").fetchone():
        with store.transaction() as conn:  # rows another program wrote
            fill_list_keys(conn)
    if sort == "class":
        labels = store.conn.execute(f"{IMAGE_LABELS} SELECT label FROM image_labels WHERE label IS NOT NULL")
        rank = {label: n for n, label in enumerate(sorted(
            (r[0] for r in labels), key=lambda t: natural_key(t) if isinstance(t, str) else ()))}
        store.conn.create_function("label_rank", 1, lambda label: rank.get(label, -1), deterministic=True)
        ids = _by_whole_number_then_name(store.conn, "label_rank(label)")
    elif sort == "size":  # a size that is not a whole number (not written by this program) first
        ids = _by_whole_number_then_name(store.conn, "CASE typeof(size) WHEN 'integer' THEN size ELSE -1 END")
    elif sort == "date":  # a list key holds the path: it breaks every tie; the rows sorted in memory (80 MB a moment)
        store.conn.execute("PRAGMA temp_store=MEMORY")
        try:
            ids = _ids(store.conn, "SELECT id FROM images ORDER BY mtime, list_key")
        finally:
            store.conn.execute("PRAGMA temp_store=DEFAULT")
    else:  # the name order is a scan of the list key's index
        ids = _ids(store.conn, "SELECT id FROM images ORDER BY list_key")
    if places:
        ids = ids[np.argsort(_places(ids, places), kind="stable")]
    return ids


def _by_whole_number_then_name(conn: sqlite3.Connection, key: str) -> np.ndarray:
    """The ids ordered by the whole number ``key`` (SQL of an image row), ties in name order: the rows read in name
    order (a scan of the list key's index) with their keys, then sorted stably by key in NumPy. Many equal keys (a
    million images of a few sizes or classes) would make SQLite compare their long list keys: 1.6 s against 0.3."""
    ids, keys = conn.execute(f"SELECT group_concat(id), group_concat(k) FROM (SELECT id, {key} AS k FROM images "
                             "ORDER BY list_key)").fetchone()
    if not ids:
        return np.zeros(0, dtype=np.int64)
    ids = np.fromstring(ids, dtype=np.int64, sep=",")
    return ids[np.argsort(np.fromstring(keys, dtype=np.int64, sep=","), kind="stable")]


def _places(ids: np.ndarray, places: dict[int, int]) -> np.ndarray:
    """The place of each of ``ids``; the ids without one after every placed one."""
    place = np.full(len(ids), len(places), dtype=np.int64)
    keys = np.fromiter(places.keys(), dtype=np.int64, count=len(places))
    values = np.fromiter(places.values(), dtype=np.int64, count=len(places))
    found = IdIndex(ids).rows_of(keys)
    place[found[found >= 0]] = values[found >= 0]
    return place


def _ids(conn: sqlite3.Connection, query: str, params: list | tuple = ()) -> np.ndarray:
    """The ids ``query`` selects, in its order, as one array: read as one text from SQLite (a million rows through the
    Python cursor would cost a second)."""
    text = conn.execute(f"SELECT group_concat(id) FROM ({query})", params).fetchone()[0]
    return np.fromstring(text, dtype=np.int64, sep=",") if text else np.zeros(0, dtype=np.int64)


class IdIndex:
    """Where each id of an id array is, without a dict of a million entries: a sorted copy and its positions."""

    def __init__(self, ids: np.ndarray):
        self._order = np.argsort(ids, kind="stable")
        self._sorted = ids[self._order]

    def rows_of(self, ids: np.ndarray) -> np.ndarray:
        """The position of each of ``ids`` (-1 where it is not there)."""
        ids = np.asarray(ids, dtype=np.int64)
        if not len(self._sorted):
            return np.full(len(ids), -1, dtype=np.int64)
        at = np.minimum(np.searchsorted(self._sorted, ids), len(self._sorted) - 1)
        return np.where(self._sorted[at] == ids, self._order[at], -1)

    def row_of(self, image_id: int) -> int | None:
        row = int(self.rows_of(np.array([image_id]))[0])
        return None if row < 0 else row


# ------------------------------------------------------------------------------------------------ filter
@dataclass(frozen=True)
class ListFilter:
    """What the browser lists. ``label``/``split``: None any, "" none; ``flag``: None lists every image but the
    excluded ones, else one of :data:`FLAGS`; ``text``: in the path, case-insensitive; ``ids``: only these."""

    label: str | None = None
    split: str | None = None
    status: str | None = None
    flag: str | None = None
    text: str = ""
    ids: frozenset[int] | None = None

    def where(self) -> tuple[str, list]:
        """The SQL condition on ``images i`` and its parameters (``ids`` is applied by :func:`passing`)."""
        terms, params = [], []
        for column in ("label", "split"):
            value = getattr(self, column)
            if value is not None:
                terms.append(f"i.{column} IS ?")
                params.append(value or None)
        if self.status is not None:
            terms.append("i.status = ?")
            params.append(self.status)
        terms.append("i.excluded != 0" if self.flag == "excluded" else "i.excluded = 0")
        accepted = "EXISTS (SELECT 1 FROM boxes b WHERE b.image_id = i.id AND b.state = 'accepted')"
        pending = ("(EXISTS (SELECT 1 FROM boxes b WHERE b.image_id = i.id AND b.state = 'pending') OR "
                   "EXISTS (SELECT 1 FROM masks m WHERE m.image_id = i.id AND m.state = 'pending'))")
        terms += {"boxes": [accepted], "no boxes": [f"NOT {accepted}", f"NOT {pending}"], "pending": [pending],
                  "warnings": ["i.warnings != '[]'"]}.get(self.flag or "", [])
        if self.text:
            terms.append("contains_folded(i.path, ?)")
            params.append(self.text.casefold())
        return " AND ".join(terms), params


def passing(store: Store, list_filter: ListFilter, order: np.ndarray, index: IdIndex) -> np.ndarray:
    """The positions in ``order`` (increasing) of the images ``list_filter`` lets through."""
    where, params = list_filter.where()
    store.conn.create_function("contains_folded", 2, _contains_folded, deterministic=True)
    ids = _ids(store.conn, f"SELECT i.id FROM images i WHERE {where}", params)
    if list_filter.ids is not None:
        ids = ids[np.isin(ids, np.fromiter(list_filter.ids, dtype=np.int64, count=len(list_filter.ids)))]
    rows = index.rows_of(ids)
    return np.sort(rows[rows >= 0])


def _contains_folded(path: object, folded: str) -> bool:
    return isinstance(path, str) and folded in path.casefold()
