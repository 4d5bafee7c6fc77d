"""Paths kept relative to the project, so a project can be moved or copied.

Image paths are relative to the image root. The image root of a project whose database is in the default place
(``<root>/.labelstudio/project.db``) is stored as ``..``: relative to the database's folder, so moving or copying
the folder moves the project (a copy reads its own images). A ``--db`` database elsewhere keeps the absolute image
root it was created with (the images may sit on a read-only disk); :func:`relocate` re-points it. Model files
are stored relative to the database's folder. Whatever root a database records, the folder the user opened is the
one its paths are confined to (:func:`image_root`, :mod:`.confine`).
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path, PurePosixPath

from ..confine import check_inside, lexical_problem
from ..validate import Invalid
from .db_values import loaded

DB_DIRNAME = ".labelstudio"
DB_FILENAME = "project.db"
RELATIVE_ROOT = ".."
#: Folders the program writes in the project's own folder (the database's folder), besides its backups.
MODELS_DIRNAME = "models"
QUARANTINE_DIRNAME = "quarantine"
THUMBNAILS_DIRNAME = "thumbnails"
OWN_FOLDERS = (MODELS_DIRNAME, QUARANTINE_DIRNAME, THUMBNAILS_DIRNAME)


def is_default_place(db: Path) -> bool:
    return db.name == DB_FILENAME and db.parent.name == DB_DIRNAME


def root_setting(root: Path, db: Path) -> str:
    """How the image root of a project is stored: ``..`` for a database in its default place, else absolute."""
    if is_default_place(db) and db.parent.parent.resolve() == Path(root).resolve():
        return RELATIVE_ROOT
    return str(Path(root).resolve())


def resolve_root(stored: str, db: Path) -> Path:
    """The image root a stored value names, for the database at ``db``."""
    p = Path(stored)
    return p if p.is_absolute() else (db.parent / p).resolve()


def _too_wide(folder: Path) -> bool:
    """A file-system root, the home folder or a folder holding it: never an image folder, always a way out."""
    home = Path.home().resolve()
    return folder.parent == folder or folder == home or folder in home.parents


def image_root(db: Path, stored: object, folder: Path | None) -> tuple[Path, str | None]:
    """The image folder of the project whose database is ``db`` (as the user named it) and which the database
    records as ``stored``: the folder every path of the project is confined to (:mod:`.confine`). Returns it, with
    why the recorded value was refused (None when it was not).

    It is the folder the user chose, never a wider one the database names: for a database in its default place,
    the folder holding ``.labelstudio``; for a ``--db`` database opened with an image folder, that folder; a
    ``--db`` database opened by itself names its own image folder, unless that is a file-system root or the home
    folder (or holds it): then the database's own folder stands in, and the recorded value is refused."""
    if is_default_place(db):
        here = db.parent.parent.resolve()
        ok = stored in (None, RELATIVE_ROOT) or (isinstance(stored, str) and resolve_root(stored, db) == here)
        return here, None if ok else f"the recorded image folder is not this project's folder ({here}): not used"
    recorded = resolve_root(stored, db).resolve() if isinstance(stored, str) and stored else None
    if recorded is None and folder is None:
        return db.resolve().parent, "the recorded image folder is not a folder's path: not used"
    if folder is not None:
        chosen = folder.resolve()
        ok = recorded is None or recorded == chosen
        return chosen, None if ok else f"the recorded image folder is not the folder opened ({chosen}): not used"
    if _too_wide(recorded):
        return db.resolve().parent, ("the recorded image folder is a file-system root or holds the home folder: "
                                     "not used (open the project with its image folder, or relocate it)")
    return recorded, None


def to_stored(path: str | Path, db: Path) -> str:
    """A file path as stored: relative (POSIX) to the database's folder when inside it, else absolute."""
    p = Path(path)
    try:
        return PurePosixPath(*p.resolve().relative_to(db.parent.resolve()).parts).as_posix()
    except ValueError:
        return str(p)


def from_stored(stored: str | None, db: Path) -> str | None:
    """The absolute path of a stored file path."""
    if not stored:
        return stored
    p = Path(stored)
    return str(p if p.is_absolute() else db.parent / p)


def own_file(stored: str, db: Path) -> Path:
    """The absolute path of a file the project keeps in its own folder (a model, a quarantined image) as stored,
    after checking that it resolves inside the database's folder; raises :class:`.confine.OutsideProject`."""
    return check_inside(db.parent, from_stored(stored, db) or "", "outside the project's own folder: not used")


def _main_file(conn: sqlite3.Connection) -> Path | None:
    for row in conn.execute("PRAGMA database_list"):
        if row[1] == "main" and row[2]:
            return Path(row[2])
    return None


def _models_tail(path: Path) -> str | None:
    """``models/run_NNNN/...`` of an absolute model path written by an older version, wherever it was."""
    parts = path.parts
    for i in range(len(parts) - 2, -1, -1):
        if parts[i] == "models" and parts[i + 1].startswith("run_"):
            return PurePosixPath(*parts[i:]).as_posix()
    return None


def migrate_to_relative(conn: sqlite3.Connection) -> None:
    """Schema migration: absolute image roots and model paths of older projects made relative (see the module's
    docstring). A project already moved or copied is recognised by its place: a ``.labelstudio/project.db`` whose
    recorded root is not the folder it is in, but whose images are there (or whose recorded root is gone)."""
    db = _main_file(conn)
    if db is None:  # an in-memory database: nothing to make relative
        return
    row = conn.execute("SELECT value FROM settings WHERE key='root'").fetchone()
    try:
        recorded = loaded(row[0], "the recorded image folder") if row is not None else None
    except Invalid:  # not JSON: left as it is, and refused where the project is opened (:func:`image_root`)
        recorded = None
    if isinstance(recorded, str) and recorded and is_default_place(db):
        stored = Path(recorded)
        here = db.parent.parent
        paths = [r[0] for r in conn.execute("SELECT path FROM images LIMIT 20")]
        if (stored == here or not stored.is_dir() or not paths
                or any((here / p).is_file() for p in paths)):
            conn.execute("UPDATE settings SET value=? WHERE key='root'", (json.dumps(RELATIVE_ROOT),))
    for run_id, model_path in conn.execute("SELECT id, model_path FROM runs WHERE model_path IS NOT NULL").fetchall():
        p = Path(model_path)
        if not p.is_absolute():
            continue
        new = to_stored(p, db)
        if Path(new).is_absolute():  # recorded elsewhere: where the project was before it moved
            tail = _models_tail(p)
            if tail is not None and ((db.parent / tail).is_file() or not p.is_file()):
                new = tail
        if new != model_path:
            conn.execute("UPDATE runs SET model_path=? WHERE id=?", (new, run_id))


def relocate(conn: sqlite3.Connection, db: Path, new_root: Path, force: bool = False) -> tuple[int, int]:
    """Point the project at its images in ``new_root``; refused (unless ``force``) when none of its images are
    there. Returns (images found there, images in the project)."""
    new_root = Path(new_root).resolve()
    if not new_root.is_dir():
        raise ValueError(f"{new_root}: not a folder")
    if is_default_place(db):
        raise ValueError(f"{db}: this project keeps its database in its image folder ({db.parent.parent}), so it "
                         "moves with its images: open it there; relocate is for a --db database kept elsewhere")
    paths = [r[0] for r in conn.execute("SELECT path FROM images WHERE missing=0") if lexical_problem(r[0]) is None]
    found = sum(1 for p in paths if os.path.isfile(new_root / p))
    if paths and not found and not force:
        raise ValueError(f"{new_root}: none of the project's {len(paths)} images are there (e.g. {paths[0]}); "
                         "check the folder, or use --force to point there anyway")
    conn.execute("INSERT INTO settings(key, value) VALUES('root', ?) "
                 "ON CONFLICT(key) DO UPDATE SET value=excluded.value", (json.dumps(root_setting(new_root, db)),))
    return found, len(paths)
