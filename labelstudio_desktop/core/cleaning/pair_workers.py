"""The streamed pair search (:func:`.hamming.stream_pairs`) shared among worker processes, one per core.

Each worker takes its share of the search's steps (``part=(k, n)``: the shares together give every pair once) and
sends its blocks through a bounded queue, so that at most a few blocks wait whatever the pairs' number; the caller
takes them in whatever order they come (the union-find does not mind) while the workers search on. Few distinct
hashes search faster in this process than processes start: below :data:`PARALLEL_MIN` rows it is
:func:`.hamming.stream_pairs` itself. A cancel (``check`` raising) stops the workers.
"""

from __future__ import annotations

import multiprocessing
import queue
from collections.abc import Callable, Iterator

import numpy as np

from .hamming import BLOCK_CANDIDATES, shared_masks, stream_pairs

#: Fewer rows to search than this: in this process.
PARALLEL_MIN = 50_000
#: Blocks waiting in the queue, at most (each at most BLOCK_CANDIDATES pairs, 10 bytes a pair).
WAITING = 4


def _search(share: int, shares: int, packed: np.ndarray, bits: int, threshold: int, other: np.ndarray | None,
            block: int, out) -> None:
    """A worker: its share of the pairs into ``out``, then ("done", share); ("error", text) if it failed."""
    try:
        def progress(done: int, _total: int) -> None:
            out.put(("progress", share, done))

        for i, j, d in stream_pairs(packed, bits, threshold, other, block=block, progress=progress,
                                    part=(share, shares)):
            out.put(("pairs", i.astype(np.int32), j.astype(np.int32), d.astype(np.uint16)))
        out.put(("done", share))
    except BaseException as exc:  # noqa: BLE001 - reported to the caller, which raises
        out.put(("error", f"{type(exc).__name__}: {exc}"))


def parallel_pairs(packed: np.ndarray, bits: int, threshold: int, other: np.ndarray | None = None,
                   workers: int = 1, block: int = BLOCK_CANDIDATES, check: Callable[[], None] | None = None,
                   progress: Callable[[int, int], None] | None = None,
                   minimum: int | None = None) -> Iterator[tuple[np.ndarray, ...]]:
    """:func:`.hamming.stream_pairs` in ``workers`` processes (in this one below ``minimum`` rows, default
    :data:`PARALLEL_MIN`, or with one worker): the same pairs, blocks in any order."""
    minimum = PARALLEL_MIN if minimum is None else minimum
    if workers <= 1 or len(packed) < minimum or threshold < 0:
        yield from stream_pairs(packed, bits, threshold, other, block=block, check=check, progress=progress)
        return
    steps = [sum(map(len, shared_masks(bits, threshold, (share, workers)))) for share in range(workers)]
    context = multiprocessing.get_context("spawn")  # never fork a process that may run Qt threads
    out = context.Queue(maxsize=WAITING + 2 * workers)
    processes = [context.Process(target=_search, args=(k, workers, packed, bits, threshold, other, block, out),
                                 daemon=True) for k in range(workers)]
    for process in processes:
        process.start()
    done, finished = [0] * workers, 0
    try:
        while finished < workers:
            if check is not None:
                check()
            try:
                message = out.get(timeout=0.2)
            except queue.Empty:
                if not any(p.is_alive() for p in processes):
                    raise RuntimeError("the pair search's workers stopped without a word") from None
                continue
            if message[0] == "pairs":
                yield message[1], message[2], message[3].astype(np.int64)
            elif message[0] == "progress":
                done[message[1]] = message[2]
                if progress is not None:
                    progress(sum(done), sum(steps))
            elif message[0] == "done":
                finished += 1
            else:
                raise RuntimeError(f"the pair search failed: {message[1]}")
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join()
        out.close()
        out.cancel_join_thread()
