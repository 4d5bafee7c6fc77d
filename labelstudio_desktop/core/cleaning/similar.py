"""Look-alike pairs: images whose features are closer to each other than to the rest of the project.

The vectors compared are the images' ``views`` features (:mod:`.features`), prepared on the images searched
(:func:`prepared`): square-rooted, centred on their mean and whitened with shrinkage (the project's most common
directions of variation, the same desk or the same stain in every photo, count less), then scaled to length 1.

A pair's score is their cosine similarity less the mean of the two images' usual similarity to their neighbours
(the mean of each one's :data:`NEIGHBOURS` closest other images, leaving out those at :data:`SAME` or above, which
are look-alikes themselves): two photos in a project where everything looks alike must be much closer than two in a
varied one (cross-domain similarity local scaling, Conneau et al. 2018, halved). A pair at or above the threshold
is a look-alike. :data:`DEFAULT_SIMILAR` comes from ``benchmarks/similar_duplicates.py``.

Up to :data:`MAX_EXACT` images the search is exact: the similarity matrix is computed in blocks of rows (a few tens
of megabytes at a time), twice (neighbourhoods, then pairs). Beyond, an inverted-file index (IVF, as in Jégou et
al. 2011 and faiss, here in NumPy): the prepared vectors are dealt to about one cell per :data:`CELL_SIZE` images by
spherical k-means fitted on a sample, and each cell's images are compared with every image of the :data:`PROBE` cells
whose centres are closest to its own (itself first), for the neighbourhoods and then for the pairs. A pair is found
when either image's cell probes the other's. An image's neighbourhood is taken among the probed images only: when a
close neighbour lies in a cell not probed, its neighbourhood is a little lower and its pairs' scores a little higher
than the exact search's (with every cell probed the two find the same pairs with the same scores).
``benchmarks/similar_index.py`` measures its recall of the exact search's pairs and its speed.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

#: The default threshold of a pair's score (see the module's text).
DEFAULT_SIMILAR = 0.25
#: Most images searched exactly (all pairs); beyond, the index.
MAX_EXACT = 100_000
#: The index: about this many images per cell, each cell compared with its PROBE closest cells; k-means rounds and
#: the sample they are fitted on (images per cell).
CELL_SIZE = 1_000
PROBE = 10
KMEANS_ROUNDS = 8
SAMPLE_PER_CELL = 40
#: Numbers per block of the similarity matrix (float32: 64 MB), and rows prepared at a time.
BLOCK_ELEMENTS = 16_000_000
PREPARE_ROWS = 20_000
#: Whitening: at most this many principal directions, each divided by sqrt(its variance + SHRINK x their mean).
WHITEN_COMPONENTS = 256
SHRINK = 1.0
#: An image's neighbourhood: the mean similarity of its closest other images, leaving out its look-alikes.
NEIGHBOURS = 5
SAME = 0.8


def prepared(vectors: np.ndarray) -> np.ndarray:
    """``vectors`` (one per row, non-negative) square-rooted, centred, whitened with shrinkage and scaled to length
    1, as float32 rows (a row equal to the mean stays 0). Worked through :data:`PREPARE_ROWS` rows at a time, so a
    million float32 rows need no float64 copy of them all."""
    n = vectors.shape[0]
    if n < 2:
        return np.sqrt(np.maximum(np.asarray(vectors, dtype=np.float64), 0.0)).astype(np.float32)
    chunks = [(a, min(n, a + PREPARE_ROWS)) for a in range(0, n, PREPARE_ROWS)]

    def rooted(a: int, b: int) -> np.ndarray:
        return np.sqrt(np.maximum(np.asarray(vectors[a:b], dtype=np.float64), 0.0))

    mean = sum(rooted(a, b).sum(axis=0) for a, b in chunks) / n
    scatter = np.zeros((vectors.shape[1], vectors.shape[1]))
    for a, b in chunks:
        centred = rooted(a, b) - mean
        scatter += centred.T @ centred
    variances, directions = np.linalg.eigh(scatter / n)
    k = min(WHITEN_COMPONENTS, n, vectors.shape[1])
    variances, directions = variances[::-1][:k], directions[:, ::-1][:, :k]
    scale = np.sqrt(np.maximum(variances, 0.0) + SHRINK * max(float(variances.mean()), 1e-12))
    out = np.empty((n, k), np.float32)
    for a, b in chunks:
        y = ((rooted(a, b) - mean) @ directions) / scale
        norms = np.linalg.norm(y, axis=1, keepdims=True)
        out[a:b] = y / np.where(norms > 1e-9, norms, 1.0)
    return out


def _blocks(n: int, check: Callable[[], None] | None, width: int | None = None):
    """(start, stop) of the blocks of ``n`` rows compared with ``width`` others (``n`` by default)."""
    rows = max(1, BLOCK_ELEMENTS // max(n if width is None else width, 1))
    for start in range(0, n, rows):
        if check is not None:
            check()
        yield start, min(n, start + rows)


def _top_mean(sims: np.ndarray, k: int) -> np.ndarray:
    """Each row's mean of its ``k`` largest finite values (0 when it has none)."""
    top = np.partition(sims, -k, axis=1)[:, -k:]
    finite = np.isfinite(top)
    return np.where(finite, top, 0.0).sum(axis=1) / np.maximum(finite.sum(axis=1), 1)


def neighbourhoods(x: np.ndarray, check: Callable[[], None] | None = None) -> np.ndarray:
    """Each row's mean cosine similarity to its :data:`NEIGHBOURS` closest other rows below :data:`SAME` (0 when
    it has none)."""
    n = x.shape[0]
    out = np.zeros(n, np.float32)
    k = min(NEIGHBOURS, n - 1)
    for start, stop in _blocks(n, check) if k >= 1 else ():
        sims = x[start:stop] @ x.T
        sims[np.arange(stop - start), np.arange(start, stop)] = -np.inf
        sims[sims >= SAME] = -np.inf
        out[start:stop] = _top_mean(sims, k)
    return out


def similar_pairs(vectors: np.ndarray, threshold: float,
                  check: Callable[[], None] | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All pairs ``i < j`` of rows of ``vectors`` whose score (see the module's text) is at least ``threshold``:
    arrays i, j and the score (at most 1: in a small project of varied photos the neighbourhoods can be below 0).
    Beyond :data:`MAX_EXACT` rows through the index (:func:`indexed_pairs`). ``check`` is called between blocks (a
    job's cancel check)."""
    n = vectors.shape[0]
    if n < 2:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32)
    x = prepared(vectors)
    return indexed_pairs(x, threshold, check=check) if n > MAX_EXACT else exact_pairs(x, threshold, check)


def exact_pairs(x: np.ndarray, threshold: float,
                check: Callable[[], None] | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`similar_pairs` of the prepared rows ``x``, every pair compared."""
    n = x.shape[0]
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


# --------------------------------------------------------------------------------------------------- the index
class Index:
    """The prepared rows ``x`` dealt to ``cells`` cells by spherical k-means (fitted on a seeded sample), and each
    cell's ``probe`` closest cells (by their centres; itself first)."""

    def __init__(self, x: np.ndarray, cells: int, probe: int, seed: int = 0,
                 check: Callable[[], None] | None = None):
        self.x = x
        rng = np.random.default_rng(seed)
        n = x.shape[0]
        cells = max(1, min(cells, n))
        sample = x[np.sort(rng.choice(n, min(n, cells * SAMPLE_PER_CELL), replace=False))]
        centres = sample[rng.choice(len(sample), cells, replace=False)]
        for _round in range(KMEANS_ROUNDS):
            if check is not None:
                check()
            centres = _recentred(sample, _nearest(sample, centres), centres, rng)
        self.cell = _nearest(x, centres, check)
        self.order = np.argsort(self.cell, kind="stable")
        self.starts = np.concatenate([[0], np.cumsum(np.bincount(self.cell, minlength=cells))])
        closeness = centres @ centres.T
        np.fill_diagonal(closeness, np.inf)
        self.near = np.argsort(-closeness, axis=1, kind="stable")[:, :max(1, min(probe, cells))]

    def members(self, cell: int) -> np.ndarray:
        return self.order[self.starts[cell]:self.starts[cell + 1]]

    def blocks(self, check: Callable[[], None] | None = None):
        """(rows, candidates, their similarities): each cell's rows, a block at a time, against every row of the
        cells it probes (sorted indexes; the rows are among the candidates)."""
        for cell in range(len(self.near)):
            rows = self.members(cell)
            if not len(rows):
                continue
            candidates = np.sort(np.concatenate([self.members(int(c)) for c in self.near[cell]]))
            against = self.x[candidates].T
            step = max(1, BLOCK_ELEMENTS // len(candidates))
            for start in range(0, len(rows), step):
                if check is not None:
                    check()
                block = rows[start:start + step]
                yield block, candidates, self.x[block] @ against


def _nearest(x: np.ndarray, centres: np.ndarray, check: Callable[[], None] | None = None) -> np.ndarray:
    """Each row's closest centre (largest cosine)."""
    out = np.empty(x.shape[0], np.int64)
    for start, stop in _blocks(x.shape[0], check, len(centres)):
        out[start:stop] = np.argmax(x[start:stop] @ centres.T, axis=1)
    return out


def _recentred(sample: np.ndarray, nearest: np.ndarray, centres: np.ndarray,
               rng: np.random.Generator) -> np.ndarray:
    """One k-means step: each centre the normalised mean of its sample rows; an empty cell takes a random row."""
    order = np.argsort(nearest, kind="stable")
    counts = np.bincount(nearest, minlength=len(centres))
    filled = np.flatnonzero(counts)
    sums = np.add.reduceat(sample[order], np.concatenate([[0], np.cumsum(counts)[:-1]])[filled], axis=0)
    out = sample[rng.choice(len(sample), len(centres))].copy()
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    out[filled] = sums / np.where(norms > 1e-9, norms, 1.0)
    return out


def indexed_pairs(x: np.ndarray, threshold: float, cells: int | None = None, probe: int | None = None, seed: int = 0,
                  check: Callable[[], None] | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`similar_pairs` of the prepared rows ``x`` through an :class:`Index` of ``cells`` cells (one per
    :data:`CELL_SIZE` rows by default) probing ``probe`` cells each (:data:`PROBE` by default): the neighbourhoods
    and the pairs among the probed rows only."""
    n = x.shape[0]
    index = Index(x, cells or max(1, round(n / CELL_SIZE)), probe or PROBE, seed, check)
    usual = np.zeros(n, np.float32)
    for rows, candidates, sims in index.blocks(check):
        sims[np.arange(len(rows)), np.searchsorted(candidates, rows)] = -np.inf
        sims[sims >= SAME] = -np.inf
        k = min(NEIGHBOURS, len(candidates) - 1)
        if k >= 1:
            usual[rows] = _top_mean(sims, k)
    keys, found = [], []
    for rows, candidates, sims in index.blocks(check):
        scores = sims - (usual[rows, None] + usual[None, candidates]) / 2
        bi, bj = np.nonzero(scores >= threshold)
        i, j = rows[bi], candidates[bj]
        keep = i != j
        keys.append(np.minimum(i, j)[keep] * n + np.maximum(i, j)[keep])
        found.append(scores[bi[keep], bj[keep]])
    keys, first = np.unique(np.concatenate(keys), return_index=True)
    return keys // n, keys % n, np.minimum(np.concatenate(found)[first], 1.0)
