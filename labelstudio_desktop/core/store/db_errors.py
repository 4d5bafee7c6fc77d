"""What a failure of the project database or its disk is, told by the error codes themselves (never by the words of
a message, which differ between versions and languages), and the one message for a full disk.

An ``OSError`` carries the system's code (``ENOSPC``, or ``EDQUOT`` for a quota). SQLite gives ``SQLITE_FULL`` when a
write of the database or its journal finds no space, but a full disk can also reach it as an I/O error: opening a
database in WAL mode sizes its shared-memory file by writing to it, and on a full disk that write fails as
``SQLITE_IOERR_SHMSIZE`` ("disk I/O error"). SQLite does not pass the system's code on, so an I/O error counts as a
full disk when the disk holding the database has less free space than SQLite may need for one step
(:data:`LOW_SPACE`), which the file system itself reports.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
from pathlib import Path

MESSAGE = "the disk is full; free space and retry"


class StoreError(Exception):
    """A project that cannot be opened or an edit that the store refuses."""


class DiskFull(StoreError):
    """The disk holding the project is full (:mod:`.db_errors`): nothing could be written."""

#: Primary SQLite result codes (an extended code keeps its primary code in the low byte).
SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY, SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_FULL, SQLITE_NOTADB = \
    5, 6, 8, 10, 11, 13, 26
FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
#: Free bytes below which an I/O error of SQLite is taken for a full disk: the shared-memory file grows by 32 KiB,
#: a page or a journal frame by at most 64 KiB.
LOW_SPACE = 1 << 20


def free_bytes(folder: Path) -> int | None:
    """Bytes this process may still write on the disk holding ``folder`` (None when it cannot be asked)."""
    try:
        if hasattr(os, "statvfs"):
            st = os.statvfs(folder)
            # root may fill the blocks the file system reserves for it; other users stop before them
            blocks = st.f_bfree if hasattr(os, "geteuid") and os.geteuid() == 0 else st.f_bavail
            return blocks * st.f_frsize
        return shutil.disk_usage(folder).free
    except OSError:
        return None


def sqlite_code(exc: BaseException) -> int | None:
    """The primary SQLite result code of an error SQLite raised (None for any other error)."""
    code = getattr(exc, "sqlite_errorcode", None) if isinstance(exc, sqlite3.Error) else None
    return code & 0xFF if isinstance(code, int) else None


def disk_full(exc: BaseException, where: Path | None = None) -> bool:
    """Whether ``exc`` is the full disk: ``ENOSPC``/``EDQUOT``, ``SQLITE_FULL``, or an I/O error of SQLite while the
    disk holding ``where`` (a database's folder) has less than :data:`LOW_SPACE` free."""
    if isinstance(exc, OSError):
        return exc.errno in FULL_ERRNOS
    code = sqlite_code(exc)
    if code == SQLITE_IOERR and where is not None:
        free = free_bytes(where)
        return free is not None and free < LOW_SPACE
    return code == SQLITE_FULL
