"""The dataset map at 100,000 images: placing the points and drawing them, each beside its plain baseline, in one run.

- placing: PCA to two dimensions of N x 1,280 feature vectors (float32; clusters plus noise, as image features
  are), by the map's randomised SVD (``core/dataset_map.py``) against an exact SVD of the centred matrix (NumPy's
  LAPACK), with how well the two agree (correlation of each axis);
- drawing: the map's NumPy picture (every point a small square of its colour, as the app shows it) against drawing
  the same points with matplotlib's ``scatter`` into a PNG-sized canvas (Agg), the usual way to plot a projection.

Prints the seconds of each, the ratios and the agreement. Target (issue 23): drawn fast for 100,000 points.

    python benchmarks/dataset_map.py [--points 100000] [--dim 1280] [--side 800]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from labelstudio_desktop.core.dataset_map import colours_of, principal_components, render  # noqa: E402


def features(n: int, dim: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` vectors around 12 centres (non-negative, as pooled ReLU features are) and their centre."""
    rng = np.random.default_rng(seed)
    centres = rng.gamma(1.0, 1.0, (12, dim)).astype(np.float32)
    which = rng.integers(0, 12, n)
    return np.maximum(0, centres[which] + rng.normal(0, 0.6, (n, dim)).astype(np.float32)), which


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - start


def exact_pca(x: np.ndarray) -> np.ndarray:
    centred = x - x.mean(axis=0)
    return centred @ np.linalg.svd(centred, full_matrices=False)[2][:2].T


def matplotlib_scatter(xy: np.ndarray, colours: np.ndarray, side: int) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    fig = plt.figure(figsize=(side / 100, side / 100), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.scatter(xy[:, 0], xy[:, 1], s=4, c=colours / 255.0, marker="s", linewidths=0)
    fig.canvas.draw()
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--dim", type=int, default=1280)
    parser.add_argument("--side", type=int, default=800)
    args = parser.parse_args(argv)
    print(f"{args.points} points of {args.dim} dimensions, a {args.side} px square, {os.cpu_count()} CPU cores, "
          f"load {os.getloadavg()[0]:.1f}")
    x, which = features(args.points, args.dim)
    ours, ours_s = timed(principal_components, x, 2)
    exact, exact_s = timed(exact_pca, x)
    agree = [abs(np.corrcoef(ours[:, k], exact[:, k])[0, 1]) for k in range(2)]
    print(f"placing (PCA to 2-D):  randomised SVD {ours_s:.2f} s   exact SVD {exact_s:.2f} s   "
          f"ratio {exact_s / ours_s:.1f}x   agreement (|correlation| per axis) {agree[0]:.4f}, {agree[1]:.4f}")

    xy = (ours - ours.min(axis=0)) / np.ptp(ours, axis=0).max()
    colours = colours_of(which.astype(np.int32))
    render(xy[:100], colours[:100], args.side, args.side)  # warm up
    _picture, draw_s = timed(render, xy, colours, args.side, args.side, 3)
    try:
        _none, plt_s = timed(matplotlib_scatter, xy, colours, args.side)
    except ImportError:
        print(f"drawing: ours {draw_s * 1000:.0f} ms; matplotlib is not installed (make bench installs it)")
        return 0
    print(f"drawing {args.points} points: ours {draw_s * 1000:.0f} ms   matplotlib scatter {plt_s * 1000:.0f} ms   "
          f"ratio {plt_s / draw_s:.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
