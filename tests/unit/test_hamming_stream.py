"""The streamed pair search: every pair within the threshold exactly once, in blocks never larger than asked, however
many pairs there are (big buckets of equal hashes included), and a cancel stops it between steps."""

from __future__ import annotations

import numpy as np
import pytest
from test_hamming import planted_raw

from labelstudio_desktop.core.cleaning.hamming import _brute_force, pack_hashes, stream_pairs
from labelstudio_desktop.core.jobs import Cancelled, JobToken


def _hashes(n, bits, threshold, seed=0):
    """Random hashes with planted near copies and a big bucket of one hash (a burst of equal hashes)."""
    raw = planted_raw(n, bits, threshold, seed, share=6)
    raw[n // 4:n // 2] = raw[n // 4]  # a quarter of them equal
    return pack_hashes(raw, bits)


def _streamed(blocks):
    pairs = [(min(a, b), max(a, b), d) for i, j, dist in blocks
             for a, b, d in zip(i.tolist(), j.tolist(), dist.tolist(), strict=True)]
    return pairs


@pytest.mark.timeout(120)
@pytest.mark.parametrize("bits, threshold", [(64, 0), (64, 5), (64, 12), (64, 21), (256, 48), (16, 3)])
@pytest.mark.parametrize("block", [500, 1 << 20])
def test_every_pair_once_in_bounded_blocks(bits, threshold, block):
    packed = _hashes(800, bits, threshold)
    blocks = list(stream_pairs(packed, bits, threshold, block=block))
    assert all(len(b[0]) <= block for b in blocks)
    pairs = _streamed(blocks)
    bi, bj = _brute_force(packed, threshold)
    assert len(pairs) == len({p[:2] for p in pairs})  # nothing twice
    assert {p[:2] for p in pairs} == set(zip(bi.tolist(), bj.tolist(), strict=True))
    assert all(0 <= d <= threshold for _a, _b, d in pairs)
    assert len(pairs) >= 200 * 199 // 2  # the big bucket's pairs are all there (many more than a block of 500)


@pytest.mark.timeout(60)
def test_two_sets_every_cross_pair_once():
    left = _hashes(500, 64, 8, seed=1)
    right = left.copy()
    right[::3] ^= np.uint64(0b1011)
    blocks = list(stream_pairs(left, 64, 8, other=right, block=300))
    assert all(len(b[0]) <= 300 for b in blocks)
    pairs = [(a, b) for i, j, _d in blocks for a, b in zip(i.tolist(), j.tolist(), strict=True)]
    both = np.concatenate([left, right])
    bi, bj = _brute_force(both, 8)
    expected = {(a, b - 500) for a, b in zip(bi.tolist(), bj.tolist(), strict=True) if a < 500 <= b}
    assert len(pairs) == len(set(pairs)) and set(pairs) == expected


@pytest.mark.timeout(60)
def test_a_cancel_stops_the_search_between_steps():
    packed = _hashes(2000, 64, 12)
    job = JobToken()
    steps = []

    def progress(done, total):
        steps.append(done)
        if done == 3:
            job.cancel()

    with pytest.raises(Cancelled):
        for _block in stream_pairs(packed, 64, 12, check=job.check, progress=progress, block=1000):
            pass
    assert steps == [1, 2, 3]


def test_nothing_to_pair():
    one = _hashes(6, 64, 3)[:1]
    assert list(stream_pairs(one, 64, 12)) == []
    assert list(stream_pairs(_hashes(6, 64, 3), 64, -1)) == []
