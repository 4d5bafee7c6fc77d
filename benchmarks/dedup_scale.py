"""Duplicates at a million: ``labelstudio-desktop dedup`` on N small JPEGs in groups of look-alikes (burst shots).

The folder (``make_scale_folder``): ``groups`` folders ``group_XXXX`` of ``count / groups`` distinct 64x48 JPEGs
``img_XXXXXXX.jpg`` each; a folder's images are cuts of one random smooth scene, shifted by up to 2 pixels,
brightened or darkened by up to 10% and with a little noise, so that every file differs but a folder's pictures
are near duplicates of each other (1,000 groups of 1,000 look-alikes at the default million: about 500 million
pairs). Written once in parallel processes and cached under ``~/.cache/labelstudio-desktop/scale`` (or ``--folder``);
``benchmarks/scale.py`` reuses :func:`make_scale_folder` for its import and browser figures.

Then it imports the folder into a project database of its own (next to the folder, so the cached folder keeps no
project), and runs ``labelstudio-desktop dedup`` as a child process from a fresh copy of that database (no cached
hashes), measuring its wall time and its peak memory (the resident set of the process and of its worker processes
together, sampled every 50 ms, and each process's own peak from the kernel). The old algorithm (the commit before
the streaming search, run from a ``git worktree``) is measured the same way at ``--baseline-count`` images
(default 20,000: 20 groups of 1,000), where it still fits, and so is the new one, to print the ratio.

    python benchmarks/dedup_scale.py [--count 1000000] [--groups 1000] [--folder DIR] [--baseline-count 20000]
                                     [--no-baseline] [--search-only]

``--search-only`` times the pair search and grouping alone on synthetic hashes (``--count`` hashes in ``--groups``
clusters, each hash a few bits from its cluster's centre, all distinct: the worst case for the index).
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

CACHE = Path.home() / ".cache" / "labelstudio-desktop" / "scale"
ROOT = Path(__file__).resolve().parent.parent
#: The last commit with the old all-pairs search (the baseline).
BASELINE_COMMIT = "0767977"


def scale_folder(count: int, groups: int) -> Path:
    """Where :func:`make_scale_folder` caches a folder of ``count`` images in ``groups`` groups."""
    return CACHE / f"n{count}_g{groups}"


def _write_group(args: tuple[str, int, int, int]) -> int:
    import numpy as np
    from PIL import Image

    folder, group, first, size = args
    target = Path(folder) / f"group_{group:04d}"
    target.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng((20240, group))
    scene = rng.integers(0, 256, (12, 16, 3), dtype=np.uint8)
    base = np.asarray(Image.fromarray(scene).resize((68, 52), Image.BICUBIC), np.float32)
    for n in range(first, first + size):
        dx, dy = rng.integers(0, 3, 2)
        arr = base[dy:dy + 48, dx:dx + 64] * rng.uniform(0.9, 1.1) + rng.normal(0, 4, (48, 64, 3))
        Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)).save(target / f"img_{n:07d}.jpg", quality=90)
    return size


def make_scale_folder(folder: Path, count: int, groups: int, workers: int | None = None) -> Path:
    """``count`` distinct 64x48 JPEGs in ``groups`` folders ``group_XXXX/img_XXXXXXX.jpg`` of look-alikes (one random
    scene per folder, every picture shifted, brightened and noised a little). Written in parallel processes, once:
    a marker file says the folder is complete, and a second call returns at once."""
    folder = Path(folder)
    marker = folder / f".complete-{count}-{groups}"
    if marker.exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    per, extra = divmod(count, groups)
    jobs, first = [], 0
    for g in range(groups):
        size = per + (1 if g < extra else 0)
        jobs.append((str(folder), g, first, size))
        first += size
    done, started = 0, time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
        for written in pool.map(_write_group, jobs, chunksize=max(1, groups // 64)):
            done += written
            if done % max(1, count // 20) < written:
                print(f"  written {done}/{count} images ({time.perf_counter() - started:.0f} s)", flush=True)
    marker.touch()
    return folder
