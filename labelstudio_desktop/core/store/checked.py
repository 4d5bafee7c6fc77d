"""The databases this process has already found sound, so that reopening one does not read the whole file again; a
restore (:mod:`.backups`) forgets the file it replaced, and opening it (:mod:`.integrity`) checks it again."""

from __future__ import annotations

from pathlib import Path

#: Databases already checked by this process, as (path, inode, size, mtime) of the file when it passed: the app and
#: its workers reopen the same file many times, and a check per reopen would read the whole file each time. A file
#: changed on disk since (its size or time) is checked again.
CHECKED: set[tuple[str, int, int, int]] = set()


def forget(db: Path) -> None:
    """Check ``db`` again on its next opening (it was replaced, by a restore)."""
    for key in [k for k in CHECKED if k[0] == str(db)]:
        CHECKED.discard(key)
