"""Fingerprinting one chunk of images: what a worker process (or thread) of :mod:`.prints` runs.

Kept apart and light (no store, no Qt) so that a spawned worker imports little. A file is read only when its path
stays inside the project by its name and, after its links are followed, by where it leads.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..confine import LINK, lexical_problem, resolves_inside
from .hashing import HashError, hash_size_for, perceptual_hashes, read_and_decode

#: Length of the SHA-256 and SHA-1 digests a chunk returns.
DIGEST, GRAY_DIGEST = 32, 20


@dataclass
class Chunk:
    """A chunk's fingerprints as byte strings of fixed-size records (``rows[k]``'s are the k-th), and its problems."""

    rows: np.ndarray  # int64
    sizes: np.ndarray  # int64: file size at hashing
    mtimes: np.ndarray  # float64: modification time at hashing
    sha256: bytes  # DIGEST bytes each
    content: bytes  # DIGEST bytes each (zeros where has_content is False)
    has_content: np.ndarray  # bool
    gray: bytes  # GRAY_DIGEST bytes each
    hashes: bytes  # bits // 8 bytes each
    mirrors: bytes  # bits // 8 bytes each (empty without mirror)
    problems: list[tuple[int, str]]  # (row, reason)


def _plain(rel: str) -> bool:
    """A relative path that plainly stays inside (what :func:`..confine.lexical_problem` passes), seen quickly."""
    return bool(rel) and "\0" not in rel and ":" not in rel and ".." not in rel and not rel.startswith(("/", "\\"))


class _Inside:
    """:func:`..confine.resolves_inside` for many files under one root: a file that is not a link lies where its
    folder really is, and the folders are resolved once each."""

    def __init__(self, root: str):
        self.root = root
        self.folders: dict[str, bool] = {}

    def __call__(self, path: str, link: bool) -> bool:
        if link:
            return resolves_inside(self.root, path)
        folder = os.path.dirname(path)
        known = self.folders.get(folder)
        if known is None:
            known = self.folders[folder] = resolves_inside(self.root, folder)
        return known


def hash_chunk(root: str, items: list[tuple[int, str, int, int]], algo: str, bits: int, mirror: bool) -> Chunk:
    """Fingerprints of ``items`` (row, path relative to ``root``, width, height)."""
    hash_size = hash_size_for(bits, algo)
    problems: list[tuple[int, str]] = []
    good = []
    inside = _Inside(root)
    for row, rel, width, height in items:
        problem = None if _plain(rel) else lexical_problem(rel)
        if problem is not None:
            problems.append((row, f"cannot read ({problem})"))
            continue
        path = os.path.join(root, rel)
        try:
            st = os.lstat(path)
            link = stat.S_ISLNK(st.st_mode)
            if link:
                st = os.stat(path)
        except OSError as exc:
            problems.append((row, f"cannot read ({exc.strerror})"))
            continue
        if not inside(path, link):  # a link leading outside the project: never read
            problems.append((row, LINK))
            continue
        try:
            decoded = read_and_decode(Path(path), algo, hash_size, (width, height))
        except HashError as exc:
            problems.append((row, str(exc)))
            continue
        good.append((row, st.st_size, st.st_mtime, decoded))
    hashes, mirrors = perceptual_hashes([g[3] for g in good], algo, hash_size, mirror)
    blank = bytes(DIGEST)
    return Chunk(rows=np.array([g[0] for g in good], np.int64), sizes=np.array([g[1] for g in good], np.int64),
                 mtimes=np.array([g[2] for g in good], np.float64),
                 sha256=b"".join(g[3].sha256 for g in good),
                 content=b"".join(g[3].content or blank for g in good),
                 has_content=np.array([g[3].content is not None for g in good], bool),
                 gray=b"".join(g[3].gray_digest for g in good), hashes=b"".join(hashes),
                 mirrors=b"".join(mirrors) if mirror else b"", problems=problems)
