"""The look-alike index (``core/cleaning/similar.py``, beyond 100,000 images) against the exact search, on a real
photo set's features grown to a large project, in one run.

1. A real photo set (``--dataset``, default cards) with planted copies that perceptual hashes miss, as
   ``similar_duplicates.py`` prepares it (crops, quarter turns, colour-shifted mirrors, rescaled screenshots), its
   features computed: the real photos and the planted pairs.
2. Grown to each of ``--sizes`` images with stand-ins made from those real features: each a random real photo's
   vector times a multiplicative noise of :data:`NOISE` per number (log-normal), enough that a stand-in is rarely a
   look-alike of its photo or of its photo's other stand-ins (a project of many photos of like subjects); the real
   photos and their copies are among them. The stand-ins crowd the photos' neighbourhoods a little, so a few planted
   copies stand out less than among the photos alone (printed first, for reference).
3. At each size: the exact search (sizes up to ``--exact-up-to``) and the index at its defaults, at the app's
   threshold, each timed. Printed: pairs found, the index's recall of the exact search's pairs, the planted real
   copies found by each (recall), seconds and the ratio, and the prepared vectors' memory. Beyond ``--exact-up-to``
   (a million images: hours), the exact scores of the planted pairs and of the pairs the index found, alone.

    python benchmarks/similar_index.py [--dataset cards] [--sizes 100000,1000000] [--exact-up-to 100000]
                                       [--work DIR]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from labelstudio_desktop.core.cleaning import similar  # noqa: E402
from labelstudio_desktop.core.cleaning.similar import (  # noqa: E402
    DEFAULT_SIMILAR,
    exact_pairs,
    indexed_pairs,
    prepared,
)

#: The stand-ins' multiplicative noise (standard deviation of its logarithm), and stand-ins made at a time.
NOISE = 1.2
ROWS = 20_000


def real_features(name: str, work: Path) -> tuple[np.ndarray, set[tuple[int, int]]]:
    """The photo set's features (float32 rows, the planted copies among them) and the planted pairs as row pairs."""
    from similar_duplicates import prepare

    from labelstudio_desktop.core.store.features import load_features
    from labelstudio_desktop.ml.features import compute_features

    args = argparse.Namespace(seed=11, limit=None, per_kind=15)
    store, outcome = prepare(name, work, args)
    try:
        report = compute_features(store)
        print(f"{name}: {outcome.photos} photos, {len(outcome.planted)} planted copies; features: {report.done} "
              f"computed ({report.seconds:.0f} s), {report.skipped} stored before")
        ids, vectors = load_features(store, store.images(include_excluded=False, include_missing=False))
    finally:
        store.close()
    row = {image_id: k for k, image_id in enumerate(ids)}
    pairs = {tuple(sorted((row[a], row[b]))) for a, b in outcome.planted if a in row and b in row}
    return vectors, pairs


def grown(real: np.ndarray, size: int, seed: int) -> np.ndarray:
    """``size`` float16 rows: the real ones first, then stand-ins (see the module's text)."""
    rng = np.random.default_rng(seed)
    out = np.empty((size, real.shape[1]), np.float16)
    out[:len(real)] = real
    for start in range(len(real), size, ROWS):
        stop = min(size, start + ROWS)
        picks = rng.integers(0, len(real), stop - start)
        out[start:stop] = real[picks] * np.exp(rng.normal(0, NOISE, (stop - start, real.shape[1]))).astype(np.float32)
    return out


def timed(search, *args, **kwargs):
    started = time.perf_counter()
    i, j, _score = search(*args, **kwargs)
    return set(zip(i.tolist(), j.tolist(), strict=True)), time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="cards")
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--exact-up-to", type=int, default=similar.MAX_EXACT)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--work", type=Path, help="keep the photo project here (a later run reuses its features)")
    args = parser.parse_args(argv)
    print(f"{os.cpu_count()} CPU cores, load {os.getloadavg()[0]:.1f}; threshold {DEFAULT_SIMILAR}; index: one cell "
          f"per {similar.CELL_SIZE:,} images, {similar.PROBE} probed")
    with tempfile.TemporaryDirectory() as tmp:
        real, planted = real_features(args.dataset, args.work or Path(tmp))
    alone, _seconds = timed(exact_pairs, prepared(real), DEFAULT_SIMILAR)
    print(f"the photos alone, exact: {len(alone)} pairs; planted copies found {len(alone & planted)}/{len(planted)}")
    for size in (int(s) for s in args.sizes.split(",")):
        vectors = grown(real, size, args.seed)
        started = time.perf_counter()
        x = prepared(vectors)
        prepare_s = time.perf_counter() - started
        del vectors
        print(f"\n{size:,} images ({len(real)} real, {len(planted)} planted pairs among them): prepared in "
              f"{prepare_s:.0f} s ({x.nbytes / 2**20:,.0f} MB of prepared vectors)")
        found, index_s = timed(indexed_pairs, x, DEFAULT_SIMILAR)
        exact = None
        if size <= args.exact_up_to:
            exact, exact_s = timed(exact_pairs, x, DEFAULT_SIMILAR)
        print(f"  index: {len(found):,} pairs in {index_s:.0f} s; planted copies found "
              f"{len(found & planted)}/{len(planted)} ({len(found & planted) / max(1, len(planted)):.2f})")
        if exact is None:  # too long to search exactly: the exact scores of the planted and found pairs alone
            would = {pair for pair, score in exact_scores(x, planted | found).items() if score >= DEFAULT_SIMILAR}
            print(f"  exact scores of those pairs alone: the exact search would find {len(would & planted)} of the "
                  f"planted copies; the index finds {len(found & would & planted)} of them, and "
                  f"{len(found - would)} pairs it would not")
        if exact is not None:
            print(f"  exact: {len(exact):,} pairs in {exact_s:.0f} s; planted copies found "
                  f"{len(exact & planted)}/{len(planted)} ({len(exact & planted) / max(1, len(planted)):.2f})")
            print(f"  the index finds {len(found & exact) / max(1, len(exact)):.3f} of the exact pairs "
                  f"({len(found - exact)} others) in {index_s / exact_s:.2f} of the time "
                  f"({exact_s / index_s:.1f}x faster)")
    return 0


def exact_scores(x: np.ndarray, pairs: set[tuple[int, int]]) -> dict[tuple[int, int], float]:
    """The exact search's scores of ``pairs`` of the prepared rows ``x``: their rows' neighbourhoods against every
    row."""
    rows = np.array(sorted({r for pair in pairs for r in pair}), np.int64)
    usual = {}
    for start in range(0, len(rows), 64):
        block = rows[start:start + 64]
        sims = x[block] @ x.T
        sims[np.arange(len(block)), block] = -np.inf
        sims[sims >= similar.SAME] = -np.inf
        usual.update(zip(block.tolist(), similar._top_mean(sims, similar.NEIGHBOURS).tolist(), strict=True))
    return {(i, j): float(x[i] @ x[j]) - (usual[i] + usual[j]) / 2 for i, j in pairs}


if __name__ == "__main__":
    raise SystemExit(main())
