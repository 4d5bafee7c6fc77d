"""What :meth:`.store.Store.open` leaves to its caller with ``checks_later``: the two opening checks whose time grows
with the number of images. The app runs them in the background once its first screen is painted, so that a million
images open in a second or two:

- the listing of every image folder for links leading out of the image folder (:func:`.refusals.links_out_of`),
  whose result the store that opened applies (:meth:`.store.Store.refuse_links`). Until then nothing is read
  through such a link all the same: every file is checked as it is read (:func:`..fsutil.check_read`);
- the backup on opening (:func:`.backups.backup_on_open`) of a writable project.

Both read the database only, on a connection of their own (SQLite connections belong to the thread that made them).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ..jobs import JobToken
from .backups import backup_on_open
from .refusals import LinksOut, links_out_of


def later_opening_checks(db: Path, root: Path, backup: bool, job: JobToken | None = None) -> LinksOut:
    """The links of the project ``db`` (image folder ``root``) that lead out; and, with ``backup``, the backup on
    opening taken. ``job`` can cancel between folders."""
    conn = sqlite3.connect(f"{Path(db).as_uri()}?mode=ro", uri=True, timeout=30)
    try:
        links = links_out_of(conn, Path(root), job)
        if backup:
            backup_on_open(conn, Path(db))
        return links
    finally:
        conn.close()
