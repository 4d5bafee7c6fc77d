"""Exact search of all pairs of binary hashes within a Hamming distance, without a Python double loop.

Multi-index hashing: the ``bits`` of a hash are cut into ``m`` chunks. If two hashes are within distance
``t``, at least one chunk differs in at most ``t // m`` bits (pigeonhole: otherwise the distance would be at
least ``m * (t // m + 1) > t``). So for every chunk and every flip pattern of at most ``r = t // m`` bits we
look up the hashes whose chunk equals the flipped chunk (a bucket table over all 2^b chunk values), check
the full distance of these candidates with a vectorised popcount, and keep the pairs within ``t``. Nothing
within ``t`` is missed, and for real hashes the candidate count stays near linear.
"""

from __future__ import annotations

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
    """:func:`pairs_within` through the multi-index (exposed for tests and benchmarks)."""
    n = packed.shape[0]
    empty = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64))
    single = packed[:, 0] if packed.shape[1] == 1 else None
    chunks, radius = _plan(bits, threshold)
    found_i, found_j = [], []
    for start, width in chunks:
        values = _chunk_values(packed, bits, start, width)
        order = np.argsort(values, kind="stable")
        counts = np.bincount(values, minlength=1 << width)
        bucket_start = np.concatenate(([0], np.cumsum(counts)[:-1]))
        everyone = np.arange(n)
        for mask in _flip_masks(width, radius):
            if mask:
                # a pair differing by mask is seen from both sides: query only from the side whose
                # chunk has a 0 at the mask's highest bit, which halves the work
                top = 1 << (mask.bit_length() - 1)
                askers = everyone[(values & top) == 0]
            else:
                askers = everyone
            query = values[askers] ^ mask
            n_hits = counts[query]
            total = int(n_hits.sum())
            if total == 0:
                continue
            i = np.repeat(askers, n_hits)
            # position of each hit inside its bucket: 0, 1, ... per query, vectorised
            first = np.repeat(np.cumsum(n_hits) - n_hits, n_hits)
            within = np.arange(total) - first
            j = order[np.repeat(bucket_start[query], n_hits) + within]
            if not mask:
                keep = i < j
                i, j = i[keep], j[keep]
            if single is not None:
                close = popcount(single[i] ^ single[j]) <= threshold
            else:
                close = distances(packed[i], packed[j]) <= threshold
            i, j = i[close], j[close]
            found_i.append(np.minimum(i, j))
            found_j.append(np.maximum(i, j))
    if not found_i:
        return empty
    i = np.concatenate(found_i)
    j = np.concatenate(found_j)
    key = np.unique(i * n + j)
    i, j = key // n, key % n
    return i, j, distances(packed[i], packed[j])


def pairs_between(left: np.ndarray, right: np.ndarray, bits: int, threshold: int) -> tuple[np.ndarray, ...]:
    """Pairs (i in left, j in right) within ``threshold``: used for mirrored hashes."""
    both = np.concatenate([left, right])
    i, j, d = pairs_within(both, bits, threshold)
    n = left.shape[0]
    cross = (i < n) & (j >= n)
    return i[cross], j[cross] - n, d[cross]
