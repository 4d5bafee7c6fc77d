"""Reading the image headers of an import, in worker processes when the folder is large.

An import of many files is two jobs: reading each file's header (:func:`.images.probe`, the larger one) and writing
its row. Past :data:`PROCESS_FROM` images the headers are read by spawned worker processes (never forked: the app
imports from a thread of a process with Qt's threads), one a core up to :data:`MAX_WORKERS`, a few chunks ahead of the
writing and never more, so memory stays bounded; workers that cannot start or die leave the rest to this process.
Each folder is resolved once to see that it stays inside the project, each file is checked for being a link: no file
is read through a link leading out of the project (:mod:`..confine`), at the cost of an ``lstat`` a file instead of a
resolve each.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from pathlib import Path
from typing import NamedTuple

from ..confine import LINK, resolves_inside
from ..formats.folders import Candidate
from ..images import ImageFacts, ImageProblem, probe
from ..store.store import file_facts

#: Images to import from which the headers are read in a worker process (below: starting one costs more than it saves).
PROCESS_FROM = 20_000
#: Worker processes at most: one a core (on two cores the writing leaves room for a second reader).
MAX_WORKERS = 2
#: Files per chunk handed to a worker, and chunks per worker handed ahead of the writing.
CHUNK, AHEAD = 256, 4


def worker_pays(images: int) -> bool:
    """Whether reading the headers of ``images`` files in worker processes pays: enough of them, and a second core."""
    return images >= PROCESS_FROM and _cores() > 1


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class Header(NamedTuple):
    """What the header of one file says: its facts, or why it is no image; its size and time."""

    facts: ImageFacts | None
    problem: str | None = None
    size: int = 0
    mtime: float = 0.0


class FolderLinks:
    """Whether a file leads out of ``root`` through a symbolic link (:func:`..confine.resolves_inside`), each folder
    resolved once: a file that is not a link lies where its folder really lies."""

    def __init__(self, root: str):
        self.root = root
        self.folder: str | None = None
        self.folder_inside = True

    def outside(self, path: str) -> bool:
        folder = os.path.dirname(path)
        if folder != self.folder:
            self.folder, self.folder_inside = folder, resolves_inside(self.root, folder)
        if self.folder_inside and not os.path.islink(path):
            return False
        return not resolves_inside(self.root, path)


def read_header(path: str, links: FolderLinks) -> Header:
    """The header of the file at ``path`` (an :class:`.images.ImageProblem` said as its problem)."""
    try:
        if links.outside(path):
            raise ImageProblem(LINK)
        facts = probe(Path(path), check_data=True, link_checked=True)
        size, mtime = file_facts(Path(path))
    except ImageProblem as exc:
        return Header(None, str(exc))
    except OSError as exc:  # gone, or made unreadable, since its header was read
        return Header(None, f"cannot read the file ({exc.strerror})")
    return Header(facts, None, size, mtime)


def read_chunk(root: str, paths: list[str]) -> list[Header]:
    """The headers of ``paths`` (below ``root``), in order: what the worker process runs."""
    links = FolderLinks(root)
    return [read_header(p, links) for p in paths]


def headers(root: Path, candidates: Iterable[Candidate], processes: bool) -> Iterator[tuple[Candidate, Header]]:
    """Each candidate with its file's header, in order: read as it is asked for, or (``processes``) in worker
    processes, :data:`AHEAD` chunks a worker ahead. Closing the iterator stops the workers."""
    top = os.fspath(root)
    if not processes:
        links = FolderLinks(top)
        for cand in candidates:
            yield cand, read_header(os.path.join(top, cand.rel), links)
        return
    yield from _ahead(top, iter(candidates))


def _ahead(top: str, candidates: Iterator[Candidate]) -> Iterator[tuple[Candidate, Header]]:
    workers = min(_cores(), MAX_WORKERS)
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
    pending: deque[tuple[list[Candidate], Future | None]] = deque()
    try:
        while chunk := list(islice(candidates, CHUNK)):
            pending.append((chunk, _submit(pool, top, chunk)))
            if len(pending) > AHEAD * workers:
                yield from _taken(top, *pending.popleft())
        while pending:
            yield from _taken(top, *pending.popleft())
    finally:
        for _chunk, future in pending:
            if future is not None:
                future.cancel()
        pool.shutdown(wait=True, cancel_futures=True)


def _submit(pool: ProcessPoolExecutor, top: str, chunk: list[Candidate]) -> Future | None:
    try:
        return pool.submit(read_chunk, top, [os.path.join(top, c.rel) for c in chunk])
    except (BrokenProcessPool, RuntimeError, OSError):  # no worker: this process reads the chunk
        return None


def _taken(top: str, chunk: list[Candidate], future: Future | None) -> Iterator[tuple[Candidate, Header]]:
    """A chunk's candidates with their headers: the worker's, or (when it could not start or died) read here."""
    read = None
    if future is not None:
        try:
            read = future.result()
        except (BrokenProcessPool, OSError):
            pass
    if read is None:
        read = read_chunk(top, [os.path.join(top, c.rel) for c in chunk])
    return zip(chunk, read, strict=True)
