"""What a project holds that the confinement rule (:mod:`.confine`) refuses, checked each time it is opened.

Two kinds of check. The project's layout, before the database is touched: a database in its default place must be
inside the folder opened, and neither the database's side files nor anything in the folders the program writes in
(backups, models, quarantine, thumbnails) may be a link leading out of the project's own folder; such a project is
not opened (:class:`LayoutError`), since opening it would write outside it. Then its records: image paths that lead
outside the image folder (``..``, absolute, through a link), file-move journal rows whose ends are not both confined,
runs whose model file is not in the project's own folder. Those are refused one by one; the rest of the project works.
"""

from __future__ import annotations

from pathlib import Path

from ..confine import LINK, Refusal, lexical_problem, links_leading_out, links_out_under, resolves_inside
from ..jobs import JobToken
from . import file_moves
from .backups import backup_dir
from .relocate import OWN_FOLDERS, image_root, is_default_place, own_file

#: Files SQLite keeps beside a database.
SIDE_FILES = ("-wal", "-shm", "-journal")


class LayoutError(Exception):
    """A project whose own files lead outside it: opening it would write there."""


def check_layout(db: Path) -> None:
    """Raise :class:`LayoutError` when the database ``db`` (as the user named it) or one of the project's own
    folders leads outside the project through a link (see the module's docstring)."""
    if is_default_place(db):
        here = db.parent.parent
        for path in (db.parent, db):
            if not resolves_inside(here, path):
                raise LayoutError(f"{path}: a link leading outside the project folder {here}; the project was not "
                                  "opened (nothing was written); remove the link to open it")
    own = db.parent
    links = [p for p in (Path(f"{db}{s}") for s in SIDE_FILES) if p.is_symlink() and not resolves_inside(own, p)]
    for folder in [own / name for name in OWN_FOLDERS] + [backup_dir(db)]:
        links += links_out_under(own, folder)
    if links:
        more = f" (and {len(links) - 1} more)" if len(links) > 1 else ""
        raise LayoutError(f"{links[0]}{more}: a link leading outside the project's own folder {own}; the project "
                          "was not opened (nothing was written); remove the link to open it")


def confine_store(store, named: Path, stored_root: object, folder: Path | None, links: bool = True) -> None:
    """Set ``store.root`` to the folder the user opened (:func:`.relocate.image_root`: the database's ``named`` path,
    its recorded root, the image folder given), and ``store.refusals`` and ``store.refused_images`` to what the
    project holds that leads outside it: its recorded root, image and run records, file-move journal rows. They are
    left as they are, never used, and reported. Without ``links``, the images that lead out through a link are left
    to :func:`links_out_of` and :func:`refuse_links` (run later: every file is confined as it is read anyway)."""
    store.root, root_refused = image_root(named, stored_root, folder)
    store.refusals = [Refusal("image folder", str(stored_root), root_refused)] if root_refused else []
    refused, store.refused_images = refused_records(store, links)
    store.refusals += refused + file_moves.checked_rows(store)[1]


#: SQL: the image rows whose path may fail the lexical rule (:func:`~..confine.lexical_problem`: not a text, empty, a
#: NUL, absolute, a drive, '..'); no other path can, so the rule runs in Python on these rows only.
SUSPECT_PATH = ("typeof(path) != 'text' OR path = '' OR instr(path, char(0)) > 0 OR substr(path, 1, 1) IN ('/', '\\') "
                "OR substr(path, 2, 1) = ':' OR instr(path, '..') > 0")
CLEAN_PATH = f"NOT ({SUSPECT_PATH})"

#: Where the clean image paths lead out through links (:func:`~..confine.links_leading_out`): the folders that do,
#: and the names of the links that do in the other folders.
LinksOut = tuple[list[str], dict[str, set[str]]]


def refused_records(store, links: bool = True) -> tuple[list[Refusal], set[int]]:
    """The project's image and run records that lead outside it, and the ids of the refused images (the file-move
    journal's rows, which depend on these, are checked by :func:`.file_moves.checked_rows`); without ``links``, not
    the images that lead out through a link. A million image rows are checked in SQL and one listing per folder,
    not a Python step per row."""
    refusals: list[Refusal] = []
    images: set[int] = set()
    for image_id, rel in store.conn.execute(f"SELECT id, path FROM images WHERE {SUSPECT_PATH} ORDER BY id"):
        problem = lexical_problem(rel)
        if problem is not None:
            refusals.append(Refusal(f"image {image_id}", str(rel), problem))
            images.add(image_id)
    if links:
        linked = link_refusals(store.conn, links_out_of(store.conn, store.root))
        refusals += linked.values()
        images.update(linked)
    for run_id, stored in store.conn.execute("SELECT id, model_path FROM runs WHERE model_path IS NOT NULL"):
        try:
            own_file(stored, store.db_path)
        except (OSError, TypeError, ValueError) as exc:
            refusals.append(Refusal(f"run {run_id}", str(stored), f"its model file: {exc}"))
    return refusals, images


#: Image rows whose paths are read as one text at a time by :func:`links_out_of` (a few megabytes).
PATHS_PER_READ = 100_000


def links_out_of(conn, root: Path, job: JobToken | None = None) -> LinksOut:
    """Where the clean image paths of the project on ``conn`` lead outside ``root`` through a link: one listing per
    folder, the folders read from NUL-joined texts of the paths, :data:`PATHS_PER_READ` rows each (split in C: no
    cursor step per row, and no list of every path). Reads only: it may run on a connection of its own in another
    thread, checking ``job`` between reads and folders."""
    check = job.check if job is not None else None
    folders: set[str] = set()
    last = conn.execute("SELECT max(id) FROM images").fetchone()[0]
    for first in range(0, (last if isinstance(last, int) else -1) + 1, PATHS_PER_READ):
        if check is not None:
            check()
        paths = conn.execute(f"SELECT group_concat(path, char(0)) FROM images WHERE id >= ? AND id < ? AND "
                             f"{CLEAN_PATH}", (first, first + PATHS_PER_READ)).fetchone()[0]
        if paths:
            folders.update(p.rpartition("/")[0] for p in paths.split("\0"))
    return links_leading_out(root, sorted(folders), check)


def link_refusals(conn, links: LinksOut) -> dict[int, Refusal]:
    """A refusal for each clean image record in the folders or through the links of ``links``, by image id in
    order."""
    folders_out, links_out = links
    in_folder = f"substr(path, 1, ?) = ? AND instr(substr(path, ?), '/') = 0 AND {CLEAN_PATH}"  # right in it
    found = [(r[0], r[1]) for folder in folders_out for r in conn.execute(
        f"SELECT id, path FROM images WHERE {in_folder}", (len(folder) + 1, folder + "/", len(folder) + 2))]
    linked = [f"{folder}/{name}" if folder else name for folder, names in links_out.items() for name in names]
    found += [(r[0], r[1]) for rel in linked
              for r in conn.execute("SELECT id, path FROM images WHERE path = ?", (rel,))]
    return {image_id: Refusal(f"image {image_id}", rel, LINK) for image_id, rel in sorted(found)}
