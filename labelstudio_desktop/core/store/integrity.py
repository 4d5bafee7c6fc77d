"""Opening a project database safely: never silently, never a damaged one, read-only when it cannot be written.

A quick integrity check (``PRAGMA quick_check``) runs the first time a process opens a database; a damaged one is
refused with a plain message and how to recover (a backup, SQLite's ``.recover``). A 0-byte ``project.db`` is
refused too (it is not an empty project: something truncated it), and a database the user cannot write (a
read-only folder, disk or file) opens read-only where reading is all that is asked (``info``, ``export``).
"""

from __future__ import annotations

import errno
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from .backups import list_backups
from .checked import CHECKED

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]


class DamagedDatabase(Exception):
    """The database fails the integrity check, or is empty."""


class ProjectBusy(Exception):
    """Another process held the project's lock (creating the project, importing into it) past the wait allowed."""


@contextmanager
def project_lock(db: Path, timeout: float) -> Iterator[None]:
    """Hold the lock of the project whose database is ``db`` (to be) while creating it or importing into it, so two
    imports of one folder never build its database at once. It is an advisory lock on the database's folder, which
    the system releases when the process ends, however it ends (a killed import leaves nothing to clean up).
    Another process waits for it up to ``timeout`` seconds, then gets :class:`ProjectBusy`. Where the file system
    has no such locks (Windows, some network shares), nothing is held."""
    fd = _lock_fd(db.parent)
    if fd is None:
        yield
        return
    try:
        deadline = time.monotonic() + timeout
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                raise ProjectBusy(f"{db}: another import is creating this project or importing into it, and did not "
                                  f"finish within {timeout:g} s; run this command again once it has")
            time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # releases the lock


def _lock_fd(folder: Path) -> int | None:
    if fcntl is None:
        return None
    try:
        return os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return None


def _try_lock(fd: int) -> bool:
    """Take the lock if it is free; True also where the file system refuses such locks (nothing to hold)."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        return exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES)
    return True


def recovery_hint(db: Path) -> str:
    """What the user can do about a damaged database: a backup first, SQLite's recover otherwise."""
    backups = list_backups(db)
    parts = []
    if backups:
        parts.append(f"{len(backups)} backup(s) exist (newest {backups[0].when}): "
                     f"`labelstudio-desktop restore {db}` lists them and restores one (the damaged file is kept aside)")
    else:
        parts.append("no backup of it exists")
    parts.append(f"SQLite can salvage what is readable: `sqlite3 {db} .recover | sqlite3 recovered.db`")
    return "; ".join(parts)


def refuse_empty(db: Path) -> None:
    """A 0-byte database file (with no write-ahead log holding its pages) is not a project: refuse it."""
    try:
        size = db.stat().st_size
    except OSError:
        return
    wal = Path(f"{db}-wal")
    if size == 0 and not (wal.is_file() and wal.stat().st_size > 0):
        raise DamagedDatabase(f"{db}: the project database is empty (0 bytes): it was truncated or never "
                              f"written, and it is not rebuilt as an empty project; {recovery_hint(db)}. "
                              "To start a new project instead, delete the file")


def writable(db: Path) -> bool:
    """Whether this process may write the database and create its journal files next to it."""
    return os.access(db, os.W_OK) and os.access(db.parent, os.W_OK)


def connect_readonly(db: Path, timeout: float) -> sqlite3.Connection:
    """A read-only connection. A WAL database in a folder nobody may write has no shared-memory file to use:
    it is then read as immutable (nothing can change it under us there)."""
    uri = f"file:{quote(str(db))}"
    conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=timeout, isolation_level=None)
    try:
        conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError:
        conn.close()
    wal = Path(f"{db}-wal")
    if wal.is_file() and wal.stat().st_size > 0:  # read as immutable, its last edits (in the log) would be missed
        raise sqlite3.OperationalError(
            f"its last edits are still in {wal.name}, which cannot be read here without the shared-memory file "
            f"{db.name}-shm; open the project once where it can be written (or copy the folder there)")
    return sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True, timeout=timeout, isolation_level=None)


def check(db: Path, timeout: float = 10.0, force: bool = False) -> None:
    """Refuse a database that fails ``PRAGMA quick_check`` (once per process and file unless ``force``). The check
    runs on a read-only connection of its own, so a damaged file is never written (not even by the checkpoint that
    closing a writable connection does)."""
    try:
        st = db.stat()
    except OSError:
        return  # a new database: nothing to check yet
    key = (str(db), st.st_ino, st.st_size, st.st_mtime_ns)
    if key in CHECKED and not force:
        return
    try:
        conn = connect_readonly(db, timeout)
        try:
            rows = [r[0] for r in conn.execute("PRAGMA quick_check(5)")]
        finally:
            conn.close()
    except sqlite3.OperationalError:  # locked, busy, cannot be opened here: not a damaged file
        raise
    except sqlite3.DatabaseError as exc:
        raise DamagedDatabase(f"{db}: the project database is damaged ({exc}); it was not opened, and nothing "
                              f"was changed; {recovery_hint(db)}") from exc
    if rows != ["ok"]:
        detail = "; ".join(rows[:3])
        raise DamagedDatabase(f"{db}: the project database is damaged (integrity check: {detail}); it was not "
                              f"opened, and nothing was changed; {recovery_hint(db)}")
    CHECKED.add(key)


def create_new(db: Path, root_value: str) -> None:
    """Create a project database whole, or not at all: built under a temporary name (schema, image root) and
    renamed into place, so a kill during creation never leaves a 0-byte or rootless ``project.db`` (which opening
    refuses, since it can then only be a damaged one)."""
    import json

    from ..durability import replace_durably
    from .migrations import migrate

    tmp = db.with_name(f".{db.name}.creating")
    for stale in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        stale.unlink(missing_ok=True)
    conn = sqlite3.connect(str(tmp), isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        migrate(conn)
        conn.execute("INSERT INTO settings(key, value) VALUES('root', ?)", (json.dumps(root_value),))
    finally:
        conn.close()  # the last connection: its WAL is checkpointed into the file and removed
    replace_durably(tmp, db)
