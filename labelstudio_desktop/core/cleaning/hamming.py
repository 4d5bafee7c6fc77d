"""Exact search of all pairs of binary hashes within a Hamming distance, without a Python double loop.

Multi-index hashing: the ``bits`` of a hash are cut into ``m`` chunks. If two hashes are within distance
``t``, at least one chunk differs in at most ``t // m`` bits (pigeonhole: otherwise the distance would be at
least ``m * (t // m + 1) > t``). So for every chunk and every flip pattern of at most ``r = t // m`` bits we
look up the hashes whose chunk equals the flipped chunk (a bucket table over all 2^b chunk values), check
the full distance of these candidates with a vectorised popcount, and keep the pairs within ``t``. Nothing
within ``t`` is missed, and for real hashes the candidate count stays near linear.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import combinations
from math import comb

import numpy as np

MAX_CHUNK_BITS = 16
MAX_FLIP_PATTERNS = 1200

if hasattr(np, "bitwise_count"):  # NumPy >= 2.0

    def popcount(words: np.ndarray) -> np.ndarray:
        return np.bitwise_count(words)
else:  # pragma: no cover - older NumPy
    _BYTE_COUNTS = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint8)

    def popcount(words: np.ndarray) -> np.ndarray:
        as_bytes = words.view(np.uint8).reshape(*words.shape, 8)
        return _BYTE_COUNTS[as_bytes].sum(axis=-1, dtype=np.uint8)


def pack_hashes(hashes: list[bytes] | np.ndarray, bits: int) -> np.ndarray:
    """Hashes (``bits // 8`` bytes each, big-endian bit order) as an ``N x words`` uint64 array."""
    nbytes = bits // 8
    raw = np.frombuffer(b"".join(hashes), dtype=np.uint8) if isinstance(hashes, list) else \
        np.asarray(hashes, dtype=np.uint8)
    raw = raw.reshape(-1, nbytes)
    words = -(-nbytes // 8)
    padded = np.zeros((raw.shape[0], words * 8), dtype=np.uint8)
    padded[:, :nbytes] = raw
    return padded.view(">u8").astype(np.uint64)


def distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Hamming distances between rows of two packed arrays of the same shape."""
    return popcount(np.bitwise_xor(a, b)).sum(axis=-1, dtype=np.int64)


def _chunk_values(packed: np.ndarray, bits: int, start: int, width: int) -> np.ndarray:
    """The ``width`` bits starting at bit ``start`` (0 = most significant) of every hash, as integers."""
    out = np.zeros(packed.shape[0], dtype=np.int64)
    for offset in range(width):
        bit = start + offset
        word, pos = divmod(bit, 64)
        shifted = (packed[:, word] >> np.uint64(63 - pos)) & np.uint64(1)
        out = (out << 1) | shifted.astype(np.int64)
    return out


def _plan(bits: int, threshold: int) -> tuple[list[tuple[int, int]], int]:
    """Chunks (start, width) and flip radius so that the flip patterns per chunk stay few."""
    m = max(1, -(-bits // MAX_CHUNK_BITS))
    while True:
        widths = [bits // m + (1 if i < bits % m else 0) for i in range(m)]
        radius = threshold // m
        patterns = sum(comb(max(widths), k) for k in range(radius + 1))
        if patterns <= MAX_FLIP_PATTERNS or m >= bits:
            break
        m += 1
    starts = np.cumsum([0, *widths[:-1]])
    return [(int(s), w) for s, w in zip(starts, widths, strict=True)], radius


def shared_masks(bits: int, threshold: int, part: tuple[int, int] = (0, 1)) -> list[list[int]]:
    """Each chunk's flip masks (:func:`_plan`, :func:`_flip_masks`) in the k-th of n shares of the search's steps
    (``part=(k, n)``), each chunk's unflipped mask (the heaviest) in a different share: the n shares together are
    every step once."""
    chunks, radius = _plan(bits, threshold)
    share, shares = part
    return [[mask for n, mask in enumerate(_flip_masks(width, radius)) if (c + n) % shares == share]
            for c, (_start, width) in enumerate(chunks)]


def _flip_masks(width: int, radius: int) -> list[int]:
    masks = [0]
    for k in range(1, radius + 1):
        for positions in combinations(range(width), k):
            masks.append(sum(1 << p for p in positions))
    return masks


#: Below this many pairs a blocked brute-force comparison beats the index (no per-pattern overhead).
BRUTE_FORCE_PAIRS = 30_000_000
BLOCK_ELEMENTS = 4_000_000


def _brute_force(packed: np.ndarray, threshold: int) -> tuple[np.ndarray, np.ndarray]:
    n = packed.shape[0]
    found_i, found_j = [], []
    rows = max(1, BLOCK_ELEMENTS // max(1, n * packed.shape[1]))
    for start in range(0, n - 1, rows):
        block = packed[start:start + rows]
        d = popcount(block[:, None, :] ^ packed[None, start + 1:, :]).sum(axis=-1, dtype=np.int64)
        bi, bj = np.nonzero(d <= threshold)
        j = bj + start + 1
        i = bi + start
        keep = i < j
        found_i.append(i[keep])
        found_j.append(j[keep])
    return np.concatenate(found_i), np.concatenate(found_j)


def pairs_within(packed: np.ndarray, bits: int, threshold: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All pairs ``i < j`` with Hamming distance ``<= threshold`` (inclusive): arrays i, j, distance."""
    n = packed.shape[0]
    empty = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64))
    if n < 2 or threshold < 0:
        return empty
    if n * (n - 1) // 2 <= BRUTE_FORCE_PAIRS:
        i, j = _brute_force(packed, threshold)
        return i, j, distances(packed[i], packed[j])
    return multi_index_pairs(packed, bits, threshold)


def multi_index_pairs(packed: np.ndarray, bits: int, threshold: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`pairs_within` through the multi-index (exposed for tests and benchmarks): :func:`stream_pairs`' blocks
    put together, ``i < j``."""
    blocks = list(stream_pairs(packed, bits, threshold))
    if not blocks:
        return (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64))
    i, j, d = (np.concatenate(parts).astype(np.int64) for parts in zip(*blocks, strict=True))
    return np.minimum(i, j), np.maximum(i, j), d


#: Candidates compared in one step of :func:`stream_pairs` (about 60 bytes each while they are compared).
BLOCK_CANDIDATES = 1 << 19


def stream_pairs(packed: np.ndarray, bits: int, threshold: int, other: np.ndarray | None = None,
                 block: int = BLOCK_CANDIDATES, check: Callable[[], None] | None = None,
                 progress: Callable[[int, int], None] | None = None,
                 part: tuple[int, int] = (0, 1)) -> Iterator[tuple[np.ndarray, ...]]:
    """Every pair within ``threshold`` (inclusive) exactly once, in blocks ``(i, j, distance)`` of at most ``block``
    pairs, comparing at most ``block`` candidates at a time whatever the pairs' number: rows ``i != j`` of ``packed``
    (in either order), or with ``other`` rows ``i`` of ``packed`` against rows ``j`` of ``other``.

    A pair is reported from the first chunk in which it differs by at most the flip radius, and there from the one
    flip mask equal to its chunks' difference (a pair of ``packed`` with itself from the side whose chunk has a 0
    at the mask's highest bit; an unflipped pair from the side of its lower row): no pair is held to remove a copy
    of it later. ``check`` is called before each step (to cancel), ``progress(done, total)`` after each mask.

    With ``part=(k, n)`` only the k-th of n shares of the steps (chunk and mask) are taken, each chunk's unflipped
    mask (the heaviest) in a different share: the n shares together give every pair once (see
    :mod:`.pair_workers`)."""
    cross = other is not None
    right = other if cross else packed
    if threshold < 0 or len(packed) == 0 or len(right) == 0 or (not cross and len(packed) < 2):
        return
    chunks, radius = _plan(bits, threshold)
    left_values = [_chunk_values(packed, bits, s, w).astype(np.int32) for s, w in chunks]
    right_values = [_chunk_values(right, bits, s, w).astype(np.int32) for s, w in chunks] if cross else left_values
    single = packed.shape[1] == 1
    # each chunk's bits within a one-word hash (bit 0, the most significant, is the word's bit 63)
    chunk_bits = [np.uint64(((1 << w) - 1) << (64 - s - w)) for s, w in chunks] if single else []
    masks = shared_masks(bits, threshold, part)
    steps, done = sum(len(m) for m in masks), 0
    pending: list[tuple[np.ndarray, ...]] = []
    held = 0
    for c, (_start, width) in enumerate(chunks):
        if not masks[c]:
            continue
        values = right_values[c]
        order = np.argsort(values, kind="stable").astype(np.int32)
        counts = np.bincount(values, minlength=1 << width)
        bucket_start = np.concatenate(([0], np.cumsum(counts)[:-1]))
        by_bucket = right[order]  # the right side in bucket order: a bucket's hashes side by side
        asking = left_values[c]
        everyone = np.arange(len(packed), dtype=np.int32)
        for mask in masks[c]:
            if check is not None:
                check()
            if mask and not cross:
                top = 1 << (mask.bit_length() - 1)  # one side of each pair asks: the one with a 0 at the top bit
                askers = everyone[(asking & top) == 0]
            else:
                askers = everyone
            query = asking[askers] ^ mask
            begin = bucket_start[query]
            hits = counts[query]
            if not mask and not cross:  # the same bucket: ask only for the rows after one's own place in it
                place = np.empty(len(order), np.int64)
                place[order] = np.arange(len(order))
                hits = begin + hits - place - 1
                begin = place + 1
            some = hits > 0
            askers, begin, hits = askers[some], begin[some], hits[some]
            ends = np.cumsum(hits)
            total = int(ends[-1]) if len(ends) else 0
            for start in range(0, total, block):
                i, j, d, xor = _window(askers, begin, hits, ends, start, min(total, start + block), order, by_bucket,
                                       packed, threshold)
                if len(i) and c:  # reported by an earlier chunk already?
                    first = np.ones(len(i), bool)
                    for earlier in range(c):
                        if xor is not None:  # one word: that chunk's bits of the difference
                            first &= popcount(xor & chunk_bits[earlier]) > radius
                        else:
                            first &= popcount((left_values[earlier][i] ^ right_values[earlier][j])
                                              .astype(np.uint64)) > radius
                    i, j, d = i[first], j[first], d[first]
                if len(i):
                    if held + len(i) > block:
                        yield _joined(pending)
                        pending, held = [], 0
                    pending.append((i, j, d))
                    held += len(i)
                if held >= block // 4:
                    yield _joined(pending)
                    pending, held = [], 0
                if check is not None:
                    check()
            done += 1
            if progress is not None:
                progress(done, steps)
    if pending:
        yield _joined(pending)


def _joined(parts: list[tuple[np.ndarray, ...]]) -> tuple[np.ndarray, ...]:
    if len(parts) == 1:
        return parts[0]
    return tuple(np.concatenate(column) for column in zip(*parts, strict=True))


def _window(askers: np.ndarray, begin: np.ndarray, hits: np.ndarray, ends: np.ndarray, start: int, stop: int,
            order: np.ndarray, by_bucket: np.ndarray, packed: np.ndarray,
            threshold: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """The candidates at positions ``start:stop`` of one mask's hits laid end to end (asker by asker, each asker's
    run ``begin:begin + hits`` of the right side in bucket order), compared: the pairs within the threshold (and, for
    one-word hashes, their differences)."""
    first = int(np.searchsorted(ends, start, side="right"))
    last = int(np.searchsorted(ends, stop - 1, side="right"))
    sl = slice(first, last + 1)
    begins = ends[sl] - hits[sl]  # position of each asker's first hit
    lo = np.maximum(begins, start)
    take = (np.minimum(ends[sl], stop) - lo).astype(np.int64)
    skip = lo - begins  # hits of the asker already compared in an earlier window
    offsets = np.arange(stop - start, dtype=np.int64) - np.repeat(np.cumsum(take) - take, take)
    where = np.repeat(begin[sl] + skip, take) + offsets  # places in bucket order
    if packed.shape[1] == 1:
        xor = np.repeat(packed[askers[sl], 0], take) ^ by_bucket[where, 0]
        d = popcount(xor).astype(np.int64)
    else:
        xor = None
        d = distances(np.repeat(packed[askers[sl]], take, axis=0), by_bucket[where])
    close = np.nonzero(d <= threshold)[0]
    i = np.repeat(askers[sl], take)[close]
    return i, order[where[close]], d[close], xor[close] if xor is not None else None


def pairs_between(left: np.ndarray, right: np.ndarray, bits: int, threshold: int) -> tuple[np.ndarray, ...]:
    """Pairs (i in left, j in right) within ``threshold``: used for mirrored hashes."""
    both = np.concatenate([left, right])
    i, j, d = pairs_within(both, bits, threshold)
    n = left.shape[0]
    cross = (i < n) & (j >= n)
    return i[cross], j[cross] - n, d[cross]
