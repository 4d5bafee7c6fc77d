"""The confinement rule: a path that a project's database or an annotation file holds never leads out of the project.

A database or an annotation file is data from someone else (a project folder passed around, a download), so every
path it holds is checked before a file is opened, read, written or moved: it must resolve, after symbolic links,
inside the folder it belongs to. Image paths, quarantined files and the file-move journal belong to the image folder
(the folder the user opened, whatever root the database records) or the project's own folder (``.labelstudio``:
models, backups, quarantine); the folders a ``data.yaml`` names belong to the folder of that ``data.yaml``.

A record that fails is *refused*: left as it is in the database, never used, and counted, so that ``info``, every
other command and the app say how many records of a project were refused (:func:`refusal_summary`).
"""

from __future__ import annotations

import errno
import os
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

#: Why a record is refused, in the words every message uses.
OUTSIDE = "leads outside the project folder: not used"
ABSOLUTE = "an absolute path: not used (paths are kept relative to the project)"
PARENT = "leads out of its folder with '..': not used"
LINK = "a link leading outside the project folder: not read"
EMPTY = "an empty or unreadable path: not used"


class OutsideProject(PermissionError):
    """A path from a database or an annotation file that leads outside the project: never opened.

    An ``OSError``, so every reader that skips an unreadable file with a note skips this one the same way."""

    def __init__(self, path: str | Path, reason: str = OUTSIDE):
        super().__init__(errno.EACCES, reason, str(path))

    def __str__(self) -> str:
        return str(self.strerror)


@dataclass(frozen=True)
class Refusal:
    """One record of a project that the confinement rule refused, as ``info`` lists it."""

    record: str  # which record: "image 12", "file move 3", "run 2", "image folder"
    path: str  # the path it holds, as recorded
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"record": self.record, "path": self.path, "reason": self.reason}


def refusal_summary(refusals: list[Refusal]) -> str:
    """One line for a project with refused records (an empty string when there are none)."""
    n = len(refusals)
    if not n:
        return ""
    return (f"{n} record{'s' if n != 1 else ''} refused: {'they point' if n != 1 else 'it points'} outside the "
            "project folder (not used; `labelstudio-desktop info` lists them)")


# ---------------------------------------------------------------------------------------------- the rule
def lexical_problem(rel: object) -> str | None:
    """Why a stored relative path leads out of its folder before any link is followed (None: it does not)."""
    if not isinstance(rel, str) or not rel or "\0" in rel:
        return EMPTY
    if rel.startswith(("/", "\\")) or Path(rel).drive or Path(rel).is_absolute():
        return ABSOLUTE
    if ".." in rel.replace("\\", "/").split("/"):
        return PARENT
    return None


def _real(path: str | Path) -> str:
    return os.path.realpath(path)


def resolves_inside(base: str | Path, path: str | Path) -> bool:
    """True when ``path``, after every symbolic link is followed, is ``base`` or lies inside it. A path that does
    not exist yet counts by its existing part (a folder about to be created under a link leading out is outside)."""
    real_base = _real(base)
    real = _real(path)
    return real == real_base or real.startswith(real_base.rstrip(os.sep) + os.sep)


def confined(base: Path, rel: str) -> Path:
    """``base / rel`` for a relative path from a database or an annotation file, after checking that it lies inside
    ``base`` once links are followed; raises :class:`OutsideProject` otherwise."""
    problem = lexical_problem(rel)
    if problem is not None:
        raise OutsideProject(rel, problem)
    path = base / PurePosixPath(rel.replace("\\", "/"))
    if not resolves_inside(base, path):
        raise OutsideProject(rel, LINK)
    return path


def check_inside(base: Path, path: str | Path, reason: str = OUTSIDE) -> Path:
    """``path`` itself after checking that it resolves inside ``base``; raises :class:`OutsideProject` otherwise."""
    if not resolves_inside(base, path):
        raise OutsideProject(path, reason)
    return Path(path)


def links_leading_out(root: Path, folders: Iterable[str], check: Callable[[], None] | None = None
                      ) -> tuple[list[str], dict[str, set[str]]]:
    """Where the lexically clean image paths of the folders ``folders`` (relative, ``/``-separated, "" for ``root``
    itself) lead outside ``root`` through a symbolic link: the folders that do (every file in them does), and for
    the others the names of the links in them that do. One listing per folder and a resolve per link found, not a
    resolve per file: opening a project of many images stays fast. ``check`` is called before each folder (a job's
    cancel check)."""
    folders_out: list[str] = []
    links_out: dict[str, set[str]] = {}
    for folder in folders:
        if check is not None:
            check()
        where = root / folder if folder else root
        if folder and not resolves_inside(root, where):
            folders_out.append(folder)
            continue
        try:
            with os.scandir(where) as entries:
                links = [e.name for e in entries if e.is_symlink()]
        except OSError:  # a folder that is gone: its images are missing, nothing to read there
            continue
        out = {name for name in links if not resolves_inside(root, where / name)}
        if out:
            links_out[folder] = out
    return folders_out, links_out


def links_out_under(base: Path, folder: Path) -> list[Path]:
    """Symbolic links at or below ``folder`` (which is itself checked) that lead outside ``base``; links are not
    followed, and only the links found are resolved."""
    if folder.is_symlink():
        return [] if resolves_inside(base, folder) else [folder]
    found: list[Path] = []
    todo = [folder]
    while todo:
        try:
            with os.scandir(todo.pop()) as entries:
                for e in entries:
                    if e.is_symlink():
                        if not resolves_inside(base, e.path):
                            found.append(Path(e.path))
                    elif e.is_dir(follow_symlinks=False):
                        todo.append(Path(e.path))
        except OSError:  # not there (nothing to write through), or unreadable (nothing can be written there)
            continue
    return found


# ------------------------------------------------------------------------------ folders of open projects
#: Image folders of the projects this process has open (a count per folder): a file under one of them is read
#: through :mod:`.images` only when it resolves inside it, whichever part of the program asks.
_OPEN_ROOTS: Counter[str] = Counter()


def hold_root(root: Path) -> None:
    _OPEN_ROOTS[os.path.abspath(root)] += 1


def release_root(root: Path) -> None:
    key = os.path.abspath(root)
    _OPEN_ROOTS[key] -= 1
    if _OPEN_ROOTS[key] <= 0:
        del _OPEN_ROOTS[key]


def open_root_of(path: str | Path) -> str | None:
    """The innermost image folder of an open project that ``path`` lies in (by its name, before links), if any."""
    where = os.path.abspath(path)
    found = None
    for root in _OPEN_ROOTS:
        if (where == root or where.startswith(root.rstrip(os.sep) + os.sep)) and (found is None or
                                                                                    len(root) > len(found)):
            found = root
    return found
