"""Command line: the project's own safety commands (``restore``, ``relocate``) and the plain messages every command
gives for a busy database, a full disk or a damaged file."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path

from .core.confine import refusal_summary
from .core.store import backups, db_errors
from .core.store.db_errors import MESSAGE as DISK_FULL
from .core.store.db_errors import disk_full
from .core.store.relocate import relocate
from .core.store.store import Store, StoreError

EXIT_OK, EXIT_ERROR = 0, 1


def add_parsers(sub, add_project) -> None:
    p = sub.add_parser("restore", help="list the project's rolling database backups, or restore one")
    add_project(p)
    p.add_argument("backup", nargs="?", help="the backup to restore: its number in the list (1 = newest) or its "
                                             "file name; the current database is first saved aside")
    p = sub.add_parser("relocate", help="point a --db project at its image folder after the images moved")
    add_project(p)
    p.add_argument("--to", type=Path, required=True, metavar="FOLDER", help="the image folder's new place")
    p.add_argument("--force", action="store_true", help="even if none of the project's images are there")


def _db_of(args: argparse.Namespace) -> Path:
    db = Store.find_db(args.project, args.db)
    if db is None:
        raise StoreError(f"{args.project}: no project database here"
                         + (f" ({args.db} does not exist)" if args.db else ""))
    return db.resolve()


def cmd_restore(args: argparse.Namespace) -> int:
    db = _db_of(args)
    found = backups.list_backups(db)
    if not args.backup:
        if not found:
            print(f"no backups of {db} yet (one is taken when the project is opened, and every "
                  f"{backups.INTERVAL / 60:.0f} minutes of editing)")
            return EXIT_OK
        print(f"backups of {db} (in {backups.backup_dir(db)}), newest first:")
        for n, b in enumerate(found, 1):
            c = backups.counts(b.path)
            what = f"{c['images']} images, {c['boxes']} boxes, {c['masks']} masks" if c else "unreadable"
            print(f"  {n}  {b.when}  {b.name}  {b.path.stat().st_size / 1e6:.1f} MB  {what}")
        print(f"restore one with: labelstudio-desktop restore {args.project}"
              + (f" --db {args.db}" if args.db else "") + " N")
        return EXIT_OK
    try:
        chosen = backups.find_backup(db, args.backup)
        aside = backups.restore(db, chosen)
    except backups.RestoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    print(f"restored {chosen.name} ({chosen.when}) into {db}; the database as it was is kept in {aside}")
    return EXIT_OK


def cmd_relocate(args: argparse.Namespace) -> int:
    db = _db_of(args)
    with Store.open(db) as store:
        try:
            with store.transaction() as conn:
                found, total = relocate(conn, store.db_path, args.to, force=args.force)
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_ERROR
    print(f"the project now reads its images from {Path(args.to).resolve()} ({found} of {total} found there)")
    return EXIT_OK


COMMANDS = {"restore": cmd_restore, "relocate": cmd_relocate}


class RefusalReport:
    """While a command runs, one line on stderr for each project it opens whose records were refused (records that
    lead outside the project: :mod:`.core.confine`), so a crafted project is visible whatever the command; and one
    for each value of its database that could not be used (:meth:`note`)."""

    def __init__(self, stream=None):
        self.stream = stream
        self.seen: set[Path] = set()

    def __call__(self, store: Store) -> None:
        if store.db_path in self.seen:
            return
        self.seen.add(store.db_path)
        (self.stream or sys.stderr).write(f"warning: {store.db_path}: {refusal_summary(store.refusals)}\n")

    def note(self, store: Store, text: str) -> None:
        """A value of the project's database that could not be used (:attr:`.core.store.Store.notes`)."""
        (self.stream or sys.stderr).write(f"warning: {store.db_path}: {text}\n")


def refusal_lines(refused: list[dict]) -> list[str]:
    """``info``'s lines for the refused records (none when there are none)."""
    if not refused:
        return []
    return [f"refused   {len(refused)} record(s) that point outside the project folder, not used:"] + [
        f"  {r['record']}: {r['path']}: {r['reason']}" for r in refused]


def plain_error(exc: BaseException) -> str | None:
    """The one-line message for a database or disk failure that reached the command line (None: not one)."""
    text = str(exc)
    if disk_full(exc):  # by the error codes (ENOSPC, SQLITE_FULL: core/store/db_errors.py), as every kind here
        where = f"{exc.filename}: " if isinstance(exc, OSError) and exc.filename else ""
        return f"{where}{DISK_FULL} (what was already saved is kept; the unfinished step was not saved)"
    if isinstance(exc, sqlite3.Error):
        code = db_errors.sqlite_code(exc)
        if code in (db_errors.SQLITE_BUSY, db_errors.SQLITE_LOCKED):
            return ("the project database is busy: another program (the app, or another command) is writing to it "
                    "and did not finish in time; nothing was changed by this step: run the command again")
        if code == db_errors.SQLITE_READONLY:
            return "the project database is read-only here: copy the project somewhere writable to change it"
        if code in (db_errors.SQLITE_CORRUPT, db_errors.SQLITE_NOTADB):
            return (f"the project database is damaged ({text}): `labelstudio-desktop restore PROJECT` lists its "
                    "backups and restores one")
        return f"the project database failed: {text}"
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror or text}"
    return None
