"""The project store: one SQLite database per project, the single source of truth.

Every edit is one transaction, committed at once (WAL mode, ``synchronous=FULL``), so neither a crash nor a power loss
loses an edit that was committed (:mod:`.durability`). Opening checks the database first (:mod:`.integrity`), refuses
the records that lead outside the project (:mod:`.confine`, :mod:`.refusals`), puts back the files of an interrupted
quarantine (:mod:`.file_moves`) and takes a rolling backup (:mod:`.backups`).
Image paths are stored relative to the project's image root, with forward slashes; the image root is the folder the
user opened (:func:`.relocate.image_root`), never a wider one the database names.
Box coordinates are 0-based pixel edges ``[x0, x1) x [y0, y1)`` in the EXIF-corrected image.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..confine import OutsideProject, Refusal, hold_root, lexical_problem, release_root
from ..durability import SYNCHRONOUS
from ..validate import Invalid, shown
from . import backups, counts, integrity
from .annotation_rows import AnnotationRows
from .bulk_images import INSERT_IMAGE, image_row
from .db_errors import MESSAGE as DISK_FULL
from .db_errors import DiskFull, StoreError, disk_full  # noqa: F401 - the store's errors, imported from here
from .db_values import lenient_text, loaded
from .migrations import SCHEMA_VERSION, migrate
from .records import (  # noqa: F401 - the records are the store's, and imported from here
    BOX_COLUMNS,
    BOX_SOURCES,
    BOX_STATES,
    IMAGE_COLUMNS,
    IMAGE_LABELS,
    MASK_COLUMNS,
    NAMED,
    SPLITS,
    STATUSES,
    BoxRecord,
    ImageRecord,
    box_from_row,
    image_from_row,
)
from .refusals import LayoutError, LinksOut, check_layout, confine_store, link_refusals
from .relocate import DB_DIRNAME, DB_FILENAME, RELATIVE_ROOT, is_default_place, root_setting

#: Seconds a command waits for another program's transaction (the app's edit, an import's batch) to finish.
BUSY_TIMEOUT = float(os.environ.get("LABELSTUDIO_BUSY_TIMEOUT", "10"))

#: Called with each store whose opening refused records (:mod:`.confine`): the command line prints a line.
REFUSAL_LISTENERS: list[Callable[[Store], None]] = []

#: Called with a store and a note on a value of its database that could not be used (:attr:`Store.notes`), once
#: each: the command line prints a line.
NOTE_LISTENERS: list[Callable[[Store, str], None]] = []

#: Image columns that edits may change (through :class:`SetImageFields`).
EDITABLE_IMAGE_FIELDS = ("label", "value", "split", "status", "excluded")


def _failure(db: Path, exc: BaseException, what: str) -> StoreError:
    """The error for a database that failed to open or be created: the full disk said as such (by its error codes,
    :func:`.db_errors.disk_full`), anything else as ``what`` with SQLite's words."""
    if disk_full(exc, db.parent):
        return DiskFull(f"{db}: {DISK_FULL}; nothing was changed")
    return StoreError(f"{db}: {what} ({exc})")


def default_db_path(root: str | Path) -> Path:
    """Where a project's database lives when no ``--db`` is given."""
    return Path(root) / DB_DIRNAME / DB_FILENAME


class Store(AnnotationRows):
    """A project's SQLite database. Open with :meth:`open` or :meth:`create`."""

    def __init__(self, conn: sqlite3.Connection, db_path: Path, root: Path, readonly: bool = False):
        self.conn = conn
        self.db_path = db_path
        self.root = root
        self.readonly = readonly  # opened read-only: the database cannot be written (info, export)
        self.recovered: list[str] = []  # files put back after an interrupted quarantine (core/store/file_moves.py)
        self.refusals: list[Refusal] = []  # records that lead outside the project, left alone (core/confine.py)
        self.refused_images: set[int] = set()  # ids of the refused image records: never listed, never read
        self.notes: list[str] = []  # values of the database that could not be used, and what was used instead
        self._held_root: Path | None = None
        self._next_backup = time.monotonic() + backups.INTERVAL

    # ----------------------------------------------------------------- opening
    @classmethod
    def create(cls, root: str | Path, db_path: str | Path | None = None) -> Store:
        """Open the project of image folder ``root``, creating its database if needed."""
        root = Path(root).resolve()
        if not root.is_dir():
            raise StoreError(f"{root}: not a folder")
        named = Path(db_path).absolute() if db_path else default_db_path(root)
        _check_layout(named)
        db = named.resolve()
        try:
            db.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            if disk_full(exc):
                raise DiskFull(f"{db.parent}: {DISK_FULL}") from exc
            raise StoreError(
                f"{db.parent}: cannot create the project folder ({exc.strerror}); "
                "use --db PATH to keep the database elsewhere"
            ) from exc
        existed = db.is_file()
        if not existed:
            try:
                with integrity.project_lock(db, BUSY_TIMEOUT):  # two first imports of a folder: one creates it
                    existed = db.is_file()  # created by the other while this one waited
                    if not existed:
                        integrity.create_new(db, root_setting(root, db))
            except integrity.ProjectBusy as exc:
                raise StoreError(str(exc)) from exc
            except (OSError, sqlite3.Error) as exc:
                raise _failure(db, exc, "cannot create the project database") from exc
        store = cls._connect(db, root)
        stored_root = store.get_setting("root")
        if stored_root is None:
            store.set_setting("root", root_setting(root, db))
        store._confine(named, stored_root, root)
        if existed:
            store._opened()
        store._tell_refusals()
        return store

    @classmethod
    def open(cls, project: str | Path, db_path: str | Path | None = None, readonly: bool = False,
             checks_later: bool = False) -> Store:
        """Open an existing project given its image folder, its ``.db`` file, or ``db_path``. A damaged database
        is refused (:mod:`.integrity`). With ``readonly`` (reading is all the caller does), a database that cannot
        be written opens read-only; without it, such a database is refused with a plain message. With
        ``checks_later`` (the app, which paints its first screen at once), the two checks whose time grows with the
        images are the caller's to run (:func:`.opening_checks.later_opening_checks`, in the background): the
        listing of every image folder for links leading out, and the backup on opening."""
        project = Path(project)
        if db_path:
            db = Path(db_path)
        elif project.suffix == ".db" and project.is_file():
            db = project
        else:
            db = default_db_path(project)
        if not db.is_file():
            raise StoreError(f"{project}: no project here (expected {db}); run 'labelstudio-desktop import' first")
        named = db.absolute()
        _check_layout(named)
        db = db.resolve()
        cant_write = not integrity.writable(db)
        if cant_write and not readonly:
            raise StoreError(f"{db}: the project database is read-only here (no permission to write it or its "
                             "folder, or a read-only disk): `info` and `export` can read it; to edit the project, "
                             "copy its folder somewhere writable")
        try:
            store = cls._connect(db, None, readonly=cant_write)
        except DiskFull as full:
            if not readonly or cant_write:
                raise
            try:  # reading is all that is asked, and reading needs no space
                store, cant_write = cls._connect(db, None, readonly=True), True
            except StoreError:
                raise full from None
            store._note(f"{DISK_FULL}: opened read-only")
        stored_root = store.get_setting("root")
        if stored_root is None and is_default_place(db):  # created, then killed before its root was recorded
            stored_root = RELATIVE_ROOT
        if stored_root is None:
            store.close()
            raise StoreError(f"{db}: not a labelstudio-desktop project (no image root recorded)")
        store._confine(named, stored_root, project if project.is_dir() and project.suffix != ".db" else None,
                       links=not checks_later)
        if not cant_write:
            store._opened(backup=not checks_later)
        store._tell_refusals()
        return store

    def _confine(self, named: Path, stored_root: Any, folder: Path | None, links: bool = True) -> None:
        """Set the image root and the refused records (:func:`.refusals.confine_store`); while this store is open,
        no file under its image root is read through a link leading out of it (:func:`.confine.open_root_of`)."""
        confine_store(self, named, stored_root, folder, links)
        hold_root(self.root)
        self._held_root = self.root

    def _opened(self, backup: bool = True) -> None:
        """On opening a writable project: put back the files of an interrupted quarantine, take a backup."""
        from .file_moves import recover

        self.recovered, refused = recover(self)
        self.refusals += refused
        if backup:
            backups.backup_on_open(self.conn, self.db_path)

    def refuse_links(self, links: LinksOut) -> list[Refusal]:
        """Refuse the image records that lead out through the links found after opening with ``checks_later``
        (:func:`.opening_checks.later_opening_checks`); returns the refusals that are new, told to the listeners."""
        found = {i: r for i, r in link_refusals(self.conn, links).items() if i not in self.refused_images}
        self.refused_images.update(found)
        self.refusals += found.values()
        if found:
            self._tell_refusals()
        return list(found.values())

    def _tell_refusals(self) -> None:
        if self.refusals:
            for listener in REFUSAL_LISTENERS:
                listener(self)

    @staticmethod
    def find_db(project: str | Path, db_path: str | Path | None = None) -> Path | None:
        """The database file of ``project`` if it exists."""
        if db_path:
            return Path(db_path) if Path(db_path).is_file() else None
        p = Path(project)
        if p.suffix == ".db" and p.is_file():
            return p
        db = default_db_path(p)
        return db if db.is_file() else None

    @classmethod
    def _connect(cls, db: Path, root: Path | None, readonly: bool = False) -> Store:
        try:
            integrity.refuse_empty(db)
            integrity.check(db, BUSY_TIMEOUT)
            conn = integrity.connect_readonly(db, BUSY_TIMEOUT) if readonly else \
                sqlite3.connect(str(db), timeout=BUSY_TIMEOUT, isolation_level=None)
        except integrity.DamagedDatabase as exc:
            raise StoreError(str(exc)) from exc
        except sqlite3.Error as exc:
            raise _failure(db, exc, "cannot open the database") from exc
        conn.row_factory = sqlite3.Row
        conn.text_factory = lenient_text
        try:
            conn.execute("PRAGMA foreign_keys=ON")
            if readonly:
                version = int(conn.execute("PRAGMA user_version").fetchone()[0])
                if version != SCHEMA_VERSION:
                    which = "a newer" if version > SCHEMA_VERSION else "an older"
                    raise StoreError(f"{db}: read-only, and written by {which} version of labelstudio-desktop: "
                                     "copy the project somewhere writable to open it")
            else:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute(f"PRAGMA synchronous={SYNCHRONOUS}")
                conn.execute("PRAGMA fullfsync=ON")  # macOS: flush the drive's cache too (a no-op elsewhere)
                migrate(conn)
        except StoreError:
            conn.close()
            raise
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise _failure(db, exc, "not a usable project database") from exc
        return cls(conn, db, root or db.parent, readonly)

    def close(self) -> None:
        self.conn.close()
        if self._held_root is not None:
            release_root(self._held_root)
            self._held_root = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    # ------------------------------------------------------------- transactions
    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic, committed unit of work (nested calls join the outer one)."""
        if self.conn.in_transaction:
            yield self.conn
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.rollback()
            raise
        try:
            self.conn.execute("COMMIT")
        except sqlite3.Error:  # e.g. the disk filled up at commit: nothing of this unit stays
            self.rollback()
            raise
        if time.monotonic() >= self._next_backup:  # every backups.INTERVAL of editing
            self.backup()

    def backup(self) -> backups.Backup | None:
        """Take a rolling backup now (:mod:`.backups`); None when it could not be written."""
        self._next_backup = time.monotonic() + backups.INTERVAL
        return backups.make_backup(self.conn, self.db_path)

    def rollback(self) -> None:
        """Roll back the open transaction, if any (SQLite itself rolls back on some errors, such as a full
        disk); never hides the error that led here."""
        if self.conn.in_transaction:
            try:
                self.conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass

    # ----------------------------------------------------------------- settings
    def get_setting(self, key: str, default: Any = None) -> Any:
        """A setting's value; ``default`` when there is none, or (with a note in :attr:`notes`) when the database
        holds something that is not JSON, or not of the kind of a ``default`` given (a list, a dict...)."""
        row = self.conn.execute("SELECT value FROM settings WHERE key=?", (key,)).fetchone()
        if row is None:
            return default
        what = f"the setting {key!r} in the database"
        try:
            value = loaded(row[0], what)
        except Invalid as exc:
            self._note(f"{exc}: ignored")
            return default
        if default is not None and not isinstance(value, type(default)):
            self._note(f"{what}: not a {type(default).__name__} ({shown(value)}): ignored")
            return default
        return value

    def get_names(self, key: str) -> list[str]:
        """A setting that holds an ordered list of names (an order of classes): its texts, anything else in it left
        out with a note."""
        value = self.get_setting(key, [])
        names = [n for n in value if isinstance(n, str)]
        if len(names) != len(value):
            self._note(f"the setting {key!r} in the database: {len(value) - len(names)} value(s) that are not "
                       "names: ignored")
        return names

    def _note(self, note: str) -> None:
        if note not in self.notes:
            self.notes.append(note)
            for listener in NOTE_LISTENERS:
                listener(self, note)

    def set_setting(self, key: str, value: Any) -> None:
        with self.transaction() as c:
            c.execute(
                "INSERT INTO settings(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                (key, json.dumps(value)),
            )

    # ------------------------------------------------------------------- images
    def abs_path(self, image: ImageRecord | str) -> Path:
        """Where an image's file is: its stored path under the image root. Raises :class:`.confine.OutsideProject`
        (an ``OSError``, which every reader reports as an unreadable file) for a path that leads out of the image
        folder by its name (absolute, ``..``); a link leading out is refused where files are read."""
        rel = image.path if isinstance(image, ImageRecord) else image
        problem = lexical_problem(rel)
        if problem is not None:
            raise OutsideProject(rel, problem)
        return self.root / Path(rel)

    def add_image(self, path: str, size: int, mtime: float, width: int, height: int, channels: int,
                  label: str | None = None, value: float | None = None, split: str | None = None,
                  status: str = "unverified", warnings: list[str] | None = None) -> int:
        with self.transaction() as c:
            return int(c.execute(INSERT_IMAGE, image_row(path, size, mtime, width, height, channels, label, value,
                                                         split, status, warnings)).lastrowid)

    def refresh_image(self, image_id: int, size: int, mtime: float, width: int, height: int,
                      channels: int, warnings: list[str]) -> None:
        """Record a changed file's new facts; annotations are kept."""
        with self.transaction() as c:
            c.execute(
                "UPDATE images SET size=?, mtime=?, width=?, height=?, channels=?, warnings=?, missing=0 "
                "WHERE id=?",
                (size, mtime, width, height, channels, json.dumps(warnings), image_id),
            )

    def set_missing(self, image_ids: list[int], missing: bool = True) -> None:
        with self.transaction() as c:
            c.executemany("UPDATE images SET missing=? WHERE id=?", [(int(missing), i) for i in image_ids])

    def image(self, image_id: int) -> ImageRecord:
        row = self.conn.execute("SELECT * FROM images WHERE id=?", (image_id,)).fetchone()
        if row is None:
            raise StoreError(f"no image with id {image_id}")
        return image_from_row(row)

    def image_by_path(self, path: str) -> ImageRecord | None:
        row = self.conn.execute("SELECT * FROM images WHERE path=?", (path,)).fetchone()
        return image_from_row(row) if row else None

    def images(self, include_excluded: bool = True, include_missing: bool = True) -> list[ImageRecord]:
        """The project's images, but never a refused one (:attr:`refused_images`). An image whose facts in the
        database cannot be used is read as missing (:func:`.records.image_from_row`)."""
        return list(self.each_image(include_excluded, include_missing))

    def each_image(self, include_excluded: bool = True, include_missing: bool = True) -> Iterator[ImageRecord]:
        """:meth:`images` one at a time, read as they are used (no list of a million records)."""
        sql = "SELECT * FROM images WHERE 1=1"
        if not include_excluded:
            sql += " AND excluded=0"
        if not include_missing:
            sql += " AND missing=0"
        for row in self.conn.execute(sql + " ORDER BY path"):
            if row["id"] not in self.refused_images:
                img = image_from_row(row)
                if include_missing or not img.missing:
                    yield img

    def paths_of(self, ids: Iterable[int]) -> dict[int, str]:
        """The stored path of each of the images ``ids`` (those in the project), by one query: no record of every
        image."""
        listed = json.dumps([int(i) for i in ids])
        return {r[0]: r[1] for r in self.conn.execute(
            "SELECT id, path FROM images WHERE id IN (SELECT value FROM json_each(?))", (listed,))}

    def image_count(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM images").fetchone()[0])

    def image_fields(self, image_id: int, names: tuple[str, ...]) -> dict[str, Any]:
        for name in names:
            if name not in EDITABLE_IMAGE_FIELDS:
                raise StoreError(f"image field {name!r} cannot be edited")
        row = self.conn.execute(f"SELECT {', '.join(names)} FROM images WHERE id=?", (image_id,)).fetchone()
        if row is None:
            raise StoreError(f"no image with id {image_id}")
        return dict(row)

    def update_image_fields(self, image_id: int, values: dict[str, Any]) -> None:
        for name, value in values.items():
            if name not in EDITABLE_IMAGE_FIELDS:
                raise StoreError(f"image field {name!r} cannot be edited")
            if name == "split" and value not in (None, *SPLITS):
                raise StoreError(f"split must be one of {', '.join(SPLITS)} (got {value!r})")
            if name == "status" and value not in STATUSES:
                raise StoreError(f"status must be one of {', '.join(STATUSES)} (got {value!r})")
        if not values:
            return
        assignments = ", ".join(f"{k}=?" for k in values)
        with self.transaction() as c:
            c.execute(f"UPDATE images SET {assignments} WHERE id=?", (*values.values(), image_id))

    def set_image_warnings(self, image_id: int, warnings: list[str]) -> None:
        with self.transaction() as c:
            c.execute("UPDATE images SET warnings=? WHERE id=?", (json.dumps(warnings), image_id))

    def classes(self) -> list[str]:
        """Class labels in use on images and boxes, sorted."""
        rows = self.conn.execute(
            f"{IMAGE_LABELS} SELECT label FROM image_labels WHERE {NAMED} "
            f"UNION SELECT label FROM boxes WHERE {NAMED} ORDER BY 1"
        )
        return [r[0] for r in rows]

    def class_keys(self) -> list[str]:
        """Image classes in a stable order, for the digit keys: the order recorded with the project, classes new
        since then appended alphabetically. A class keeps its place (and key) even while no image has it."""
        current = [r[0] for r in self.conn.execute(
            f"{IMAGE_LABELS} SELECT label FROM image_labels WHERE {NAMED}")]
        order = self.get_names("class_keys")
        new = [c for c in current if c not in order]
        if new:
            order += new
            try:
                self.set_setting("class_keys", order)
            except sqlite3.Error:  # locked or full: the order still holds for now, and is recorded next time
                pass
        return order

    # ------------------------------------------------------------------- counts (core/store/counts.py)
    def review_counts(self) -> dict[str, int]:
        return counts.review_counts(self.conn)

    def box_counts(self) -> dict[str, int]:
        return counts.box_counts(self.conn)

    def mask_counts(self) -> dict[str, int]:
        return counts.mask_counts(self.conn)

    def summary(self) -> dict[str, Any]:
        """Counts for ``info --json``."""
        return {"root": str(self.root), "database": str(self.db_path), "schema_version": self.schema_version,
                **counts.summary(self.conn), "refused": [r.as_dict() for r in self.refusals]}

    # ---------------------------------------------------- import problem log
    def record_import_problems(self, problems: list[tuple[str, str, str]]) -> None:
        """Replace the log of files that could not be imported: (path, severity, reason)."""
        with self.transaction() as c:
            c.execute("DELETE FROM import_problems")
            c.executemany(
                "INSERT INTO import_problems(path, severity, reason, seen_at) VALUES(?,?,?,?)",
                [(p, s, r, time.time()) for p, s, r in problems],
            )

    def import_problems(self) -> list[tuple[str, str, str]]:
        return [tuple(r) for r in self.conn.execute(
            "SELECT path, severity, reason FROM import_problems ORDER BY path")]


def _check_layout(db: Path) -> None:
    try:
        check_layout(db)
    except LayoutError as exc:
        raise StoreError(str(exc)) from exc


def file_facts(path: Path) -> tuple[int, float]:
    """Size in bytes and modification time of ``path``."""
    st = os.stat(path)
    return st.st_size, st.st_mtime
