"""The pair search shared among worker processes gives the pairs the single search gives, each once, and a cancel
stops its workers."""

from __future__ import annotations

import numpy as np
import pytest

from labelstudio_desktop.core.cleaning.hamming import _brute_force, pack_hashes, stream_pairs
from labelstudio_desktop.core.cleaning.pair_workers import parallel_pairs
from labelstudio_desktop.core.jobs import Cancelled, JobToken


def _hashes(n, seed=0):
    rng = np.random.default_rng(seed)
    raw = rng.integers(0, 256, (n, 8), dtype=np.uint8)
    raw[n // 3:n // 2] = raw[n // 3]
    for k in range(n // 2, n):
        raw[k] = raw[k - n // 2]
        raw[k, rng.integers(0, 8)] ^= 1 << int(rng.integers(0, 8))
    return pack_hashes(raw, 64)


def _pairs(blocks):
    return [(min(a, b), max(a, b)) for i, j, _d in blocks for a, b in zip(i.tolist(), j.tolist(), strict=True)]


@pytest.mark.timeout(120)
def test_workers_give_every_pair_once():
    packed = _hashes(1200)
    steps = []
    parallel = _pairs(parallel_pairs(packed, 64, 10, workers=2, minimum=0, block=700,
                                     progress=lambda done, total: steps.append((done, total))))
    bi, bj = _brute_force(packed, 10)
    assert len(parallel) == len(set(parallel))
    assert set(parallel) == set(zip(bi.tolist(), bj.tolist(), strict=True)) == set(_pairs(stream_pairs(packed, 64, 10)))
    assert steps[-1][0] == steps[-1][1] > 0  # every step of both shares reported
    other = packed.copy()
    other[::2] ^= np.uint64(0b101)
    cross = [(a, b) for i, j, _d in parallel_pairs(packed, 64, 6, other=other, workers=2, minimum=0)
             for a, b in zip(i.tolist(), j.tolist(), strict=True)]
    single = [(a, b) for i, j, _d in stream_pairs(packed, 64, 6, other=other)
              for a, b in zip(i.tolist(), j.tolist(), strict=True)]
    assert sorted(cross) == sorted(single)


@pytest.mark.timeout(120)
def test_a_cancel_stops_the_workers():
    import multiprocessing

    job = JobToken()
    with pytest.raises(Cancelled):
        for _block in parallel_pairs(_hashes(3000), 64, 12, workers=2, minimum=0, block=200, check=job.check):
            job.cancel()
    assert multiprocessing.active_children() == []


def test_small_inputs_stay_in_this_process(monkeypatch):
    import multiprocessing

    def no_processes(*_args, **_kwargs):
        raise AssertionError("no worker for a small search")

    monkeypatch.setattr(multiprocessing, "get_context", no_processes)
    assert _pairs(parallel_pairs(_hashes(300), 64, 10, workers=2)) == _pairs(stream_pairs(_hashes(300), 64, 10))
