"""What survives a crash and a power loss, and the few calls that make it so.

The guarantee: an edit is *acknowledged* when the store's transaction has committed (the call returned, the app
shows it). An acknowledged edit survives a crash of the program (a kill, a segfault) and a power loss or kernel
panic: the project database runs in WAL mode with ``synchronous=FULL``, so every commit is on the disk (the
write-ahead log fsynced) before it returns. ``NORMAL`` would survive a crash of the program but could roll back
the last edits on a power loss; ``benchmarks/durability.py`` measures what FULL costs per edit.

A file replaced by a rename (an atomic write, a backup, a restore) is durable once the folder holding it is
fsynced too: :func:`fsync_dir` after the rename.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

#: ``PRAGMA synchronous`` of every writable project connection.
SYNCHRONOUS = "FULL"


def fsync_file(path: Path) -> None:
    """Flush a file's bytes to the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    """Flush a folder's entries (a rename or a new file in it) to the disk; a no-op where folders cannot be opened
    (Windows)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):  # some file systems refuse fsync on a folder: nothing more to do there
            os.fsync(fd)
    finally:
        os.close(fd)


def replace_durably(tmp: Path, target: Path) -> None:
    """Rename the fully written ``tmp`` onto ``target`` so that a crash or a power loss leaves one of the two whole:
    the file's bytes flushed first, the folder's entry after."""
    fsync_file(tmp)
    os.replace(tmp, target)
    fsync_dir(Path(target).parent)
