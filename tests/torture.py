"""Crash torture: ``kill -9`` at random points of an import, an export, a quarantine (and its undo), a tiny training
run and an edit loop, each in its own process on a fresh copy of a project; then the checks that matter.

After every kill: ``PRAGMA integrity_check`` is ``ok``; the project opens; every edit the edit loop acknowledged
(printed after its commit returned) is in the database; every image file is either in the image folder or (marked
missing) in the quarantine folder, never lost or in both; a re-run of the killed import or export completes without
``--overwrite``; a killed training run is marked interrupted and its recorded model file is whole.

Short mode (CI, ``tests/e2e/test_torture.py``): a few trials of each kind, about a minute on 2 cores. Long mode by
hand::

    python tests/torture.py                 # short
    python tests/torture.py --trials 40     # 40 trials of each kind
    python tests/torture.py --kinds edit,quarantine --trials 100 --seed 3

Exit code 0 when every check held; each failure is printed with its trial's seed.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

KINDS = ("edit", "import", "export", "quarantine", "train")
#: Kills land uniformly in (0.2 s, this many seconds) after the process starts (quarantine: after a random move);
#: import and export: up to the duration of a whole run, measured first.
WINDOW = {"edit": 2.0, "import": 1.5, "export": 1.5, "train": 30.0}
EXPORT_FORMATS = ("voc", "yolo", "crops", "coco", "labelme")
EXPORTS = itertools.count()
SHORT_TRIALS = {"edit": 3, "import": 3, "export": 4, "quarantine": 4, "train": 1}

EDIT_LOOP = """
import sys
from labelstudio_desktop.core.editing.commands import AddBox, History, SetImageFields
from labelstudio_desktop.core.store.store import BoxRecord, Store
store = Store.open(sys.argv[1])
history, ids, n = History(store), [img.id for img in store.images()], 0
while True:
    image_id = ids[n % len(ids)]
    history.push(AddBox(BoxRecord(0, image_id, f"edit{n}", 1, 1, 2 + n % 50, 3 + n % 40)))
    if n % 5 == 0:
        history.push(SetImageFields(store, image_id, value=float(n)))
    if n % 7 == 6 and n % 5:
        history.undo()  # the box added last is gone again: acknowledged as undone
        print(f"undo {n}", flush=True)
    else:
        print(f"ack {n}", flush=True)
    n += 1
"""

QUARANTINE = """
import os, signal, sys
from labelstudio_desktop.core.store import file_moves
from labelstudio_desktop.core.cleaning.resolve import QuarantineExcluded
from labelstudio_desktop.core.store.store import Store
folder, after, phase = sys.argv[1], int(sys.argv[2]), sys.argv[3]
real, moved = file_moves.move, []
def move(src, dst):  # the real move; a real SIGKILL after the n-th
    real(src, dst)
    moved.append(dst)
    if len(moved) == after:
        os.kill(os.getpid(), signal.SIGKILL)
store = Store.open(folder)
store.conn.execute("UPDATE images SET excluded=1 WHERE id % 2 = 0")
command = QuarantineExcluded(store)
if phase == "undo":
    command.do(store)
file_moves.move = move
command.undo(store) if phase == "undo" else command.do(store)
"""


def cli(*args: object) -> list[str]:
    return [sys.executable, "-m", "labelstudio_desktop", *map(str, args)]


def make_template(where: Path, per_class: int) -> Path:
    """Three class folders of small real JPEGs, imported, each image with an accepted box, verified, split."""
    from helpers import write_image

    from labelstudio_desktop.core.cleaning.split import assign_splits
    from labelstudio_desktop.core.store.store import BoxRecord, Store
    from labelstudio_desktop.core.transfer.importer import import_folder

    folder = where / "images"
    for c, name in enumerate(("apple", "pear", "plum")):
        for i in range(per_class):
            write_image(folder / name / f"{name}_{i:03d}.jpg", w=64, h=48, seed=c * 1000 + i)
    with Store.create(folder) as store:
        import_folder(store)
        for img in store.images():
            store.insert_box(BoxRecord(0, img.id, img.label, 4, 4, 40, 30))
            store.update_image_fields(img.id, {"status": "verified"})
        assign_splits(store, [], (0.6, 0.2, 0.2), seed=0)
    return folder


def fresh_copy(template: Path, where: Path) -> Path:
    shutil.copytree(template.parent, where)
    return where / "images"


def _epochs_recorded(db: Path) -> int:
    """Epochs the last training run has recorded (its history persisted per epoch), read without writing."""
    import json

    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            row = conn.execute("SELECT history FROM runs ORDER BY id DESC LIMIT 1").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return -1
    return len(json.loads(row[0]).get("loss", [])) if row else -1


def _listing(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_size for p in folder.rglob("*") if p.is_file()}


def integrity(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def start_and_kill(cmd: list[str], delay: float, stdout=subprocess.DEVNULL) -> tuple[subprocess.Popen, bool]:
    """Run ``cmd``; SIGKILL it after ``delay`` seconds unless it finished. Returns (process, killed)."""
    proc = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        proc.wait(timeout=delay)
        return proc, False
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        return proc, True


class Trial:
    def __init__(self, kind: str, seed: int, folder: Path, formats: tuple[str, ...] = EXPORT_FORMATS):
        self.kind, self.seed, self.folder, self.formats = kind, seed, folder, formats
        self.db = folder / ".labelstudio" / "project.db"
        self.rng = random.Random(seed)
        self.failures: list[str] = []
        self.killed = False
        self.note = ""

    def fail(self, text: str) -> None:
        self.failures.append(f"[{self.kind} seed {self.seed}] {text}")

    def check_store(self) -> None:
        from labelstudio_desktop.core.store.store import Store, StoreError

        result = integrity(self.db)
        if result != "ok":
            self.fail(f"integrity_check: {result}")
            return
        try:
            Store.open(self.folder).close()
        except StoreError as exc:
            self.fail(f"the project does not open: {exc}")

    # ------------------------------------------------------------------ kinds
    def edit(self) -> None:
        from labelstudio_desktop.core.store.store import Store

        proc, self.killed = start_and_kill([sys.executable, "-c", EDIT_LOOP, str(self.folder)],
                                           self.rng.uniform(0.2, WINDOW["edit"]), stdout=subprocess.PIPE)
        lines = proc.stdout.read().decode().split()
        acked = {int(n) for word, n in zip(lines[::2], lines[1::2], strict=False) if word == "ack"}
        undone = {int(n) for word, n in zip(lines[::2], lines[1::2], strict=False) if word == "undo"}
        self.check_store()
        with Store.open(self.folder) as store:
            labels = {r[0] for r in store.conn.execute("SELECT label FROM boxes WHERE label LIKE 'edit%'")}
        lost = sorted(n for n in acked if f"edit{n}" not in labels)
        back = sorted(n for n in undone if f"edit{n}" in labels)
        if lost:
            self.fail(f"{len(lost)} of {len(acked)} acknowledged edits lost, e.g. {lost[:5]}")
        if back:
            self.fail(f"{len(back)} acknowledged undos came back, e.g. {back[:5]}")
        self.note = f"{len(acked) + len(undone)} acknowledged"

    def import_(self) -> None:
        from labelstudio_desktop.core.store.store import Store

        shutil.rmtree(self.folder / ".labelstudio")  # a first import, of a folder with no project yet
        for n in range(self.rng.randint(0, 20)):  # some new files too
            shutil.copy(next(self.folder.glob("apple/*.jpg")), self.folder / "apple" / f"new_{n}.jpg")
        total = sum(1 for _ in self.folder.rglob("*.jpg"))
        _, self.killed = start_and_kill(cli("import", self.folder), self.rng.uniform(0.2, WINDOW["import"]))
        if self.db.exists() and self.db.stat().st_size:
            self.check_store()
        again = subprocess.run(cli("import", self.folder), capture_output=True, text=True)
        if again.returncode != 0:
            self.fail(f"the import run again failed: {again.stderr.strip()[-300:]}")
            return
        self.check_store()
        with Store.open(self.folder) as store:
            if store.image_count() != total:
                self.fail(f"{store.image_count()} images in the project after the re-run, {total} files")

    def export(self) -> None:
        out = self.folder.parent / "export"
        fmt = self.formats[next(EXPORTS) % len(self.formats)]  # each format in turn, even in the short mode
        cmd = cli("export", self.folder, "--out", out, "--format", fmt)
        _, self.killed = start_and_kill(cmd, self.rng.uniform(0.2, WINDOW["export"]))
        self.check_store()
        if self.killed:  # a finished export is refused again without --overwrite (its files exist): rightly
            again = subprocess.run(cmd, capture_output=True, text=True)
            if again.returncode != 0:  # killed after its rename into place: then the export must be whole
                ref = self.folder.parent / "reference"
                subprocess.run(cli("export", self.folder, "--out", ref, "--format", fmt), capture_output=True)
                if _listing(out) != _listing(ref):
                    self.fail(f"export {fmt} run again without --overwrite refused, and what is there is not a "
                              f"whole export: {again.stderr.strip()[-200:]}")
                else:
                    self.note = f"{fmt} (killed after it completed)"
                    return
        leftovers = [p for p in out.rglob("*") if p.name.endswith(".tmp")] if out.exists() else []
        if leftovers:
            self.fail(f"export {fmt}: {len(leftovers)} temporary files left, e.g. {leftovers[0]}")
        self.note = fmt

    def quarantine(self) -> None:
        from labelstudio_desktop.core.store.store import Store

        before = {p.relative_to(self.folder).as_posix(): p.stat().st_size for p in self.folder.rglob("*.jpg")
                  if ".labelstudio" not in p.parts}
        phase = self.rng.choice(["do", "undo"])
        after = self.rng.randint(1, len(before) // 2)
        proc, _ = start_and_kill([sys.executable, "-c", QUARANTINE, str(self.folder), str(after), phase], 60)
        self.killed = proc.returncode == -signal.SIGKILL
        self.check_store()
        qdir = self.folder / ".labelstudio" / "quarantine"
        with Store.open(self.folder) as store:
            rows = {img.path: img for img in store.images()}
        for rel, size in before.items():
            here, away = self.folder / rel, qdir / rel
            img = rows.get(rel)
            if img is None:
                self.fail(f"{rel}: no longer in the project")
            elif here.exists() and away.exists():
                self.fail(f"{rel}: both in the folder and in quarantine")
            elif img.missing and not away.is_file():
                self.fail(f"{rel}: marked missing but not in quarantine")
            elif not img.missing and not here.is_file():
                self.fail(f"{rel}: marked present but not in the folder")
            elif (away if img.missing else here).stat().st_size != size:
                self.fail(f"{rel}: changed size")
        self.note = f"{phase}, killed after {after} moves"

    def train(self) -> None:
        from labelstudio_desktop.core.store.runs import list_runs, recover_interrupted
        from labelstudio_desktop.core.store.store import Store

        cmd = cli("train", self.folder, "--task", "classify", "--epochs", "4", "--size", "32", "--batch", "16")
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        target, started = self.rng.randint(0, 3), time.monotonic()  # killed during the epoch after `target`
        while proc.poll() is None and time.monotonic() - started < WINDOW["train"] * 4:
            if _epochs_recorded(self.db) >= target:
                time.sleep(self.rng.uniform(0.0, 0.4))
                break
            time.sleep(0.05)
        self.killed = proc.poll() is None
        if self.killed:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        self.check_store()
        with Store.open(self.folder) as store:
            recover_interrupted(store)
            runs = list_runs(store)
            for run in runs:
                if run.status == "running":
                    self.fail(f"run {run.id} still 'running' after its process was killed")
                if run.model_path and not zipfile.is_zipfile(run.model_path):
                    self.fail(f"run {run.id}: its model {run.model_path} is not a whole .keras file")
                self.note = f"run {run.status} after {run.epochs} epochs"
        if runs and runs[-1].status == "interrupted" and runs[-1].epochs:
            resumed = subprocess.run(cli("train", self.folder, "--resume", runs[-1].id, "--epochs", "1"),
                                     capture_output=True, text=True)
            with Store.open(self.folder) as store:
                after = list_runs(store)[-1]
            if resumed.returncode != 0 or after.epochs != runs[-1].epochs + 1:
                self.fail(f"resume after the kill: exit {resumed.returncode}, {runs[-1].epochs} -> {after.epochs} "
                          f"epochs: {resumed.stderr.strip()[-200:]}")
            self.note += f", resumed to {after.epochs}"

    def run(self) -> None:
        getattr(self, "import_" if self.kind == "import" else self.kind)()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, help="trials of each kind (default: the short mode's few)")
    parser.add_argument("--kinds", default=",".join(KINDS), help=f"comma list of {', '.join(KINDS)}")
    parser.add_argument("--seed", type=int, default=int(time.time()) % 100000)
    parser.add_argument("--formats", default=",".join(EXPORT_FORMATS), help="export formats, taken in turn")
    parser.add_argument("--per-class", type=int, default=60, help="images per class in the project (3 classes)")
    parser.add_argument("--replay", metavar="KIND:SEED",
                        help="run the one trial a failure printed (e.g. export:519568668); keep its folder")
    args = parser.parse_args(argv)
    kinds = [k for k in args.kinds.split(",") if k]
    for kind in kinds:
        if kind not in KINDS:
            parser.error(f"unknown kind {kind!r}")
    rng = random.Random(args.seed)
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="torture-"))
    failures: list[str] = []
    tally: Counter = Counter()
    try:
        template = make_template(work / "template", args.per_class)
        measure = fresh_copy(template, work / "measure")
        for kind, cmd in (("export", cli("export", measure, "--out", work / "measure-out")),
                          ("import", cli("import", measure))):
            t = time.monotonic()
            subprocess.run(cmd, capture_output=True, check=True)
            WINDOW[kind] = time.monotonic() - t
        print(f"a whole import takes {WINDOW['import']:.1f} s, an export {WINDOW['export']:.1f} s", flush=True)
        plan = [k for k in kinds for _ in range(args.trials or SHORT_TRIALS[k])]
        rng.shuffle(plan)
        seeds = [rng.randrange(1 << 30) for _ in plan]
        if args.replay:
            plan, seeds = [args.replay.split(":")[0]], [int(args.replay.split(":")[1])]
        for n, (kind, seed) in enumerate(zip(plan, seeds, strict=True)):
            trial = Trial(kind, seed, fresh_copy(template, work / f"trial{n}"), tuple(args.formats.split(",")))
            trial.run()
            failures += trial.failures
            tally[kind, "killed" if trial.killed else "finished"] += 1
            print(f"{n + 1:4}/{len(plan)} {kind:10} seed {seed:10}  {'killed' if trial.killed else 'finished'}"
                  f"  {trial.note}  {'FAIL' if trial.failures else 'ok'}", flush=True)
            if not args.replay:
                shutil.rmtree(work / f"trial{n}", ignore_errors=True)
    finally:
        if args.replay:
            print(f"the trial's folder is kept: {work / 'trial0'}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(f"\n{len(plan)} trials in {time.monotonic() - started:.0f} s (seed {args.seed}): "
          + ", ".join(f"{k} {tally[k, 'killed']} killed / {tally[k, 'finished']} finished" for k in kinds))
    for failure in failures:
        print("FAIL", failure)
    print("all checks held" if not failures else f"{len(failures)} check(s) failed")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
