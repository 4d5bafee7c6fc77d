"""The boxes and masks tables of the project store (:class:`..store.Store` inherits these methods): reading them
(a row holding a value no box can have is left out and noted once), and the single-row edits, each one transaction."""

from __future__ import annotations

import sqlite3
import time
from typing import Any

from ..validate import Invalid
from .db_errors import StoreError
from .records import BOX_COLUMNS, BOX_SOURCES, BOX_STATES, MASK_COLUMNS, BoxRecord, box_from_row


class AnnotationRows:
    """Box and mask rows of the store's connection, written through its ``transaction``; a row left out is told
    through its ``_note`` (both :class:`..store.Store`'s)."""

    conn: sqlite3.Connection

    def boxes(self, image_id: int | None = None, states: tuple[str, ...] | None = None) -> list[BoxRecord]:
        sql = "SELECT * FROM boxes WHERE 1=1"
        args: list[Any] = []
        if image_id is not None:
            sql += " AND image_id=?"
            args.append(image_id)
        if states:
            sql += f" AND state IN ({','.join('?' * len(states))})"
            args.extend(states)
        boxes = []
        for row in self.conn.execute(sql + " ORDER BY image_id, id", args):
            try:
                boxes.append(box_from_row(row))
            except Invalid as exc:  # a value no box can have: left out, and said once
                self._note(f"box {row['id']} of image {row['image_id']}: {exc} in the database: left out")
        return boxes

    def box(self, box_id: int) -> BoxRecord:
        row = self.conn.execute("SELECT * FROM boxes WHERE id=?", (box_id,)).fetchone()
        if row is None:
            raise StoreError(f"no box with id {box_id}")
        try:
            return box_from_row(row)
        except Invalid as exc:
            raise StoreError(f"box {box_id}: {exc} in the database") from exc

    def insert_box(self, box: BoxRecord, keep_id: bool = False) -> int:
        """Insert ``box``; with ``keep_id`` its id is reused (used by undo to restore a deleted box exactly)."""
        self._check_box(box)
        cols = BOX_COLUMNS if keep_id else BOX_COLUMNS[1:]
        values = [getattr(box, c) for c in cols]
        with self.transaction() as c:
            cur = c.execute(
                f"INSERT INTO boxes({', '.join(cols)}, created_at) VALUES({', '.join('?' * len(cols))}, ?)",
                (*values, time.time()),
            )
            return int(cur.lastrowid)

    def update_box(self, box: BoxRecord) -> None:
        self._check_box(box)
        cols = BOX_COLUMNS[2:]
        with self.transaction() as c:
            c.execute(
                f"UPDATE boxes SET {', '.join(f'{k}=?' for k in cols)} WHERE id=?",
                (*[getattr(box, k) for k in cols], box.id),
            )

    def delete_box(self, box_id: int) -> None:
        with self.transaction() as c:
            c.execute("DELETE FROM boxes WHERE id=?", (box_id,))

    def _check_box(self, box: BoxRecord) -> None:
        if not (box.x0 < box.x1 and box.y0 < box.y1):
            raise StoreError(f"empty box {box.edges}: needs x0 < x1 and y0 < y1")
        if box.source not in BOX_SOURCES:
            raise StoreError(f"box source must be one of {BOX_SOURCES}")
        if box.state not in BOX_STATES:
            raise StoreError(f"box state must be one of {BOX_STATES}")
        if not box.label:
            raise StoreError("a box needs a label")


    def add_mask(self, image_id: int, label: str, png: bytes, source: str = "manual",
                 state: str = "accepted", run_id: int | None = None) -> int:
        with self.transaction() as c:
            cur = c.execute(
                "INSERT INTO masks(image_id, label, png, source, state, run_id, created_at) VALUES(?,?,?,?,?,?,?)",
                (image_id, label, png, source, state, run_id, time.time()),
            )
            return int(cur.lastrowid)

    def masks(self, image_id: int) -> list[sqlite3.Row]:
        return list(self.conn.execute(f"SELECT {MASK_COLUMNS} FROM masks WHERE image_id=? ORDER BY id", (image_id,)))

    def mask(self, mask_id: int) -> sqlite3.Row:
        row = self.conn.execute(f"SELECT {MASK_COLUMNS} FROM masks WHERE id=?", (mask_id,)).fetchone()
        if row is None:
            raise StoreError(f"no mask with id {mask_id}")
        return row

    def update_mask(self, mask_id: int, state: str, png: bytes, label: str, edited: bool | None = None) -> None:
        """Change a mask; ``edited`` (when given) marks it corrected by the operator (kept as it is otherwise)."""
        with self.transaction() as c:
            c.execute("UPDATE masks SET state=?, png=?, label=?, edited=COALESCE(?, edited) WHERE id=?",
                      (state, png, label, None if edited is None else int(edited), mask_id))

    def delete_mask(self, mask_id: int) -> None:
        with self.transaction() as c:
            c.execute("DELETE FROM masks WHERE id=?", (mask_id,))
