"""Exports that are killed, hostile labels and links, long names, file modes (issue 13 items 1-3, 6, 16).

An export is staged inside the chosen folder and renamed into place when complete: a run killed with SIGKILL
leaves nothing visible, and the rerun needs no --overwrite. Nothing is ever written outside the chosen folder,
and a link leading outside the project is never read.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import write_image
from mask_files import square

from labelstudio_desktop.core.formats.crops import export_crops
from labelstudio_desktop.core.formats.staging import COMMITTED, FILES, STAGE_PREFIX, clean_leftovers
from labelstudio_desktop.core.formats.voc import export_voc
from labelstudio_desktop.core.store.masks import encode_mask
from labelstudio_desktop.core.store.store import BoxRecord, Store
from labelstudio_desktop.core.transfer.export_formats import EXPORT_FORMATS, export_more
from labelstudio_desktop.core.transfer.importer import import_folder

REPO = Path(__file__).resolve().parents[2]


def _visible(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and not any(
        part.startswith(STAGE_PREFIX) for part in p.relative_to(folder).parts))


def _boxed_project(root: Path, n: int, labels=("nut",)) -> Store:
    for k in range(n):
        write_image(root / f"img{k:03d}.jpg", 48, 32, seed=k)
    store = Store.create(root)
    import_folder(store)
    for img in store.images():
        for j, label in enumerate(labels):
            store.insert_box(BoxRecord(0, img.id, label, 2 + j, 2, 20 + j, 20))
    return store


KILLER = """
import os, signal, sys
from pathlib import Path
from labelstudio_desktop.core.formats.voc import export_voc
from labelstudio_desktop.core.formats.crops import export_crops
from labelstudio_desktop.core.jobs import JobToken
from labelstudio_desktop.core.store.store import Store

class KillAt(JobToken):
    def progress(self, done, total):
        if done == int(sys.argv[4]):
            os.kill(os.getpid(), signal.SIGKILL)

store = Store.open(Path(sys.argv[1]))
out, kind = Path(sys.argv[2]), sys.argv[3]
if kind == "crops":
    export_crops(store, out, job=KillAt())
else:
    export_voc(store, out, layout=kind, job=KillAt())
"""


def _run_killed(db: Path, out: Path, kind: str, at: int) -> int:
    return subprocess.run([sys.executable, "-c", KILLER, str(db), str(out), kind, str(at)], cwd=REPO,
                          capture_output=True).returncode


@pytest.mark.parametrize("kind", ["labelimg", "vocdevkit", "crops"])
def test_an_export_killed_part_way_leaves_nothing_and_the_rerun_needs_no_overwrite(tmp_path, kind):
    store = _boxed_project(tmp_path / "p", 12)
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.txt").write_text("the user's own file")
    assert _run_killed(store.db_path, out, kind, at=6) == -signal.SIGKILL
    assert _visible(out) == [out / "mine.txt"]  # half the files were written, none of them reached the folder
    assert not [p for p in out.rglob("*.tmp") if not any(s.name.startswith(STAGE_PREFIX) for s in p.parents)]

    report = export_crops(store, out) if kind == "crops" else export_voc(store, out, layout=kind)
    assert report.images == 12
    assert not [p for p in out.iterdir() if p.name.startswith(STAGE_PREFIX)]  # the killed run's leftovers cleaned
    assert not list(out.rglob("*.tmp"))
    assert (out / "mine.txt").read_text() == "the user's own file"
    store.close()


def test_a_run_killed_while_renaming_into_place_is_finished_by_the_next_export(tmp_path):
    out = tmp_path / "out"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    committed = out / f"{STAGE_PREFIX}{int(dead.stdout)}-aaaa"
    (committed / FILES / "sub").mkdir(parents=True)
    (committed / FILES / "sub" / "late.xml").write_text("<annotation/>")
    (committed / COMMITTED).touch()
    unfinished = out / f"{STAGE_PREFIX}{int(dead.stdout)}-bbbb"
    (unfinished / FILES).mkdir(parents=True)
    (unfinished / FILES / "half.xml").write_text("<annota")
    assert clean_leftovers(out) == 2
    assert _visible(out) == [out / "sub" / "late.xml"]
    assert sorted(p.name for p in out.iterdir()) == ["sub"]


def test_the_stage_of_a_running_export_is_left_alone(tmp_path):
    out = tmp_path / "out"
    running = out / f"{STAGE_PREFIX}{os.getppid()}-cccc"  # the pytest runner's parent: alive
    (running / FILES).mkdir(parents=True)
    assert clean_leftovers(out) == 0 and running.is_dir()


def test_export_files_get_the_umask_mode_and_long_names_work(tmp_path):
    root = tmp_path / "p"
    long_stem = "n" * 237  # the XML name is 241 characters: its old temporary name passed 255 bytes
    write_image(root / f"{long_stem}.jpg", 48, 32)
    store = Store.create(root)
    import_folder(store)
    store.insert_box(BoxRecord(0, store.images()[0].id, "nut", 1, 1, 9, 9))
    old = os.umask(0o022)
    try:
        report = export_voc(store, tmp_path / "out")
    finally:
        os.umask(old)
    xml = tmp_path / "out" / f"{long_stem}.xml"
    assert report.images == 1 and xml.is_file()
    assert xml.stat().st_mode & 0o777 == 0o644  # not 0600
    store.close()


HOSTILE = ("/tmp/x/\x1b", "../../x")


@pytest.mark.parametrize("fmt", sorted(EXPORT_FORMATS))
def test_hostile_labels_never_write_outside_the_folder(tmp_path, fmt):
    store = _boxed_project(tmp_path / "p", 2, labels=HOSTILE)
    for img in store.images():
        store.update_image_fields(img.id, {"status": "verified"})
        store.add_mask(img.id, HOSTILE[0], encode_mask(square(w=48, h=32, box=(4, 4, 20, 20))))
        store.add_mask(img.id, HOSTILE[1], encode_mask(square(w=48, h=32, box=(24, 4, 40, 20))))
    for mask in (m for img in store.images() for m in store.masks(img.id)):
        store.update_mask(mask["id"], "accepted", bytes(mask["png"]), mask["label"])
    before = {p for p in tmp_path.rglob("*")}
    out = tmp_path / "deep" / "out"
    report = export_voc(store, out) if fmt == "voc" else export_more(store, out, fmt)
    assert report.images >= 1
    new = {p for p in tmp_path.rglob("*") if store.root not in p.parents} - before  # the project keeps backups
    assert new and all(p == out or out in p.parents or p == out.parent for p in new)
    assert not Path("/tmp/x/\x1b").exists()
    store.close()


def test_vocdevkit_per_class_lists_never_share_a_file(tmp_path):
    labels = ("猫", "犬", "Cat", "cat")  # the CJK names fold to nothing in ASCII; two names differ in case only
    store = _boxed_project(tmp_path / "p", 2, labels=labels)
    store.insert_box(BoxRecord(0, store.images()[0].id, "猫", 30, 2, 40, 20, difficult=True))
    report = export_voc(store, tmp_path / "out", layout="vocdevkit")
    base = tmp_path / "out" / "VOCdevkit" / "VOC2007"
    lists = sorted(p.name for p in (base / "ImageSets" / "Main").glob("*_train.txt"))
    assert len(lists) == 4, lists
    labelmap = [line.split(":")[0] for line in (base / "labelmap.txt").read_text().splitlines()[1:]]
    for label in labels:  # a reader finds each class's lists under its labelmap name (or the name reported)
        assert label in labelmap
    assert {"猫_train.txt", "犬_train.txt", "Cat_train.txt"} <= set(lists)
    assert any("'cat' -> cat_2_*.txt" in reason or "'Cat' -> Cat_2_*.txt" in reason for _p, reason in
               report.problems)
    assert (base / "ImageSets" / "Main" / "犬_train.txt").read_text().split()[1::2] == ["1", "1"]
    store.close()


@pytest.mark.parametrize("fmt", sorted(EXPORT_FORMATS))
def test_a_link_leading_outside_the_project_is_never_exported(tmp_path, fmt):
    store = _boxed_project(tmp_path / "p", 2)
    for img in store.images():
        store.add_mask(img.id, "nut", encode_mask(square(w=48, h=32, box=(4, 4, 20, 20))), state="accepted")
    secret = tmp_path / "secret.jpg"
    write_image(secret, 48, 32, seed=99)
    victim = store.root / "img001.jpg"
    victim.unlink()
    victim.symlink_to(secret)  # imported as a plain file, replaced by a link afterwards
    secret_bytes = secret.read_bytes()
    out = tmp_path / "out"
    report = export_voc(store, out, layout="vocdevkit") if fmt == "voc" else export_more(store, out, fmt)
    written = [p for p in out.rglob("*") if p.is_file()]
    assert written and not any(p.read_bytes() == secret_bytes for p in written)
    assert not any("img001" in p.name for p in written)
    if fmt not in ("augmented", "masks"):  # these two leave it out without a note (export_more/export_masks)
        assert any(p == "img001.jpg" and "outside the project" in r for p, r in report.problems)
    store.close()


def _misses(store: Store, out: Path, true: str, pred: str):
    from labelstudio_desktop.ml.evaluate import Evaluation, export_misses

    path = store.images()[1].path
    evaluation = Evaluation(1, "classify", "test", misclassified=[
        {"path": path, "true": true, "pred": pred, "confidence": 0.9}])
    return export_misses(store.db_path, evaluation, out)


def test_misses_named_after_hostile_labels_stay_inside_the_folder(tmp_path):
    store = _boxed_project(tmp_path / "p", 2)
    before = {p for p in tmp_path.rglob("*")}
    out = tmp_path / "deep" / "miss"
    written = _misses(store, out, *HOSTILE)
    assert len(written) == 1 and written[0].parent == out
    new = {p for p in tmp_path.rglob("*") if store.root not in p.parents} - before  # the project keeps backups
    assert new == {out.parent, out, written[0]}
    store.close()


def test_misses_never_copy_a_link_leading_outside_the_project(tmp_path):
    store = _boxed_project(tmp_path / "p", 2)
    secret = tmp_path / "secret.jpg"
    write_image(secret, 48, 32, seed=99)
    victim = store.root / "img001.jpg"
    victim.unlink()
    victim.symlink_to(secret)
    written = _misses(store, tmp_path / "miss", "nut", "bolt")
    assert not any(p.read_bytes() == secret.read_bytes() for p in written)
    store.close()
