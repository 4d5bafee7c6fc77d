"""A project someone sends you cannot touch anything outside it (issue 22, items 1, 3 and 5).

Each test builds a received project with a crafted database (:mod:`received_project`: real images, a real SQLite file)
beside a victim folder, runs a command on it through the command line's entry point (in this process, as the other
CLI tests do; ``info`` also in its own process), and checks that the victim folder is exactly as it was (listing,
sizes, times, bytes), that none of its bytes reached the project or an output, that the project's valid records still
work, and that the refused records are reported."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from helpers import write_image
from received_project import EXCLUDED, SECRET, VALID, Received, files_holding, received_project, snapshot

from labelstudio_desktop.cli import main
from labelstudio_desktop.core.cleaning.resolve import QuarantineExcluded
from labelstudio_desktop.core.store.masks import encode_mask
from labelstudio_desktop.core.store.store import Store


@pytest.fixture
def received(tmp_path) -> Received:
    return received_project(tmp_path)


def _untouched(received: Received, before: dict, *outputs: Path) -> None:
    """The victim folder exactly as it was; neither its secret nor its photo in the project or in ``outputs``."""
    assert snapshot(received.victim) == before
    needles = [SECRET, received.photo.read_bytes()]
    for folder in (received.root, *outputs):
        assert files_holding(folder, needles) == []
    assert not (received.victim / "autostart").exists()


def _refused_line(err: str, n: int) -> None:
    said = "1 record refused: it points" if n == 1 else f"{n} records refused: they point"
    assert f"{said} outside the project folder" in err


# ------------------------------------------------------------------------------------------------ opening
def test_info_in_its_own_process_refuses_every_crafted_record_and_puts_back_the_genuine_move(received):
    before = snapshot(received.victim)
    result = subprocess.run([sys.executable, "-m", "labelstudio_desktop", "info", str(received.root)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    n = len(received.refused_records)
    _refused_line(result.stderr, n)
    assert f"refused   {n} record(s)" in result.stdout
    assert f"project   {received.root.resolve()}" in result.stdout  # the folder opened, not the "/" recorded
    _untouched(received, before)
    assert (received.root / "q.jpg").is_file()  # the genuine interrupted quarantine was put back
    assert (received.root / ".labelstudio" / "quarantine" / "r.jpg").read_bytes() == b"not the image that was moved"
    assert (received.root / ".labelstudio" / "quarantine" / "evil.desktop").is_file()  # left where it was


def test_info_json_lists_each_refusal_and_leaves_the_refused_rows_as_they_were(received, capsys):
    db = sqlite3.connect(received.db)
    rows_before = db.execute("SELECT COUNT(*) FROM images").fetchone()[0]
    db.close()
    assert main(["info", str(received.root), "--json"]) == 0
    out = capsys.readouterr()
    refused = json.loads(out.out)["refused"]
    assert {r["record"] for r in refused} == received.refused_records
    assert all(r["reason"] for r in refused)
    _refused_line(out.err, len(received.refused_records))
    db = sqlite3.connect(received.db)
    assert db.execute("SELECT COUNT(*) FROM images").fetchone()[0] == rows_before  # nothing deleted
    journal = {r[0] for r in db.execute("SELECT src FROM file_moves")}
    db.close()
    assert "q.jpg" not in journal and "gone.jpg" in journal  # the genuine row done, refused rows left alone


def test_the_store_lists_only_valid_images_and_never_reads_a_refused_one(received):
    before = snapshot(received.victim)
    with Store.open(received.root) as store:
        assert store.root == received.root.resolve()
        assert {img.path for img in store.images()} == {*VALID, EXCLUDED, "gone.jpg"}
        for image_id in store.refused_images:
            with pytest.raises(OSError):
                _read_as_the_app_does(store, image_id)
    _untouched(received, before)


def _read_as_the_app_does(store: Store, image_id: int) -> None:
    from labelstudio_desktop.core.images import ImageProblem, open_upright

    try:
        open_upright(store.abs_path(store.image(image_id)))
    except ImageProblem as exc:  # a link leading outside: refused where the file is read
        raise OSError(str(exc)) from exc


# ---------------------------------------------------------------------------------------------- commands
def test_dedup_fingerprints_only_the_projects_images(received, capsys):
    before = snapshot(received.victim)
    assert main(["dedup", str(received.root), "--json"]) == 0
    out = capsys.readouterr()
    _refused_line(out.err, len(received.refused_records))
    with Store.open(received.root) as store:
        hashed = {r[0] for r in store.conn.execute("SELECT DISTINCT image_id FROM hashes")}
        paths = {store.image(i).path for i in hashed}
    assert paths == {p for p in VALID if p != "r.jpg"}  # r.jpg stays missing: its quarantined file is not its own
    _untouched(received, before)


def test_split_and_reimport_keep_the_refused_rows_refused(received, capsys):
    before = snapshot(received.victim)
    assert main(["split", str(received.root)]) == 0
    assert main(["import", str(received.root)]) in (0, 2)
    err = capsys.readouterr().err
    assert "records refused" in err and "Traceback" not in err
    with Store.open(received.root) as store:
        assert {r.record for r in store.refusals} == received.refused_records  # refused again, every time
        assert "q.jpg" in {img.path for img in store.images(include_missing=False)}
    _untouched(received, before)


@pytest.mark.parametrize("fmt", ["voc", "yolov3", "yolo", "coco", "labelme", "crops", "masks", "augmented"])
def test_every_export_copies_only_the_projects_images(received, tmp_path, fmt, capsys):
    before = snapshot(received.victim)
    with Store.open(received.root) as store:  # a mask on every image, so the masks export has work
        mask = np.zeros((48, 64), np.uint8)
        mask[5:20, 5:30] = 1
        for (image_id,) in store.conn.execute("SELECT id FROM images").fetchall():
            store.add_mask(image_id, "cat", encode_mask(mask))
    out = tmp_path / "out"
    assert main(["export", str(received.root), "--format", fmt, "--out", str(out), "--json"]) == 0
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert report["images"] == 4 * (4 if fmt == "augmented" else 1)  # a, b, c, q (put back); r missing, e excluded
    written = " ".join(str(p) for p in out.rglob("*"))
    assert "photo" not in written and "victim" not in written and "evil" not in written
    _untouched(received, before, out)


def test_quarantine_moves_only_excluded_files_of_the_project_into_its_own_folder(received):
    before = snapshot(received.victim)
    with Store.open(received.root) as store:
        command = QuarantineExcluded(store)
        command.do(store)
        assert [dst for _i, _src, dst in command.moves] == [
            received.root.resolve() / ".labelstudio" / "quarantine" / EXCLUDED]
        _untouched(received, before)
        command.undo(store)
    assert (received.root / EXCLUDED).is_file()
    _untouched(received, before)


# ------------------------------------------------------------------------------------ the project's layout
def _link_own_folder(received: Received, which: str) -> None:
    own = received.root / ".labelstudio"
    outside = received.victim / "links"
    if which == ".labelstudio":  # the whole project folder of the database: a copy of it kept outside
        os.replace(own, outside)
        own.symlink_to(outside)
    elif which == "project.db-wal":
        (own / which).symlink_to(received.victim / "secret.txt")
    elif which == "models/run_0009":
        (own / "models").mkdir()
        (own / "models" / "run_0009").symlink_to(received.victim)
    else:
        (own / which).parent.mkdir(parents=True, exist_ok=True)
        (own / which).symlink_to(received.victim)


@pytest.mark.parametrize("which", [".labelstudio", "project.db-wal", "backups", "thumbnails", "quarantine/sub",
                                   "models/run_0009"])
def test_a_link_among_the_projects_own_files_leading_out_is_not_opened(received, which, capsys):
    _link_own_folder(received, which)
    before = snapshot(received.victim)
    for command in ("info", "import", "dedup"):
        assert main([command, str(received.root)]) == 1
        err = capsys.readouterr().err
        assert "a link leading outside the project" in err and "not opened" in err
    assert snapshot(received.victim) == before  # not a backup, not a journal file, nothing


# ---------------------------------------------------------------------------------- a database kept apart
def _db_apart(tmp_path: Path, root: str) -> Path:
    """A --db database of a real folder, its recorded image folder then set to ``root`` and an image path into the
    victim's folder."""
    write_image(tmp_path / "imgs" / "a.jpg", 64, 48, seed=1)
    db = tmp_path / "dbs" / "p.db"
    assert main(["import", str(tmp_path / "imgs"), "--db", str(db)]) == 0
    c = sqlite3.connect(db, isolation_level=None)
    c.execute("UPDATE settings SET value=? WHERE key='root'", (json.dumps(root),))
    c.execute("UPDATE images SET status='verified'")
    c.close()
    return db


def test_a_db_opened_alone_never_takes_the_file_system_root_for_its_image_folder(tmp_path, capsys):
    victim = tmp_path / "victim"
    write_image(victim / "photo.jpg", 64, 48, seed=99)
    db = _db_apart(tmp_path, "/")
    c = sqlite3.connect(db, isolation_level=None)
    c.execute("UPDATE images SET path=?", (str(victim / "photo.jpg").lstrip("/"),))  # "/" + this: the photo
    c.close()
    before = snapshot(victim)
    out = tmp_path / "out"
    assert main(["export", str(db), "--format", "yolov3", "--out", str(out)]) == 1  # nothing to export
    _refused_line(capsys.readouterr().err, 1)
    assert not out.exists() or files_holding(out, [(victim / "photo.jpg").read_bytes()]) == []
    assert snapshot(victim) == before


def test_a_db_opened_with_its_folder_reads_that_folder_whatever_it_records(tmp_path, capsys):
    victim = tmp_path / "victim"
    write_image(victim / "a.jpg", 64, 48, seed=99)  # the name the project's image has, in the recorded folder
    db = _db_apart(tmp_path, str(victim))
    capsys.readouterr()
    assert main(["info", str(tmp_path / "imgs"), "--db", str(db), "--json"]) == 0
    out = capsys.readouterr()
    info = json.loads(out.out)
    assert info["root"] == str((tmp_path / "imgs").resolve())
    assert [r["record"] for r in info["refused"]] == ["image folder"]
    assert main(["export", str(tmp_path / "imgs"), "--db", str(db), "--format", "yolov3", "--out",
                 str(tmp_path / "out")]) == 0
    assert files_holding(tmp_path / "out", [(victim / "a.jpg").read_bytes()]) == []
    assert files_holding(tmp_path / "out", [(tmp_path / "imgs" / "a.jpg").read_bytes()])


def test_relocate_is_refused_for_a_project_kept_in_its_image_folder(received, capsys):
    before = snapshot(received.victim)
    assert main(["relocate", str(received.root), "--to", str(received.victim)]) == 1
    assert "moves with its images" in capsys.readouterr().err
    with Store.open(received.root) as store:
        assert store.root == received.root.resolve()
    _untouched(received, before)


# -------------------------------------------------------------------------------- an ultralytics data.yaml
def test_a_data_yaml_naming_files_outside_its_folder_is_not_read(tmp_path, capsys):
    from labelstudio_desktop.core.formats.yolo import yaml_splits

    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "list.txt").write_bytes(SECRET + b"photo.jpg\n")
    write_image(victim / "images" / "v.jpg", 64, 48, seed=98)
    root = tmp_path / "p"
    for split in ("train", "valid"):
        write_image(root / split / "images" / f"{split}.jpg", 64, 48, seed=len(split))
    (root / "data.yaml").write_text(  # Roboflow's layout (../train/images), then entries leading out
        f"train: [../train/images, {victim / 'list.txt'}]\nval: [../valid/images, ../../victim/list.txt]\n"
        "names: [cat]\n")
    before = snapshot(victim)
    splits, notes = yaml_splits(root / "data.yaml")
    assert {p.name: s for p, (s, _src) in splits.items()} == {"train.jpg": "train", "valid.jpg": "val"}
    assert sum("leads outside its folder, not read" in n for n in notes) == 2
    assert not any(SECRET.decode().strip() in n for n in notes)
    (root / "data.yaml").write_text(f"path: {victim}\ntrain: images\nnames: [cat]\n")
    splits, notes = yaml_splits(root / "data.yaml")
    assert splits == {} and any("its folder taken instead" in n for n in notes)  # the victim's tree is not walked
    assert snapshot(victim) == before
