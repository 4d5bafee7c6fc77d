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
together, sampled every 50 ms, and the largest single process's peak from the kernel). The old algorithm (dedup,
hamming and hashing as they were at BASELINE_COMMIT, before the streaming search, read from git into a copy of this
tree so that it reads today's database) runs ``find_duplicates`` the same way at ``--baseline-count`` images
(default 20,000: 20 groups of 1,000, about 9 million pairs), where it still fits, and so does the new one, to print
the ratio.

    python benchmarks/dedup_scale.py [--count 1000000] [--groups 1000] [--folder DIR] [--baseline-count 20000]
                                     [--no-baseline] [--search-only]

``--search-only`` times the pair search and grouping alone on synthetic hashes (``--count`` hashes in ``--groups``
clusters, each hash a few bits from its cluster's centre, all distinct: the worst case for the index).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
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


# ------------------------------------------------------------------------------------------ measuring
def _tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants (from /proc)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
                        break
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except (OSError, ValueError):
            continue
    return total


def measure(command: list[str], env: dict | None = None, out: Path | None = None) -> dict:
    """Run a command; its wall time, the peak of its process tree's resident memory (sampled every 50 ms) and the
    largest peak of one process in it (the kernel's own count), its first line of output and its exit code."""
    target = open(out, "w") if out else subprocess.DEVNULL  # noqa: SIM115 - closed below
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=target, stderr=subprocess.PIPE, env=env, text=True)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss(child.pid))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _pid, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    child.returncode = os.waitstatus_to_exitcode(status)
    err = child.stderr.read() if child.stderr else ""
    if out:
        target.close()
    first = out.read_text().split("\n", 1)[0] if out and out.exists() else ""
    own = usage.ru_maxrss * 1024  # the largest of the process and its waited-for workers
    return {"seconds": seconds, "tree_peak_mb": peak[0] / 2**20, "process_peak_mb": own / 2**20, "line": first,
            "code": child.returncode, "stderr": err[-2000:]}


def cli(root: Path | None = None) -> list[str]:
    """The command line of ``labelstudio-desktop`` from a source tree (this one by default)."""
    code = f"import sys; sys.path.insert(0, {str(root or ROOT)!r}); from labelstudio_desktop.cli import main; " \
           "sys.exit(main())"
    return [sys.executable, "-c", code]


def imported(folder: Path) -> Path:
    """The folder imported once into a database next to it (the folder itself keeps no project)."""
    db = folder.parent / f"{folder.name}.db"
    done = folder.parent / f"{folder.name}.db.imported"
    if not done.exists():
        db.unlink(missing_ok=True)
        print(f"importing {folder} ...", flush=True)
        run = measure([*cli(), "import", str(folder), "--db", str(db)])
        if run["code"] not in (0, 2):
            sys.exit(f"import failed: {run['stderr']}")
        print(f"  imported in {run['seconds']:.0f} s, peak {run['tree_peak_mb']:.0f} MB", flush=True)
        done.touch()
    return db


def baseline_tree(work: Path) -> Path:
    """This source tree with the old duplicate search (``core/cleaning``'s dedup, hamming and hashing as they were at
    BASELINE_COMMIT, read from git), so that both read today's database."""
    target = work / "baseline"
    if not (target / "labelstudio_desktop").exists():
        shutil.copytree(ROOT / "labelstudio_desktop", target / "labelstudio_desktop",
                        ignore=shutil.ignore_patterns("__pycache__"))
        for name in ("dedup", "hamming", "hashing"):
            rel = f"labelstudio_desktop/core/cleaning/{name}.py"
            old = subprocess.run(["git", "-C", str(ROOT), "show", f"{BASELINE_COMMIT}:{rel}"], check=True,
                                 capture_output=True).stdout
            (target / rel).write_bytes(old)
    return target


#: What the baseline comparison runs in each tree: find_duplicates on the project, its pairs and groups counted.
DRIVER = """import sys
sys.path.insert(0, sys.argv[1])
from labelstudio_desktop.core.cleaning.dedup import find_duplicates
from labelstudio_desktop.core.store.store import Store
with Store.open(sys.argv[2], sys.argv[3]) as store:
    result = find_duplicates(store)
found = getattr(result, "pairs_found", len(result.pairs))
print(f"{len(result.images)} images: {found} pairs ({len(result.pairs)} listed) in {len(result.groups)} groups")
"""


def dedup_run(folder: Path, db: Path, work: Path, root: Path | None = None, label: str = "") -> dict:
    """``dedup`` from a fresh copy of the imported database (no cached hashes): the command line of this tree, or with
    ``root`` :data:`DRIVER` in that tree (find_duplicates alone)."""
    fresh = work / f"run-{label}.db"
    shutil.copy(db, fresh)
    for suffix in ("-wal", "-shm"):
        Path(str(fresh) + suffix).unlink(missing_ok=True)
    out = work / f"dedup-{label}.txt"
    if root is None:
        command = [*cli(), "dedup", str(folder), "--db", str(fresh)]
    else:
        command = [sys.executable, "-c", DRIVER, str(root), str(folder), str(fresh)]
    run = measure(command, out=out)
    fresh.unlink(missing_ok=True)
    if run["code"] != 0:
        print(f"  {label}: exit {run['code']}: {run['stderr'][-600:]}")
    return run


def show(label: str, count: int, run: dict) -> None:
    state = "ok" if run["code"] == 0 else f"FAILED (exit {run['code']})"
    print(f"{label:<10} {count:>9,} images  {run['seconds']:8.1f} s  tree peak {run['tree_peak_mb']:7.0f} MB  "
          f"largest process {run['process_peak_mb']:6.0f} MB  {state}")
    if run["line"]:
        print(f"           {run['line']}")


# ------------------------------------------------------------------------------------------ search only
def synthetic(count: int, groups: int, seed: int = 0):
    """``count`` distinct 64-bit hashes in ``groups`` clusters, each 0 to 3 bits from its cluster's centre."""
    import numpy as np

    rng = np.random.default_rng(seed)
    centre = rng.integers(0, 2**63, groups, dtype=np.uint64)[np.arange(count) % groups]
    flips = np.zeros(count, np.uint64)
    for _ in range(3):
        flips |= np.uint64(1) << rng.integers(0, 64, count).astype(np.uint64)
    return (centre ^ flips)[:, None]


def search_only(count: int, groups: int, threshold: int) -> None:
    import resource as res

    import numpy as np

    from labelstudio_desktop.core.cleaning.grouping import Grouping, collapse
    from labelstudio_desktop.core.cleaning.pair_workers import parallel_pairs
    from labelstudio_desktop.core.cleaning.prints import cores

    packed = synthetic(count, groups)
    started = time.perf_counter()
    node_of, counts, firsts = collapse(packed, np.zeros(count, bool))
    grouping = Grouping(node_of, counts, firsts)
    for i, j, d in parallel_pairs(packed[firsts], 64, threshold, workers=cores()):
        grouping.add(i, j, d)
    found = grouping.finish(np.arange(count))
    seconds = time.perf_counter() - started
    peak = res.getrusage(res.RUSAGE_SELF).ru_maxrss / 1024
    workers = res.getrusage(res.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"search only: {count:,} hashes ({len(firsts):,} distinct) in {groups:,} clusters, threshold {threshold}: "
          f"{seconds:.1f} s on {cores()} cores, peak {peak:.0f} MB (this process; largest worker {workers:.0f} MB), "
          f"{found.pairs_found:,} pairs found, "
          f"{len(found.kept):,} kept, {found.count:,} groups")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--groups", type=int, default=1000)
    parser.add_argument("--folder", type=Path, help="where the images are (default: a cache folder)")
    parser.add_argument("--baseline-count", type=int, default=20_000)
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--search-only", action="store_true")
    parser.add_argument("--threshold", type=int, default=12, help="--search-only's threshold")
    args = parser.parse_args()
    if args.search_only:
        search_only(args.count, args.groups, args.threshold)
        return
    with tempfile.TemporaryDirectory(prefix="dedup-scale-") as tmp:
        work = Path(tmp)
        rows = []
        if not args.no_baseline:
            per_group = max(1, args.count // args.groups)
            small = args.baseline_count
            small_groups = max(1, small // per_group)
            folder = make_scale_folder(scale_folder(small, small_groups), small, small_groups)
            db = imported(folder)
            old = dedup_run(folder, db, work, baseline_tree(work), "baseline")
            new = dedup_run(folder, db, work, ROOT, "ours-small")
            show("baseline", small, old)
            show("ours", small, new)
            if old["code"] == 0 and new["code"] == 0:
                print(f"           ratio at {small:,}: {old['seconds'] / new['seconds']:.1f}x faster, "
                      f"{old['tree_peak_mb'] / new['tree_peak_mb']:.1f}x less memory (tree peaks)")
            rows.append((small, old, new))
        folder = args.folder or scale_folder(args.count, args.groups)
        make_scale_folder(folder, args.count, args.groups)
        db = imported(folder)
        big = dedup_run(folder, db, work, None, "ours")
        show("ours", args.count, big)
        target = big["seconds"] <= 600 and big["tree_peak_mb"] <= 1024
        print(f"           target (<= 600 s, <= 1024 MB): {'met' if target else 'MISSED'}")


if __name__ == "__main__":
    main()
