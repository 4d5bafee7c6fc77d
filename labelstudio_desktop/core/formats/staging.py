"""Staged exports: an export killed part-way leaves nothing half-written in the chosen folder.

An export writes into a hidden staging folder *inside* the chosen folder (``OUT/.labelstudio-export-<pid>-<rand>/``),
so nothing is ever written outside it. When every file is written, a ``committed`` marker is created and the files
are renamed into place one by one; then the staging folder goes. The next export into the same folder cleans up
after a killed one: a staging folder without the marker is deleted (nothing of that run reached ``OUT``, so a rerun
needs no ``--overwrite``), one with the marker has its remaining renames finished. Files the user put in ``OUT``
are never touched, except a file of the same name as an export file, and only with ``overwrite`` as before.

While the export runs, :func:`.fsutil.atomic_write` is redirected into the staging folder and image reads are kept
inside the project (a link leading outside it is not read).
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..durability import fsync_dir
from ..fsutil import READ_ROOT, WRITE_REDIRECT

STAGE_PREFIX = ".labelstudio-export-"
FILES = "files"
COMMITTED = "committed"
_active: set[Path] = set()  # staging folders of this process that are still being written


def _owner_alive(stage: Path) -> bool:
    """True when the process that made ``stage`` still runs (and is not this process with the stage finished)."""
    if stage in _active:
        return True
    try:
        pid = int(stage.name[len(STAGE_PREFIX):].split("-")[0])
    except ValueError:
        return False
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, belongs to someone else
        return True
    return True


def _move_into_place(stage: Path, out: Path) -> None:
    """Rename every file still in the staging folder to its place in ``out`` (idempotent: moved files are gone)."""
    files = stage / FILES
    touched: set[Path] = set()
    for dirpath, _dirnames, filenames in os.walk(files):
        rel_dir = Path(dirpath).relative_to(files)
        for name in filenames:
            if name.endswith(".tmp"):  # a temporary file of atomic_write: never complete
                continue
            target = out / rel_dir / name
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(Path(dirpath) / name, target)
            touched.add(target.parent)
    for folder in touched:  # the renames survive a power loss
        fsync_dir(folder)
    shutil.rmtree(stage, ignore_errors=True)


def leftovers(out: Path) -> list[Path]:
    """Staging folders of finished or killed exports into ``out`` (not of exports still running)."""
    try:
        entries = list(Path(out).iterdir())
    except OSError:
        return []
    return [p for p in entries if p.name.startswith(STAGE_PREFIX) and p.is_dir() and not _owner_alive(p)]


def clean_leftovers(out: Path) -> int:
    """Finish the renames of committed staging folders in ``out``, delete uncommitted ones; how many were found."""
    found = leftovers(out)
    for stage in found:
        if (stage / COMMITTED).exists():
            _move_into_place(stage, out)
        else:
            shutil.rmtree(stage, ignore_errors=True)
    return len(found)


@contextmanager
def staged_export(project_root: Path, out: Path) -> Iterator[Path]:
    """Run an export into ``out`` through a staging folder (see the module's description); yields ``out``.

    Nested use for the same ``out`` (an export calling another) shares the outer stage.
    """
    out = Path(out).resolve()  # as the exporters resolve it, so their paths fall inside
    if WRITE_REDIRECT.get() is not None:
        yield out
        return
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    clean_leftovers(out)
    stage = out / f"{STAGE_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
    (stage / FILES).mkdir(parents=True)
    _active.add(stage)

    def redirect(path: Path) -> Path:
        path = Path(os.path.abspath(path))
        try:
            rel = path.relative_to(out)
        except ValueError:
            return path
        return stage / FILES / rel

    write_token = WRITE_REDIRECT.set(redirect)
    read_token = READ_ROOT.set(Path(project_root))
    try:
        yield out
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    else:
        (stage / COMMITTED).touch()
        _move_into_place(stage, out)
    finally:
        WRITE_REDIRECT.reset(write_token)
        READ_ROOT.reset(read_token)
        _active.discard(stage)
        if created:
            try:
                out.rmdir()  # only when the export wrote nothing: an empty folder it made itself
            except OSError:
                pass
