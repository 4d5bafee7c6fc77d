"""Moving the user's image files with a journal, so a crash part-way leaves every file where the store says it is.

The planned moves are committed to the ``file_moves`` table before the first file moves; the transaction that
records the result (images marked missing, or back) deletes them. Rows found there when a project is opened belong
to a move that was interrupted (a kill, a crash, a power loss): :func:`recover` puts every file back in its place in
the image folder and marks its image present, which undoes an interrupted quarantine and completes an interrupted
undo of one.

The journal is part of the database, so it is data from someone else like the rest (:mod:`.confine`): a row is
acted on only when both its ends are confined (its image's own path in the image folder, its destination in the
project's own folder, neither through a link leading out) and the file to move back is the image's, by its recorded
size and (when the fingerprints recorded it) its bytes. A row that fails is refused: reported, left as it is.
Recovery never deletes a file: a copy left by a move across disks is kept beside the original, and said so.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..confine import OutsideProject, Refusal, check_inside
from ..durability import fsync_dir
from ..validate import Invalid, whole
from .db_values import process_alive
from .relocate import own_file, to_stored

OWNER = "file_moves_owner"


@dataclass
class Move:
    """A journal row whose both ends passed the confinement rule."""

    row: int
    image_id: int
    rel: str  # the image's path in the image folder
    src: Path  # where the image belongs
    dst: Path  # where it was moved to
    size: int  # the image's recorded size in bytes


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
    for m in checked_rows(store)[0]:
        folders.update({m.src.parent, m.dst.parent})
    for folder in folders:
        fsync_dir(folder)
    with store.transaction() as c:
        record()
        c.execute("DELETE FROM file_moves")


def _owner_alive(owner: dict) -> bool:
    """Whether the process that journaled the moves may still be moving (this process included)."""
    if not isinstance(owner, dict):
        return False
    if owner.get("host") not in (None, socket.gethostname()):
        return True  # another machine's process: cannot tell, leave its moves alone
    try:
        return process_alive(owner.get("pid"))
    except Invalid:  # no process id recorded: no process of it can be moving
        return False


def _ends(store, image_id: object, rel: object, stored_dst: object) -> tuple[Path, Path, int]:
    """Both ends of a journal row and its image's recorded size, once each passed the rule; raises
    :class:`.confine.OutsideProject` (or ValueError) with the reason otherwise."""
    row = store.conn.execute("SELECT path, size FROM images WHERE id=?", (image_id,)).fetchone() \
        if isinstance(image_id, int) else None
    if row is None:
        raise ValueError("its image is not in the project: not used")
    if row[0] != rel:
        raise ValueError("not its image's path: not used")
    if image_id in store.refused_images:
        raise ValueError("its image's path is refused: not used")
    src = store.abs_path(rel)
    check_inside(store.root, src)
    if not isinstance(stored_dst, str) or not stored_dst:
        raise ValueError("no destination recorded: not used")
    dst = own_file(stored_dst, store.db_path)
    if dst.is_symlink():
        raise OutsideProject(stored_dst, "a link, not the moved file: not used")
    return src, dst, whole(row[1], "its image's recorded size", 0, 2 ** 63 - 1)


def checked_rows(store) -> tuple[list[Move], list[Refusal]]:
    """The journal's rows that passed the rule, and a refusal for each other one."""
    moves, refused = [], []
    for row_id, image_id, rel, stored_dst in store.conn.execute(
            "SELECT id, image_id, src, dst FROM file_moves ORDER BY id").fetchall():
        try:
            src, dst, size = _ends(store, image_id, rel, stored_dst)
        except (OSError, ValueError) as exc:
            refused.append(Refusal(f"file move {row_id}", f"{rel} <- {stored_dst}", str(exc)))
            continue
        moves.append(Move(row_id, image_id, rel, src, dst, size))
    return moves, refused


def move(src: Path, dst: Path) -> None:
    """Move one file, never over another one."""
    if os.path.lexists(dst):
        raise FileExistsError(f"{dst} exists; {src} was not moved")
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(src), str(dst))


def _mismatch(store, m: Move) -> str | None:
    """Why the file at ``m.dst`` is not the image's own file (its recorded size, its recorded SHA-256 when the
    fingerprints recorded one for that size), or None."""
    size = m.dst.stat().st_size
    if size != m.size:
        return f"the file there has {size} bytes, the image {m.size}: not moved"
    known = store.conn.execute("SELECT value FROM hashes WHERE image_id=? AND algo='sha256' AND size=?",
                               (m.image_id, m.size)).fetchone()
    if known is not None:
        digest = hashlib.sha256()
        with open(m.dst, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                digest.update(chunk)
        if digest.digest() != bytes(known[0]):
            return "the file there is not the image's (another SHA-256): not moved"
    return None


def recover(store) -> tuple[list[str], list[Refusal]]:
    """Put back the files of an interrupted move (see the module's docstring). Returns what was done, per file,
    and the rows whose file is not the image's (refused here; the rows :func:`checked_rows` refuses are counted
    when the project opens). Refused rows stay in the journal, untouched."""
    has_rows = store.conn.execute("SELECT 1 FROM file_moves LIMIT 1").fetchone()
    if not has_rows or _owner_alive(store.get_setting(OWNER) or {}):
        return [], []
    moves = checked_rows(store)[0]
    notes, present, done, refused = [], [], [], []
    for m in moves:
        if os.path.lexists(m.src):
            if m.dst.is_file():  # a copy left by a move across disks, a half copy, or a file put in the image's place
                notes.append(f"{m.rel}: both are kept, the file in the image folder and {m.dst} (nothing is deleted)")
            present.append(m.image_id)
        elif m.dst.is_file():
            why = _mismatch(store, m)
            if why is not None:
                refused.append(Refusal(f"file move {m.row}", f"{m.rel} <- {m.dst}", why))
                continue
            move(m.dst, m.src)
            notes.append(f"{m.rel}: moved back from {m.dst.parent}")
            present.append(m.image_id)
        else:
            notes.append(f"{m.rel}: neither in the image folder nor in {m.dst.parent}")
        done.append(m.row)
    for folder in {m.src.parent for m in moves}:
        fsync_dir(folder)
    with store.transaction() as c:
        c.executemany("UPDATE images SET missing=0 WHERE id=?", [(i,) for i in present])
        c.executemany("DELETE FROM file_moves WHERE id=?", [(r,) for r in done])
    return notes, refused
