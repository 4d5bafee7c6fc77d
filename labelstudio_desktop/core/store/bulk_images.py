"""Image rows many at a time, for an import of a large folder: the new images of a batch in one statement, the
records of a batch's paths in one indexed query, and the paths an import has seen kept in a temporary table, so that
what vanished is found by SQL and no list of every record is ever held.

:data:`INSERT_IMAGE` and :func:`image_row` are the one definition of a new image's row; :meth:`.store.Store.add_image`
writes the same values one at a time.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator

from .natural_order import list_key
from .records import ImageRecord, image_from_row

INSERT_IMAGE = ("INSERT INTO images(path, size, mtime, width, height, channels, label, value, split, status, "
                "warnings, added_at, list_key) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)")
#: Paths per query of :func:`images_by_path` (below SQLite's smallest limit of bound values, 999).
PATHS_PER_QUERY = 500


def image_row(path: str, size: int, mtime: float, width: int, height: int, channels: int, label: str | None = None,
              value: float | None = None, split: str | None = None, status: str = "unverified",
              warnings: list[str] | None = None) -> tuple:
    """The values :data:`INSERT_IMAGE` writes for a new image: its facts, ``warnings`` as JSON, the time it was
    added and its key of the browser's name order (:func:`.natural_order.list_key`)."""
    return (path, size, mtime, width, height, channels, label, value, split, status, json.dumps(warnings or []),
            time.time(), list_key(path))


def insert_images(conn: sqlite3.Connection, rows: Iterable[tuple]) -> None:
    """Add the images of ``rows`` (each made by :func:`image_row`) in one statement, in their order."""
    conn.executemany(INSERT_IMAGE, rows)


def images_by_path(conn: sqlite3.Connection, paths: list[str], refused: set[int] | frozenset[int] = frozenset()
                   ) -> dict[str, ImageRecord]:
    """The records of those of ``paths`` that the project has (but never a refused one), by path."""
    found: dict[str, ImageRecord] = {}
    for start in range(0, len(paths), PATHS_PER_QUERY):
        part = paths[start:start + PATHS_PER_QUERY]
        rows = conn.execute(f"SELECT * FROM images WHERE path IN ({','.join('?' * len(part))})", part)
        found.update((row["path"], image_from_row(row)) for row in rows if row["id"] not in refused)
    return found


def has_images(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT EXISTS(SELECT 1 FROM images)").fetchone()[0] == 1


class SeenPaths:
    """The image paths one import has met, in a temporary table of the import's connection (on disk when large, never
    in a Python set): what the project holds beyond them is what may have vanished (:meth:`unseen`)."""

    TABLE = "temp.import_seen"

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        conn.execute(f"CREATE TABLE IF NOT EXISTS {self.TABLE}(path TEXT PRIMARY KEY) WITHOUT ROWID")
        conn.execute(f"DELETE FROM {self.TABLE}")

    def add(self, paths: Iterable[str]) -> None:
        self.conn.executemany(f"INSERT OR IGNORE INTO {self.TABLE}(path) VALUES(?)", ((p,) for p in paths))

    def unseen(self, refused: set[int] | frozenset[int] = frozenset(), batch: int = 1000
               ) -> Iterator[list[ImageRecord]]:
        """The project's images (refused ones left out) whose paths were not met, a batch of records at a time."""
        rows = self.conn.execute(f"SELECT * FROM images WHERE path NOT IN (SELECT path FROM {self.TABLE})")
        while True:
            chunk = rows.fetchmany(batch)
            if not chunk:
                return
            yield [image_from_row(row) for row in chunk if row["id"] not in refused]

    def close(self) -> None:
        self.conn.execute(f"DROP TABLE IF EXISTS {self.TABLE}")
