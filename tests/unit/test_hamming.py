"""The pair search is exact: the same pairs as brute force, threshold inclusive, on both code paths."""

from __future__ import annotations

import numpy as np
import pytest

from labelstudio_desktop.core.cleaning.hamming import (
    _brute_force,
    multi_index_pairs,
    pack_hashes,
    pairs_between,
    pairs_within,
)


def planted_raw(n, bits, threshold, seed=0, share=8):
    """``n`` random hashes as bytes, one in ``share`` a copy of another with up to ``threshold + 2`` bits flipped."""
    rng = np.random.default_rng(seed)
    raw = rng.integers(0, 256, (n, bits // 8), dtype=np.uint8)
    for _ in range(n // share):
        a, b = rng.integers(0, n, 2)
        raw[b] = raw[a]
        for f in rng.choice(bits, rng.integers(0, threshold + 3), replace=False):
            raw[b, f // 8] ^= 1 << (7 - f % 8)
    return raw


def _planted(n, bits, threshold, seed=0):
    return pack_hashes(planted_raw(n, bits, threshold, seed), bits)


@pytest.mark.parametrize("bits, threshold", [(64, 0), (64, 10), (64, 12), (64, 21), (256, 40), (16, 3)])
def test_multi_index_equals_brute_force(bits, threshold):
    packed = _planted(1500, bits, threshold)
    i, j, d = multi_index_pairs(packed, bits, threshold)
    bi, bj = _brute_force(packed, threshold)
    assert set(zip(i.tolist(), j.tolist(), strict=True)) == set(zip(bi.tolist(), bj.tolist(), strict=True))
    assert len(i) > 0 and (d <= threshold).all() and (i < j).all()


def test_threshold_is_inclusive():
    a = np.zeros(8, np.uint8)
    b = a.copy()
    b[0] = 0b11110000  # distance 4
    packed = pack_hashes([a.tobytes(), b.tobytes()], 64)
    assert len(pairs_within(packed, 64, 4)[0]) == 1
    assert len(pairs_within(packed, 64, 3)[0]) == 0
    assert len(multi_index_pairs(packed, 64, 4)[0]) == 1


def test_pairs_between_two_sets():
    left = _planted(50, 64, 4, seed=1)
    right = left.copy()
    right[7, 0] ^= np.uint64(0b111)
    i, j, d = pairs_between(left, right, 64, 3)
    assert (7, 7, 3) in set(zip(i.tolist(), j.tolist(), d.tolist(), strict=True))
