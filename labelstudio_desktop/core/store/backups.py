"""Rolling backups of a project database, made with SQLite's online backup API, and restoring one.

A backup is taken when a project is opened for writing (if it changed since the newest backup, and that one is
more than :data:`MIN_AGE_ON_OPEN` old) and every :data:`INTERVAL` of editing. Each is a complete, checked,
self-contained database file in ``<database folder>/backups/`` (``<name>-backups/`` for a ``--db NAME.db``
database; never through a link leading out of the database's folder, :mod:`.confine`). The newest
:data:`KEEP_RECENT` are kept, and the newest of each of the :data:`KEEP_DAYS` days before, so a mistake noticed a
week later can still be undone. Restoring first saves the current database aside.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from ..confine import check_inside, resolves_inside
from ..durability import fsync_dir, fsync_file, replace_durably
from .checked import forget

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

INTERVAL = 10 * 60.0  # seconds of editing between two backups
MIN_AGE_ON_OPEN = 5 * 60.0  # opening again within this time adds no backup
KEEP_RECENT = 5
KEEP_DAYS = 7
STAMP = "%Y%m%d-%H%M%S"


@dataclass
class Backup:
    path: Path
    created: float

    @property
    def when(self) -> str:
        return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.created))

    @property
    def name(self) -> str:
        return self.path.name


class RestoreError(Exception):
    """A backup that cannot be restored (unknown, damaged) or a project in use."""


def backup_dir(db: Path) -> Path:
    db = Path(db)
    return db.parent / ("backups" if db.name == "project.db" else f"{db.stem}-backups")


def _own_backup_dir(db: Path) -> Path:
    """:func:`backup_dir`, after checking that it does not lead out of the database's folder (raises
    :class:`.confine.OutsideProject`, an ``OSError``)."""
    return check_inside(Path(db).parent, backup_dir(db), "a link leading outside the project's own folder")


def list_backups(db: Path) -> list[Backup]:
    """The backups of ``db``, newest first (the copies saved aside by a restore are not among them); none from a
    backup folder that leads out of the database's folder."""
    folder = backup_dir(db)
    if not folder.is_dir() or not resolves_inside(Path(db).parent, folder):
        return []
    found = []
    for p in folder.glob("backup-*.db"):
        parts = p.stem.split("-")  # backup-YYYYmmdd-HHMMSS[-n]: the n-th of the same second
        try:
            created = time.mktime(time.strptime(f"{parts[1]}-{parts[2]}", STAMP))
            n = int(parts[3]) if len(parts) > 3 else 1
        except (ValueError, IndexError):
            continue
        found.append((created, n, Backup(p, created)))
    return [b for _, _, b in sorted(found, key=lambda t: t[:2], reverse=True)]


def _changed_since(db: Path, when: float) -> bool:
    mtimes = [p.stat().st_mtime for p in (db, Path(f"{db}-wal")) if p.exists()]
    return max(mtimes, default=0.0) > when


def backup_on_open(conn: sqlite3.Connection, db: Path, now: float | None = None) -> Backup | None:
    """Back up ``db`` (checked and open on ``conn``) unless the newest backup is recent or nothing changed."""
    now = time.time() if now is None else now
    backups = list_backups(db)
    if backups and (now - backups[0].created < MIN_AGE_ON_OPEN or not _changed_since(db, backups[0].created)):
        return None
    return make_backup(conn, db, now)


def make_backup(conn: sqlite3.Connection, db: Path, now: float | None = None) -> Backup | None:
    """Copy the database open on ``conn`` into a new backup file (atomically: a crash leaves no half backup), then
    drop the old ones. Returns None when the copy could not be made (a full disk: the project still works)."""
    now = time.time() if now is None else now
    try:
        folder = _own_backup_dir(db)
    except OSError:
        return None
    stamp = time.strftime(STAMP, time.localtime(now))
    same_second = [p.stem.split("-") for p in folder.glob(f"backup-{stamp}*.db")]
    n = max((int(parts[3]) if len(parts) > 3 and parts[3].isdigit() else 1 for parts in same_second), default=0)
    target = folder / (f"backup-{stamp}.db" if n == 0 else f"backup-{stamp}-{n + 1}.db")
    tmp = folder / f".{target.name}.tmp"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob(".backup-*.tmp"):  # left by a crash during an earlier backup
            stale.unlink(missing_ok=True)
        dst = sqlite3.connect(str(tmp))
        try:
            conn.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            ok = dst.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        finally:
            dst.close()
        if not ok:
            tmp.unlink(missing_ok=True)
            return None
        replace_durably(tmp, target)
    except (OSError, sqlite3.Error):
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        return None
    prune(db)
    return Backup(target, now)


def prune(db: Path) -> list[Path]:
    """Delete backups beyond the newest :data:`KEEP_RECENT` and the newest of each of :data:`KEEP_DAYS` days."""
    backups = list_backups(db)
    keep = {b.path for b in backups[:KEEP_RECENT]}
    days: dict[str, Path] = {}
    for b in backups:
        days.setdefault(b.when[:10], b.path)
    keep.update(list(days.values())[:KEEP_DAYS])
    dropped = [b.path for b in backups if b.path not in keep]
    for p in dropped:
        with contextlib.suppress(OSError):
            p.unlink()
    return dropped


def counts(path: Path) -> dict[str, int] | None:
    """Images, boxes and masks in a backup (None when it cannot be read)."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("images", "boxes", "masks")}
        finally:
            conn.close()
    except sqlite3.Error:
        return None


def find_backup(db: Path, which: str) -> Backup:
    """A backup by its number in :func:`list_backups` (1 = newest) or its file name."""
    backups = list_backups(db)
    if which.isdigit() and 1 <= int(which) <= len(backups):
        return backups[int(which) - 1]
    for b in backups:
        if which in (b.name, b.path.stem, str(b.path)):
            return b
    raise RestoreError(f"no backup {which!r} of {db} ({len(backups)} backup(s); `restore` without a name lists them)")


def in_use(db: Path) -> bool:
    """Whether another process has the (WAL mode) database open: each connection holds a read lock on the
    "dead man switch" byte of its shared-memory file (SQLite's unix VFS: byte 128 of ``-shm``). Nothing is written.
    Call it from a process with no connection to ``db`` (closing the file drops this process's own locks)."""
    if fcntl is None:
        return False
    try:
        fd = os.open(f"{db}-shm", os.O_RDWR)
    except OSError:
        return False  # no shared memory: no connection in WAL mode
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, 128, os.SEEK_SET)
    except OSError:
        return True
    else:
        fcntl.lockf(fd, fcntl.LOCK_UN, 1, 128, os.SEEK_SET)
        return False
    finally:
        os.close(fd)


def restore(db: Path, backup: Backup) -> Path:
    """Replace ``db`` with ``backup``; the current database (with its write-ahead log) is first copied aside into
    the backup folder, whatever its state. Returns where it was saved."""
    db = Path(db)
    src = sqlite3.connect(f"file:{backup.path}?mode=ro", uri=True)
    try:
        ok = src.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    except sqlite3.DatabaseError:
        ok = False
    finally:
        src.close()
    if not ok:
        raise RestoreError(f"{backup.path}: this backup is damaged; choose another one")
    if in_use(db):
        raise RestoreError(f"{db} is open in another program (the app, or a command still running): close it "
                           "first, then restore")
    try:
        folder = _own_backup_dir(db)
    except OSError as exc:
        raise RestoreError(f"{backup_dir(db)}: {exc}; nothing was restored") from exc
    folder.mkdir(parents=True, exist_ok=True)
    aside = folder / f"before-restore-{time.strftime(STAMP)}.db"
    n = 2
    while aside.exists():
        aside = folder / f"before-restore-{time.strftime(STAMP)}-{n}.db"
        n += 1
    if db.exists():
        shutil.copyfile(db, aside)
        fsync_file(aside)
        for suffix in ("-wal",):
            side = Path(f"{db}{suffix}")
            if side.exists():
                shutil.copyfile(side, f"{aside}{suffix}")
                fsync_file(Path(f"{aside}{suffix}"))
        fsync_dir(folder)
    tmp = db.parent / f".{db.name}.restore.tmp"
    shutil.copyfile(backup.path, tmp)
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    replace_durably(tmp, db)
    forget(db)
    return aside
