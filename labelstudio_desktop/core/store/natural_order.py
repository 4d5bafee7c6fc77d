"""The browser's natural order as a text stored per image (``images.list_key``, indexed): ``img-2`` before
``img-10``, case-insensitive, compared by SQLite code point by code point as the tuple key compares in Python.
The key is made when an image is added (:meth:`.store.Store.add_image`) and by the migration that added the column.
"""

from __future__ import annotations

import re
import sqlite3

_DIGITS = re.compile(r"(\d+)")
#: Ends a text part of a key: below every character a name holds, so a shorter part sorts first, as in a tuple.
_TEXT_END = "\x00"
#: Between the key of the name and the key of the whole path.
_FIELD_END = "\x01"
def natural_key(text: str) -> tuple:
    """Case-insensitive key that compares digit runs as numbers: ``img-2`` before ``img-10``.

    The parts alternate text, number, text, ... (``re.split`` with a group), so parts at one position are
    always of one type and tuples compare without a type error.
    """
    parts = _DIGITS.split(text.casefold())
    return tuple(int(p) if n % 2 else p for n, p in enumerate(parts))


def _natural_text(text: str) -> str:
    """:func:`natural_key` as a string that compares (code point by code point) as the tuple does: each text part
    ends with a character below any other, each number is its digit count then its digits (leading zeros dropped)."""
    out = []
    for n, part in enumerate(_DIGITS.split(text.casefold())):
        if n % 2:
            digits = str(int(part))
            out.append(chr(0x30 + len(digits)) + digits)
        else:
            out.append(part + _TEXT_END)
    return "".join(out)


def list_key(path: str) -> str:
    """The stored key of the browser's name order: the file name in natural order, then the path in natural order,
    then the path itself (the order of ``(natural_key(name), natural_key(path), path)``)."""
    name = path.rsplit("/", 1)[-1]
    return _natural_text(name) + _FIELD_END + _natural_text(path) + _FIELD_END + path


def fill_list_keys(conn: sqlite3.Connection, batch: int = 20_000) -> None:
    """Give every image without a list key its key (the migration that added the column, an older program's rows)."""
    last = -1
    while True:
        rows = conn.execute("SELECT id, path FROM images WHERE list_key IS NULL AND id > ? ORDER BY id LIMIT ?",
                            (last, batch)).fetchall()
        if not rows:
            return
        conn.executemany("UPDATE images SET list_key=? WHERE id=?",
                         [(list_key(p) if isinstance(p, str) else None, i) for i, p in rows])
        last = rows[-1][0]


