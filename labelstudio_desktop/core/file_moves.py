"""Moving the user's image files with a journal, so a crash part-way leaves every file where the store says it is.

The planned moves are committed to the ``file_moves`` table before the first file moves; the transaction that
records the result (images marked missing, or back) deletes them. Rows found there when a project is opened belong
to a move that was interrupted (a kill, a crash, a power loss): :func:`recover` puts every file back in its place in
the image folder and marks its image present, which undoes an interrupted quarantine and completes an interrupted
undo of one. A whole copy left by a move across disks (which copies, then deletes) is removed, the original being in
place; a file that differs (a half copy, or a file put in the image's place since) is kept: nothing is deleted that
could be the only copy.
"""

from __future__ import annotations

import filecmp
import json
import os
import shutil
import socket
from collections.abc import Callable
from pathlib import Path

from .durability import fsync_dir
from .relocate import from_stored, to_stored

OWNER = "file_moves_owner"


def journal(store, moves: list[tuple[int, str, Path]]) -> None:
    """Commit the planned moves (image id, image path, destination) before any file moves, with the process that
    moves them (so another process, or another thread of this one, never puts back a move still going on)."""
    with store.transaction() as c:
        c.execute("INSERT INTO settings(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                  (OWNER, json.dumps({"pid": os.getpid(), "host": socket.gethostname()})))
        c.execute("DELETE FROM file_moves")
        c.executemany("INSERT INTO file_moves(image_id, src, dst) VALUES(?,?,?)",
                      [(i, src, to_stored(dst, store.db_path)) for i, src, dst in moves])


def finish(store, record: Callable[[], None]) -> None:
    """Make the moves durable (their folders fsynced), then ``record`` their result and drop the journal in one
    transaction."""
    folders = set()
    for src, dst in pending(store):
        folders.update({src.parent, dst.parent})
    for folder in folders:
        fsync_dir(folder)
    with store.transaction() as c:
        record()
        c.execute("DELETE FROM file_moves")


def _owner_alive(owner: dict) -> bool:
    """Whether the process that journaled the moves may still be moving (this process included)."""
    if owner.get("host") not in (None, socket.gethostname()):
        return True  # another machine's process: cannot tell, leave its moves alone
    pid = owner.get("pid")
    if pid is None:
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def pending(store) -> list[tuple[Path, Path]]:
    return [(store.abs_path(r[0]), Path(from_stored(r[1], store.db_path))) for r in store.conn.execute(
        "SELECT src, dst FROM file_moves ORDER BY id")]


def move(src: Path, dst: Path) -> None:
    """Move one file, never over another one."""
    if os.path.lexists(dst):
        raise FileExistsError(f"{dst} exists; {src} was not moved")
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(src), str(dst))


def recover(store) -> list[str]:
    """Put back the files of an interrupted move (see the module's docstring); returns what was done, per file."""
    rows = store.conn.execute("SELECT image_id, src, dst FROM file_moves ORDER BY id").fetchall()
    if not rows or _owner_alive(store.get_setting(OWNER) or {}):
        return []
    notes, present = [], []
    for image_id, rel, stored_dst in rows:
        src, dst = store.abs_path(rel), Path(from_stored(stored_dst, store.db_path))
        if src.exists():
            if dst.is_file() and filecmp.cmp(src, dst, shallow=False):  # a copy across disks, its source not yet
                dst.unlink()                                              # deleted: the original is whole
                notes.append(f"{rel}: a copy in {dst.parent} removed (the original is in place)")
            elif dst.is_file():  # a half copy, or another file put in the image's place: both are kept
                notes.append(f"{rel}: {dst} differs from the file in the image folder; both are kept")
            present.append(image_id)
        elif dst.is_file():
            move(dst, src)
            notes.append(f"{rel}: moved back from {dst.parent}")
            present.append(image_id)
        else:
            notes.append(f"{rel}: neither in the image folder nor in {dst.parent}")
    for folder in {store.abs_path(r[1]).parent for r in rows}:
        fsync_dir(folder)
    with store.transaction() as c:
        c.executemany("UPDATE images SET missing=0 WHERE id=?", [(i,) for i in present])
        c.execute("DELETE FROM file_moves")
    return notes
