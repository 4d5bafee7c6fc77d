"""Duplicate finding: our hashing + pair search against imagededup's PHash on the same folder, in one run.

The folder: real photos (the sample photos shipped with scikit-image and scikit-learn) cut into 500x400
JPEG pictures (quadrants, centre, mirrored and rotated cuts: distinct pictures), plus planted copies of 60
of them: resized to 75%, recompressed at quality 40, brightened, and cropped by 3% on every side.

Prints images/s of both (encode + find duplicates at the same threshold), the ratio, the recall of each on
the planted pairs, the distinct pairs each reports, the distance ranges used to choose the default threshold,
and the time to search 100,000 random 64-bit hashes.

Needs the bench extras: ``make bench`` installs them (imagededup without its torch dependency, which its
hashing methods do not use; scikit-image and scikit-learn for the photos).

    python benchmarks/dedup_speed.py [--folder DIR] [--threshold N]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import tempfile
import time
import types
from pathlib import Path

import numpy as np
from PIL import Image, ImageEnhance

SIZE = [500, 400]  # --size changes it
PLANTED_SOURCES = 60


def sample_photos() -> dict[str, np.ndarray]:
    from skimage import data

    # left out: retina, colorwheel and logo are mirror-symmetric, so their cuts and mirrored cuts are
    # near duplicates of each other for real, which would blur the "distinct pictures" count
    names = ["astronaut", "camera", "chelsea", "coffee", "rocket", "hubble_deep_field", "brick",
             "grass", "gravel", "coins", "moon", "page", "text", "cell", "immunohistochemistry",
             "microaneurysms", "clock", "horse", "motorcycle"]
    photos = {}
    for name in names:
        try:
            value = getattr(data, name)()
        except Exception:  # noqa: BLE001 - a sample that needs a download is skipped
            continue
        if isinstance(value, tuple):  # motorcycle: (left, right, disparity)
            value = value[0]
        arr = np.asarray(value).astype(np.float64) if np.asarray(value).dtype == bool else np.asarray(value)
        if arr.dtype != np.uint8:
            arr = (255 * (arr.astype(float) - arr.min()) / max(1e-9, float(np.ptp(arr)))).astype(np.uint8)
        photos[name] = arr
    try:
        from sklearn.datasets import load_sample_images

        for name, img in zip(("china", "flower"), load_sample_images().images, strict=True):
            photos[name] = img
    except Exception:  # noqa: BLE001
        pass
    return photos


def _cuts(img: Image.Image) -> list[Image.Image]:
    big = img.convert("RGB").resize((SIZE[0] * 2, SIZE[1] * 2), Image.LANCZOS)
    w, h = SIZE
    quads = [big.crop((x, y, x + w, y + h)) for x in (0, w) for y in (0, h)]
    centre = big.crop((w // 2, h // 2, w // 2 + w, h // 2 + h))
    mirrored = [q.transpose(Image.FLIP_LEFT_RIGHT) for q in quads]
    rotated = big.transpose(Image.ROTATE_90).resize(tuple(SIZE), Image.LANCZOS)
    return [*quads, centre, *mirrored, rotated]


def make_folder(folder: Path) -> tuple[list[tuple[str, str]], list[str]]:
    """Write the pictures and copies; return the planted pairs and the distinct pictures (relative paths)."""
    folder.mkdir(parents=True, exist_ok=True)
    distinct: list[str] = []
    for name, arr in sorted(sample_photos().items()):
        for n, cut in enumerate(_cuts(Image.fromarray(arr))):
            rel = f"{name}_{n:02d}.jpg"
            cut.save(folder / rel, quality=90)
            distinct.append(rel)
    rng = np.random.default_rng(1)
    planted = []
    for rel in rng.choice(distinct, size=min(PLANTED_SOURCES, len(distinct)), replace=False):
        im = Image.open(folder / rel).convert("RGB")
        w, h = im.size
        dx, dy = round(w * 0.03), round(h * 0.03)
        copies = {
            "resized": im.resize((int(w * 0.75), int(h * 0.75)), Image.LANCZOS),
            "q40": im,
            "bright": ImageEnhance.Brightness(im).enhance(1.15),
            "crop3": im.crop((dx, dy, w - dx, h - dy)),
        }
        for kind, copy in copies.items():
            target = f"{Path(rel).stem}__{kind}.jpg"
            copy.save(folder / target, quality=40 if kind == "q40" else 90)
            planted.append((str(rel), target))
    return planted, distinct


def load_imagededup_phash():
    """imagededup's PHash without importing its CNN module (which needs torch, unused by hashing)."""
    spec = importlib.util.find_spec("imagededup")
    if spec is None:
        sys.exit("imagededup is not installed: run `make bench` (or pip install --no-deps imagededup tqdm "
                 "scikit-learn PyWavelets)")
    root = Path(spec.origin).parent
    for sub in ("methods", "utils"):
        module = types.ModuleType(f"imagededup.{sub}")
        module.__path__ = [str(root / sub)]
        sys.modules[f"imagededup.{sub}"] = module
    from imagededup.methods.hashing import PHash

    return PHash


def recall(found: set[frozenset], planted: list[tuple[str, str]]) -> float:
    return sum(frozenset(p) in found for p in planted) / len(planted)


def run_imagededup(folder: Path, threshold: int) -> tuple[float, set[frozenset]]:
    phash_class = load_imagededup_phash()
    start = time.perf_counter()
    hasher = phash_class(verbose=False)
    encodings = hasher.encode_images(image_dir=str(folder))
    duplicates = hasher.find_duplicates(encoding_map=encodings, max_distance_threshold=threshold)
    seconds = time.perf_counter() - start
    pairs = {frozenset((a, b)) for a, others in duplicates.items() for b in others}
    return seconds, pairs


def run_ours(folder: Path, threshold: int) -> tuple[float, set[frozenset], object]:
    from labelstudio_desktop.core.cleaning.dedup import find_duplicates
    from labelstudio_desktop.core.store.store import Store
    from labelstudio_desktop.core.transfer.importer import import_folder

    db = Path(tempfile.mkdtemp()) / "bench.db"
    with Store.create(folder, db) as store:
        start = time.perf_counter()
        import_folder(store)
        imported = time.perf_counter()
        result = find_duplicates(store, threshold=threshold)
        done = time.perf_counter()
    pairs = {frozenset((result.images[p.a].path, result.images[p.b].path)) for p in result.pairs}
    return (imported - start, done - imported), pairs, result


def search_benchmark() -> float:
    from labelstudio_desktop.core.cleaning.hamming import pack_hashes, pairs_within

    rng = np.random.default_rng(0)
    packed = pack_hashes(rng.integers(0, 256, (100_000, 8), dtype=np.uint8), 64)
    start = time.perf_counter()
    pairs_within(packed, 64, 12)
    return time.perf_counter() - start


def main() -> None:
    from labelstudio_desktop.core.cleaning.dedup import DEFAULT_THRESHOLD_64

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folder", type=Path, default=Path(tempfile.mkdtemp(prefix="lsd-dedup-")))
    parser.add_argument("--threshold", type=int, default=DEFAULT_THRESHOLD_64)
    parser.add_argument("--size", type=int, nargs=2, default=SIZE, metavar=("W", "H"),
                        help="size of the pictures (default 500 400; try 2000 1500 for camera-size photos)")
    args = parser.parse_args()
    SIZE[:] = args.size
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    planted, distinct = make_folder(args.folder)
    n = len(list(args.folder.glob("*.jpg")))
    print(f"{n} JPEG pictures of {SIZE[0]}x{SIZE[1]} ({len(distinct)} distinct cuts of real photos + "
          f"{len(planted)} planted copies), threshold {args.threshold} (inclusive), {os.cpu_count()} CPUs")
    theirs_s, theirs = run_imagededup(args.folder, args.threshold)
    (import_s, ours_s), ours, result = run_ours(args.folder, args.threshold)
    distinct_set = set(distinct)

    def false_pairs(found):
        return sum(1 for p in found if p <= distinct_set)

    print(f"imagededup PHash: {n / theirs_s:7.1f} images/s ({theirs_s:.2f} s), recall {recall(theirs, planted):.3f}, "
          f"{false_pairs(theirs)} pairs of distinct pictures")
    print(f"ours            : {n / ours_s:7.1f} images/s ({ours_s:.2f} s hashing + search, empty cache), "
          f"recall {recall(ours, planted):.3f}, {false_pairs(ours)} pairs of distinct pictures")
    print(f"                  the project import before it (reading headers into the store): {import_s:.2f} s; "
          f"both together {n / (import_s + ours_s):.1f} images/s")
    print(f"ratio: {theirs_s / ours_s:.1f}x imagededup's throughput "
          f"({theirs_s / (import_s + ours_s):.1f}x counting the import)")
    _, _, wide_result = run_ours(args.folder, 32)
    dist = {frozenset((wide_result.images[p.a].path, wide_result.images[p.b].path)): p.distance
            for p in wide_result.pairs}
    planted_d = [dist.get(frozenset(p), 99) for p in planted]
    distinct_d = sorted(d for p, d in dist.items() if p <= distinct_set)
    print(f"distances: planted copies max {max(planted_d)} (95th percentile {np.percentile(planted_d, 95):.0f}); "
          f"closest distinct pictures {distinct_d[:5]}")
    print(f"search of 100,000 random 64-bit hashes at threshold 12: {search_benchmark():.2f} s")


if __name__ == "__main__":
    main()
