"""What durability costs: per edit, on opening, and how long the app's edit waits for a CLI import.

1. Cost per edit of ``synchronous=FULL`` (the store's level: an acknowledged edit survives a power loss) against
   ``NORMAL`` (survives a crash of the program only), in WAL mode, on the same database, edits as the app makes them
   (one transaction each: a box added, an image's class set). Ratio FULL / NORMAL.
2. Opening: the quick integrity check and the backup taken on open, against a plain open, for the database size.
3. The app's edit during a CLI import (``import`` in another process): the longest wait of an edit made every
   20 ms. Ours: files read holding no lock, written in commits of at most 50 ms of reading. Baseline: the former
   import's pattern, batches of 200 images and 100 masks, each mask read inside its batch's transaction (the same
   import with the read-ahead switched off). An SQLite writer that waits polls every 100 ms at most, so a lock
   released and taken again at once starves it: that is what the baseline shows. Ratio.

Usage::

    python benchmarks/durability.py [--edits 300] [--images 400] [--folder DIR]
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from labelstudio_desktop.core.store import backups, integrity, relocate  # noqa: E402
from labelstudio_desktop.core.store.store import BoxRecord, Store  # noqa: E402


def make_images(folder: Path, count: int, size: tuple[int, int] = (1600, 1200)) -> None:
    """``count`` distinct photo-sized JPEGs in ``images/`` with a mask each in ``masks/`` (written once, reused)."""
    import numpy as np
    from PIL import Image

    marker = folder / f".complete-{count}"
    if marker.exists():
        return
    rng = np.random.default_rng(0)
    base = rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)
    yy, xx = np.mgrid[0:size[1], 0:size[0]]
    for i in range(count):
        target = folder / "images" / f"img_{i:05d}.jpg"
        target.parent.mkdir(parents=True, exist_ok=True)
        arr = np.roll(base, i * 7, axis=1)
        Image.fromarray(arr).save(target, quality=85)
        mask = folder / "masks" / f"img_{i:05d}.png"
        mask.parent.mkdir(parents=True, exist_ok=True)
        blob = (xx - size[0] / 2 - i) ** 2 + (yy - size[1] / 2) ** 2 < (size[1] / 4) ** 2
        Image.fromarray((blob * 255).astype(np.uint8)).save(mask)
    marker.touch()


def edit_cost(folder: Path, edits: int) -> dict[str, float]:
    """Median and mean milliseconds per edit at each synchronous level."""
    out = {}
    with Store.open(folder) as store:
        ids = [img.id for img in store.images()]
        for level in ("NORMAL", "FULL", "NORMAL", "FULL"):  # twice each, interleaved: the disk's mood is shared
            store.conn.execute(f"PRAGMA synchronous={level}")
            times = []
            for n in range(edits):
                image_id = ids[n % len(ids)]
                t = time.perf_counter()
                if n % 2:
                    store.insert_box(BoxRecord(0, image_id, "cat", 1, 1, 10 + n % 50, 10))
                else:
                    store.update_image_fields(image_id, {"label": f"c{n % 7}"})
                times.append((time.perf_counter() - t) * 1000)
            out.setdefault(level, []).extend(times)
    return {f"{level} {stat}": f(values) for level, values in out.items()
            for stat, f in (("median", statistics.median), ("mean", statistics.fmean))}


def grow(folder: Path, megabytes: float) -> None:
    """Add mask rows (100 KB of incompressible PNG-like bytes each) until the database holds ``megabytes``."""
    rng = random.Random(0)
    with Store.open(folder) as store:
        ids = [img.id for img in store.images()]
        n = 0
        while store.db_path.stat().st_size + Path(f"{store.db_path}-wal").stat().st_size < megabytes * 1e6:
            with store.transaction():
                for _ in range(20):
                    store.add_mask(ids[n % len(ids)], "blob", rng.randbytes(100_000))
                    n += 1
            store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def open_cost(folder: Path, repeats: int = 5) -> dict[str, float]:
    db = folder / relocate.DB_DIRNAME / relocate.DB_FILENAME
    plain, checked, backed = [], [], []
    for _ in range(repeats):
        t = time.perf_counter()
        sqlite3.connect(db).execute("SELECT COUNT(*) FROM images").fetchone()
        plain.append(time.perf_counter() - t)
        t = time.perf_counter()
        integrity.check(db, force=True)
        checked.append(time.perf_counter() - t)
        conn = sqlite3.connect(db)
        t = time.perf_counter()
        backups.make_backup(conn, db)
        backed.append(time.perf_counter() - t)
        conn.close()
    return {"size MB": db.stat().st_size / 1e6, "plain open ms": 1000 * statistics.median(plain),
            "quick_check ms": 1000 * statistics.median(checked), "backup ms": 1000 * statistics.median(backed)}


BASELINE = ("import sys; from labelstudio_desktop.core.transfer import importer, mask_import; "
            "importer.INGEST_SECONDS = mask_import.BATCH_SECONDS = 1e9; "  # fixed batches: 200 images, 100 masks
            "mask_import._read_ahead = lambda *a: None; "  # each mask read by _import_one, inside the transaction
            "from labelstudio_desktop.cli import main; sys.exit(main(['import', sys.argv[1], '--db', sys.argv[2]]))")
OURS = ("import sys; from labelstudio_desktop.cli import main; "
        "sys.exit(main(['import', sys.argv[1], '--db', sys.argv[2]]))")


def waits_during_import(images: Path, code: str) -> tuple[float, float, int]:
    """Import ``images`` (a new project) in another process running ``code``, while this process makes an edit every
    20 ms: (longest wait ms, median wait ms, edits)."""
    db = Path(tempfile.mkdtemp()) / "p.db"
    with Store.create(images, db) as store:  # the app's project, open before the import starts
        store.set_setting("bench", 0)
    proc = subprocess.Popen([sys.executable, "-c", code, str(images), str(db)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    waits: list[float] = []
    with Store.open(db) as app:
        n = 0
        while proc.poll() is None:
            t = time.perf_counter()
            app.set_setting("bench", n)
            waits.append((time.perf_counter() - t) * 1000)
            n += 1
            time.sleep(0.02)
    return max(waits, default=0.0), statistics.median(waits) if waits else 0.0, len(waits)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--edits", type=int, default=300)
    parser.add_argument("--images", type=int, default=400)
    parser.add_argument("--skip-import", action="store_true", help="measures 1 and 2 only")
    parser.add_argument("--big-mb", type=float, default=100, help="database size of the second opening measure")
    parser.add_argument("--folder", type=Path, default=Path(tempfile.gettempdir()) / "lsd-bench-durability2")
    args = parser.parse_args()
    images = args.folder
    make_images(images, args.images)
    work = Path(tempfile.mkdtemp()) / "p"
    work.mkdir()
    for p in sorted((images / "images").glob("*.jpg"))[:50]:
        os.link(p, work / p.name) if hasattr(os, "link") else None
    from labelstudio_desktop.core.transfer.importer import import_folder

    with Store.create(work) as store:
        import_folder(store)

    cost = edit_cost(work, args.edits)
    print(f"1. cost per edit, WAL, {args.edits * 2} edits per level (one transaction each):")
    for key, value in cost.items():
        print(f"   {key:15} {value:7.3f} ms")
    print(f"   FULL / NORMAL: {cost['FULL median'] / cost['NORMAL median']:.2f}x median, "
          f"{cost['FULL mean'] / cost['NORMAL mean']:.2f}x mean "
          f"(+{cost['FULL median'] - cost['NORMAL median']:.3f} ms per edit)")

    for target_mb in (0, args.big_mb):
        if target_mb:
            grow(work, target_mb)
        opened = open_cost(work, repeats=3)
        print(f"2. opening a {opened['size MB']:.1f} MB database: plain {opened['plain open ms']:.1f} ms, "
              f"quick_check {opened['quick_check ms']:.1f} ms, backup {opened['backup ms']:.1f} ms")

    if args.skip_import:
        return
    print(f"3. the app's edit (every 20 ms) during a CLI import of {args.images} photos of 1600x1200 with a mask each:")
    ours = waits_during_import(images, OURS)
    before = waits_during_import(images, BASELINE)
    for name, (longest, median, n) in (("ours", ours), ("reading in the lock", before)):
        print(f"   {name:19} longest wait {longest:7.1f} ms, median {median:5.1f} ms ({n} edits)")
    print(f"   longest wait, baseline / ours: {before[0] / max(ours[0], 1e-6):.1f}x")


if __name__ == "__main__":
    main()
