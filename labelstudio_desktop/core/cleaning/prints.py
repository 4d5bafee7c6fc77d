"""The fingerprints of a project's images, as arrays: from the cache where the file is unchanged, else computed in
parallel.

Fingerprints are cached in the store's ``hashes`` table keyed by image, kind, file size and mtime, so a second run
over an unchanged folder decodes nothing. The images to fingerprint go in chunks to worker processes (one per core;
threads when there is one core or few images, where starting processes costs more than it saves), a few chunks at a
time so that memory stays bounded and a cancel is seen between chunks; each chunk's cache rows are committed in one
transaction, so a cancelled run leaves only complete rows. What stays per image is a few dozen bytes in arrays: the
perceptual hash (and its mirror image's), and small numbers that say which images hold the same bytes or pixel data
(:attr:`Prints.exact`) and the same reduced luminance (:attr:`Prints.gray`).
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from ..jobs import JobToken
from ..store.store import Store
from .hash_chunks import DIGEST, GRAY_DIGEST, Chunk, hash_chunk
from .image_table import ImageTable

#: Images per chunk: with threads (small jobs, where a cancel should come soon) and with processes.
THREAD_CHUNK, PROCESS_CHUNK = 64, 256
#: Fewer images to fingerprint than this: threads, not processes.
PROCESS_MIN = 3000
#: Cache rows read at a time.
FETCH = 65536


def cores() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def cache_keys(algo: str, bits: int, mirror: bool) -> list[str]:
    keys = ["sha256", "content", f"gray-{algo}{bits}", f"{algo}{bits}"]
    return keys + [f"{algo}{bits}-mirror"] if mirror else keys


@dataclass
class Prints:
    """Per row of an :class:`.ImageTable`: whether it has fingerprints, and what they are."""

    ok: np.ndarray  # bool: fingerprinted (else a problem was noted)
    hashes: np.ndarray  # uint8, rows x bits // 8
    mirrors: np.ndarray | None  # the mirror image's hashes, or None
    exact: np.ndarray  # int64: equal numbers = the same bytes or the same pixel data (content digest); -1: no print
    gray: np.ndarray  # int64: equal numbers = the same reduced luminance; -1: no print
    hashed: int  # fingerprints computed in this run (the rest came from the cache)


class _Arrays:
    """The fingerprints gathered while the run goes, digests in full (reduced to numbers at the end)."""

    def __init__(self, n: int, nbytes: int, mirror: bool):
        self.ok = np.zeros(n, bool)
        self.sha = np.zeros((n, DIGEST), np.uint8)
        self.content = np.zeros((n, DIGEST), np.uint8)
        self.has_content = np.zeros(n, bool)
        self.gray = np.zeros((n, GRAY_DIGEST), np.uint8)
        self.hashes = np.zeros((n, nbytes), np.uint8)
        self.mirrors = np.zeros((n, nbytes), np.uint8) if mirror else None

    def fields(self) -> list[tuple[np.ndarray, int]]:
        width = self.hashes.shape[1]
        out = [(self.sha, DIGEST), (self.content, DIGEST), (self.gray, GRAY_DIGEST), (self.hashes, width)]
        return out + [(self.mirrors, width)] if self.mirrors is not None else out

    def put(self, chunk: Chunk) -> None:
        rows = chunk.rows
        if not len(rows):
            return
        self.ok[rows] = True
        self.sha[rows] = np.frombuffer(chunk.sha256, np.uint8).reshape(-1, DIGEST)
        self.content[rows] = np.frombuffer(chunk.content, np.uint8).reshape(-1, DIGEST)
        self.has_content[rows] = chunk.has_content
        self.gray[rows] = np.frombuffer(chunk.gray, np.uint8).reshape(-1, GRAY_DIGEST)
        self.hashes[rows] = np.frombuffer(chunk.hashes, np.uint8).reshape(len(rows), -1)
        if self.mirrors is not None:
            self.mirrors[rows] = np.frombuffer(chunk.mirrors, np.uint8).reshape(len(rows), -1)

    def prints(self, hashed: int) -> Prints:
        # the content digest where there is one, else the bytes' (in place: the same bytes have the same content
        # digest, or none), so that equal numbers are exactly the exact copies
        self.content[~self.has_content] = self.sha[~self.has_content]
        self.sha = np.zeros((0, DIGEST), np.uint8)
        return Prints(ok=self.ok, hashes=self.hashes, mirrors=self.mirrors, exact=_numbers(self.content, self.ok),
                      gray=_numbers(self.gray, self.ok), hashed=hashed)


def _numbers(rows: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """Equal numbers for equal rows (of the ``ok`` ones); -1 elsewhere."""
    out = np.full(len(rows), -1, np.int64)
    if ok.any():
        picked = np.ascontiguousarray(rows[ok]) if not ok.all() else rows
        keys = picked.view(np.dtype((np.void, picked.shape[1]))).ravel()
        out[ok] = np.unique(keys, return_inverse=True)[1].ravel()
    return out


def table_prints(store: Store, table: ImageTable, algo: str, bits: int, mirror: bool, job: JobToken,
                 problems: list[tuple[str, str]]) -> Prints:
    """Every image's fingerprints, from the cache when the file is unchanged, else computed (problems noted as
    ``(path, reason)``)."""
    keys = cache_keys(algo, bits, mirror)
    arrays = _Arrays(len(table), bits // 8, mirror)
    cached, cache_size, cache_mtime = _read_cache(store, table, keys, arrays)
    state = np.zeros(len(table), np.int8)  # 0: to compute, 1: from the cache, 2: cannot be read
    for row in np.nonzero(cached)[0].tolist():  # stat what the cache holds; the rest is read anyway
        rel = table.paths[row]
        try:
            st = os.stat(store.abs_path(rel))
        except OSError as exc:
            problems.append((rel, f"cannot read ({exc.strerror})"))
            state[row] = 2
            continue
        if st.st_size == cache_size[row] and st.st_mtime == cache_mtime[row]:
            state[row] = 1
    del cached, cache_size, cache_mtime
    arrays.ok[state == 1] = True
    todo = np.nonzero(state == 0)[0]
    job.status(f"hashing {len(todo)} images ({int(arrays.ok.sum())} from the cache)")
    processes = len(todo) >= PROCESS_MIN and cores() > 1
    size = PROCESS_CHUNK if processes else THREAD_CHUNK
    done = 0
    with _executor(processes) as pool:
        pending: deque[tuple[int, Future]] = deque()
        ahead = (cores() if processes else _threads()) + 1
        try:
            for start in range(0, len(todo), size):
                job.check()
                batch = [(r, table.paths[r], int(table.width[r]), int(table.height[r]))
                         for r in todo[start:start + size].tolist()]
                pending.append((len(batch), pool.submit(hash_chunk, str(store.root), batch, algo, bits, mirror)))
                while len(pending) > ahead or (pending and pending[0][1].done()):
                    count, future = pending.popleft()
                    _take(store, table, future.result(), arrays, keys, problems)
                    done += count
                    job.progress(done, len(todo))
                    job.check()
            while pending:
                job.check()
                count, future = pending.popleft()
                _take(store, table, future.result(), arrays, keys, problems)
                done += count
                job.progress(done, len(todo))
        finally:
            for _count, future in pending:
                future.cancel()
    return arrays.prints(len(todo))


def _threads() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def _executor(processes: bool) -> Executor:
    if processes:  # spawned, not forked: the GUI runs this in a thread of a process with Qt's threads
        return ProcessPoolExecutor(max_workers=cores(), mp_context=multiprocessing.get_context("spawn"))
    return ThreadPoolExecutor(max_workers=_threads())


def _take(store: Store, table: ImageTable, chunk: Chunk, arrays: _Arrays, keys: list[str],
          problems: list[tuple[str, str]]) -> None:
    """Put one finished chunk in the arrays and its rows in the cache (one transaction)."""
    problems.extend((table.paths[row], reason) for row, reason in chunk.problems)
    arrays.put(chunk)
    n = len(chunk.rows)
    sha = np.frombuffer(chunk.sha256, np.uint8).reshape(n, DIGEST)
    content = np.frombuffer(chunk.content, np.uint8).reshape(n, DIGEST)
    columns = [[v.tobytes() for v in sha],
               [c.tobytes() if has else b"" for c, has in zip(content, chunk.has_content.tolist(), strict=True)],
               [v.tobytes() for v in np.frombuffer(chunk.gray, np.uint8).reshape(n, GRAY_DIGEST)],
               [v.tobytes() for v in np.frombuffer(chunk.hashes, np.uint8).reshape(n, -1)]]
    if arrays.mirrors is not None:
        columns.append([v.tobytes() for v in np.frombuffer(chunk.mirrors, np.uint8).reshape(n, -1)])
    facts = list(zip(table.ids[chunk.rows].tolist(), chunk.sizes.tolist(), chunk.mtimes.tolist(), strict=True))
    cache = [(image_id, key, size, mtime, value) for key, column in zip(keys, columns, strict=True)
             for (image_id, size, mtime), value in zip(facts, column, strict=True)]
    with store.transaction() as c:
        c.executemany("INSERT INTO hashes(image_id, algo, size, mtime, value) VALUES(?,?,?,?,?) "
                      "ON CONFLICT(image_id, algo) DO UPDATE SET size=excluded.size, mtime=excluded.mtime, "
                      "value=excluded.value", cache)


def _read_cache(store: Store, table: ImageTable, keys: list[str],
                arrays: _Arrays) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fill the arrays from the cache rows of every key: which rows have every key, recorded under one file size and
    time (and these)."""
    n = len(table)
    have = np.zeros(n, np.int16)
    size = np.full(n, -1, np.int64)
    mtime = np.full(n, np.nan, np.float64)
    same = np.ones(n, bool)
    for key, (target, width) in zip(keys, arrays.fields(), strict=True):
        cursor = store.conn.execute("SELECT image_id, size, mtime, value FROM hashes WHERE algo=?", (key,))
        while batch := cursor.fetchmany(FETCH):
            usable = [r for r in batch if isinstance(r[0], int) and isinstance(r[1], int)
                      and isinstance(r[2], float | int) and isinstance(r[3], bytes)
                      and (len(r[3]) == width or (key == "content" and not r[3]))]
            if not usable:
                continue
            ids, sizes, mtimes, values = zip(*usable, strict=True)
            rows = table.rows(np.array(ids, np.int64))
            known = rows >= 0
            rows = rows[known]
            sizes = np.array(sizes, np.int64)[known]
            mtimes = np.array(mtimes, np.float64)[known]
            values = [v for v, k in zip(values, known.tolist(), strict=True) if k]
            first = have[rows] == 0
            size[rows[first]] = sizes[first]
            mtime[rows[first]] = mtimes[first]
            same[rows] &= (size[rows] == sizes) & (mtime[rows] == mtimes)
            have[rows] += 1
            full = np.array([len(v) == width for v in values], bool)
            if full.any():
                target[rows[full]] = np.frombuffer(b"".join(v for v in values if len(v) == width),
                                                   np.uint8).reshape(-1, width)
            if key == "content":
                arrays.has_content[rows] = full
    return (have == len(keys)) & same, size, mtime
