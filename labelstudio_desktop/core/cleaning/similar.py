"""Look-alike pairs: images whose features are closer to each other than to the rest of the project.

The vectors compared are the images' ``views`` features (:mod:`.features`), prepared on the images searched
(:func:`prepared`): square-rooted, centred on their mean and whitened with shrinkage (the project's most common
directions of variation, the same desk or the same stain in every photo, count less), then scaled to length 1.

A pair's score is their cosine similarity less the mean of the two images' usual similarity to their neighbours
(the mean of each one's :data:`NEIGHBOURS` closest other images, leaving out those at :data:`SAME` or above, which
are look-alikes themselves): two photos in a project where everything looks alike must be much closer than two in a
varied one (cross-domain similarity local scaling, Conneau et al. 2018, halved). A pair at or above the threshold
is a look-alike. :data:`DEFAULT_SIMILAR` comes from ``benchmarks/similar_duplicates.py``.

The search is exact: the similarity matrix is computed in blocks of rows (a few tens of megabytes at a time), twice
(neighbourhoods, then pairs). Beyond :data:`MAX_EXACT` images it refuses with a plain message (an approximate index
is left for later, issue 23).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

#: The default threshold of a pair's score (see the module's text).
DEFAULT_SIMILAR = 0.25
#: Most images searched exactly (all pairs).
MAX_EXACT = 100_000
#: Numbers per block of the similarity matrix (float32: 64 MB).
BLOCK_ELEMENTS = 16_000_000
#: Whitening: at most this many principal directions, each divided by sqrt(its variance + SHRINK x their mean).
WHITEN_COMPONENTS = 256
SHRINK = 1.0
#: An image's neighbourhood: the mean similarity of its closest other images, leaving out its look-alikes.
NEIGHBOURS = 5
SAME = 0.8


class TooManyImages(ValueError):
    """More images than the exact search takes."""


def prepared(vectors: np.ndarray) -> np.ndarray:
    """``vectors`` (one per row, non-negative) square-rooted, centred, whitened with shrinkage and scaled to length
    1, as float32 rows (a row equal to the mean stays 0)."""
    x = np.sqrt(np.maximum(np.asarray(vectors, dtype=np.float64), 0.0))
    n = x.shape[0]
    if n < 2:
        return x.astype(np.float32)
    x -= x.mean(axis=0, keepdims=True)
    variances, directions = np.linalg.eigh(x.T @ x / n)
    k = min(WHITEN_COMPONENTS, n, x.shape[1])
    variances, directions = variances[::-1][:k], directions[:, ::-1][:, :k]
    scale = np.sqrt(np.maximum(variances, 0.0) + SHRINK * max(float(variances.mean()), 1e-12))
    y = (x @ directions) / scale
    norms = np.linalg.norm(y, axis=1, keepdims=True)
    return (y / np.where(norms > 1e-9, norms, 1.0)).astype(np.float32)


def _blocks(n: int, check: Callable[[], None] | None):
    rows = max(1, BLOCK_ELEMENTS // max(n, 1))
    for start in range(0, n, rows):
        if check is not None:
            check()
        yield start, min(n, start + rows)


def neighbourhoods(x: np.ndarray, check: Callable[[], None] | None = None) -> np.ndarray:
    """Each row's mean cosine similarity to its :data:`NEIGHBOURS` closest other rows below :data:`SAME` (0 when
    it has none)."""
    n = x.shape[0]
    out = np.zeros(n, np.float32)
    for start, stop in _blocks(n, check):
        sims = x[start:stop] @ x.T
        sims[np.arange(stop - start), np.arange(start, stop)] = -np.inf
        sims[sims >= SAME] = -np.inf
        k = min(NEIGHBOURS, n - 1)
        if k < 1:
            continue
        top = np.partition(sims, -k, axis=1)[:, -k:]
        finite = np.isfinite(top)
        out[start:stop] = np.where(finite, top, 0.0).sum(axis=1) / np.maximum(finite.sum(axis=1), 1)
    return out


def similar_pairs(vectors: np.ndarray, threshold: float,
                  check: Callable[[], None] | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All pairs ``i < j`` of rows of ``vectors`` whose score (see the module's text) is at least ``threshold``:
    arrays i, j and the score (at most 1: in a small project of varied photos the neighbourhoods can be below 0).
    ``check`` is called between blocks (a job's cancel check)."""
    n = vectors.shape[0]
    if n > MAX_EXACT:
        raise TooManyImages(f"{n:,} images: the look-alike search compares every pair exactly, up to "
                            f"{MAX_EXACT:,} images; exclude some, or search without look-alikes")
    if n < 2:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32)
    x = prepared(vectors)
    usual = neighbourhoods(x, check)
    found_i, found_j, found_s = [], [], []
    for start, stop in _blocks(n, check):
        scores = x[start:stop] @ x.T - (usual[start:stop, None] + usual[None, :]) / 2
        bi, j = np.nonzero(scores >= threshold)
        i = bi + start
        keep = i < j
        found_i.append(i[keep])
        found_j.append(j[keep])
        found_s.append(scores[bi[keep], j[keep]])
    return np.concatenate(found_i), np.concatenate(found_j), np.minimum(np.concatenate(found_s), 1.0)
