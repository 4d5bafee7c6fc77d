"""Issue 13, data safety: damaged, empty and read-only databases; moved and copied projects; rolling backups.

Real SQLite files, real images, the CLI in real processes."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import write_image

from labelstudio_desktop.core.formats.voc import export_voc
from labelstudio_desktop.core.store import backups
from labelstudio_desktop.core.store.runs import create_run, get_run, last_run, update_run
from labelstudio_desktop.core.store.store import BoxRecord, Store, StoreError, default_db_path
from labelstudio_desktop.core.transfer.importer import import_folder


def run(*args, **env):
    import os

    return subprocess.run([sys.executable, "-m", "labelstudio_desktop", *map(str, args)], capture_output=True,
                          text=True, env={**os.environ, **env})


def make_project(folder: Path, n: int = 6, db: Path | None = None) -> Path:
    """``n`` real images, imported, each with an accepted box, verified, in train: exportable as it is."""
    for i in range(n):
        write_image(folder / f"img{i}.jpg", seed=i)
    with Store.create(folder, db) as store:
        import_folder(store)
        for img in store.images():
            store.insert_box(BoxRecord(0, img.id, "cat", 2, 2, 20, 20))
            store.update_image_fields(img.id, {"status": "verified", "split": "train"})
        return store.db_path


def zero_page(db: Path, page: int) -> None:
    size = sqlite3.connect(db).execute("PRAGMA page_size").fetchone()[0]
    with open(db, "r+b") as f:
        f.seek((page - 1) * size)
        f.write(b"\0" * size)


# ----------------------------------------------------------------- item 8: damaged, empty, read-only
def test_a_damaged_database_is_refused_with_a_recovery_hint_and_left_as_it_was(tmp_path):
    db = make_project(tmp_path / "p", n=30)
    zero_page(db, 3)
    before = db.read_bytes()
    with pytest.raises(StoreError, match="damaged.*(restore|recover)"):
        Store.open(tmp_path / "p")
    info = run("info", tmp_path / "p")
    exported = run("export", tmp_path / "p", "--out", tmp_path / "out")
    imported = run("import", tmp_path / "p")
    for result in (info, exported, imported):
        assert result.returncode == 1 and "damaged" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.xml"))
    assert db.read_bytes() == before  # nothing written into it, no migration, no rebuild


def test_a_zero_byte_project_db_is_not_rebuilt_as_an_empty_project(tmp_path):
    db = make_project(tmp_path / "p")
    db.write_bytes(b"")
    Path(f"{db}-wal").unlink(missing_ok=True)
    result = run("import", tmp_path / "p")
    assert result.returncode == 1 and "empty (0 bytes)" in result.stderr and "delete the file" in result.stderr
    assert db.stat().st_size == 0
    with pytest.raises(StoreError, match="empty"):
        Store.open(tmp_path / "p")


@pytest.fixture
def read_only_copy(tmp_path):
    """A project on a real read-only mount (root ignores file modes), or in read-only folders (other users)."""
    import os

    project = tmp_path / "ro"
    project.mkdir()
    if os.geteuid() == 0:
        if shutil.which("mount") is None:
            pytest.skip("no mount command here")
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(project)],
                                 capture_output=True, text=True)
        if mounted.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    make_project(project / "images", n=5)
    if os.geteuid() == 0:
        subprocess.run(["mount", "-o", "remount,ro", str(project)], check=True)
    else:
        for p in sorted(project.rglob("*"), reverse=True):
            p.chmod(0o555 if p.is_dir() else 0o444)
    yield project / "images"
    if os.geteuid() == 0:
        subprocess.run(["umount", "-l", str(project)], check=False)


def test_a_read_only_database_opens_read_only_for_info_and_export(read_only_copy, tmp_path):
    info = run("info", read_only_copy, "--json")
    assert info.returncode == 0, info.stderr
    assert json.loads(info.stdout)["images"] == 5
    exported = run("export", read_only_copy, "--out", tmp_path / "out")
    assert exported.returncode == 0, exported.stderr
    assert len(list((tmp_path / "out").rglob("*.xml"))) == 5
    split = run("split", read_only_copy)
    assert split.returncode == 1 and "read-only" in split.stderr and "Traceback" not in split.stderr
    with Store.open(read_only_copy, readonly=True) as store:
        assert store.readonly and store.image_count() == 5
    with pytest.raises(StoreError, match="read-only"):
        Store.open(read_only_copy)


# ----------------------------------------------------------------- item 4: moved and copied projects
def _model(store: Store, task: str = "classify") -> Path:
    run_id = create_run(store, task, {})
    path = store.db_path.parent / "models" / f"run_{run_id:04d}" / "best.keras"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"model")
    update_run(store, run_id, model_path=str(path), status="finished")
    return path


def test_a_moved_project_reads_its_images_and_models_in_the_new_place(tmp_path):
    make_project(tmp_path / "a" / "p")
    with Store.open(tmp_path / "a" / "p") as store:
        _model(store)
    shutil.move(tmp_path / "a", tmp_path / "b")
    with Store.open(tmp_path / "b" / "p") as store:
        assert store.root == (tmp_path / "b" / "p").resolve()
        assert Path(last_run(store).model_path) == store.db_path.parent / "models" / "run_0001" / "best.keras"
        report = export_voc(store, tmp_path / "out")
    assert report.images == 6 and not report.problems


def test_a_copied_project_reads_and_quarantines_its_own_copy(tmp_path):
    from labelstudio_desktop.core.cleaning.resolve import QuarantineExcluded

    make_project(tmp_path / "orig")
    shutil.copytree(tmp_path / "orig", tmp_path / "copy")
    with Store.open(tmp_path / "copy") as store:
        assert store.root == (tmp_path / "copy").resolve()
        store.update_image_fields(store.image_by_path("img0.jpg").id, {"excluded": True})
        QuarantineExcluded(store).do(store)
    assert (tmp_path / "orig" / "img0.jpg").is_file()  # the original folder is never touched
    assert not (tmp_path / "copy" / "img0.jpg").exists()
    assert (tmp_path / "copy" / ".labelstudio" / "quarantine" / "img0.jpg").is_file()


def test_older_projects_with_absolute_paths_are_migrated_then_move(tmp_path):
    """A project as an older version wrote it (absolute root and model path, schema 6), moved before opening."""
    make_project(tmp_path / "a" / "p")
    with Store.open(tmp_path / "a" / "p") as store:
        model = _model(store)
        store.set_setting("root", str((tmp_path / "a" / "p").resolve()))
        store.conn.execute("UPDATE runs SET model_path=?", (str(model),))
        store.conn.execute("DROP TABLE features")  # what versions 7 to 10 added (7 changed values only)
        for index in ("images_list_order", "images_status", "boxes_state", "masks_state"):
            store.conn.execute(f"DROP INDEX {index}")
        store.conn.execute("ALTER TABLE images DROP COLUMN list_key")
        store.conn.execute("PRAGMA user_version=6")
    shutil.move(tmp_path / "a", tmp_path / "b")
    with Store.open(tmp_path / "b" / "p") as store:
        assert store.root == (tmp_path / "b" / "p").resolve()
        assert store.conn.execute("SELECT value FROM settings WHERE key='root'").fetchone()[0] == '".."'
        assert store.conn.execute("SELECT model_path FROM runs").fetchone()[0] == "models/run_0001/best.keras"
        assert Path(get_run(store, 1).model_path).read_bytes() == b"model"
        assert export_voc(store, tmp_path / "out").images == 6
        assert store.conn.execute("SELECT COUNT(*) FROM images WHERE list_key IS NULL").fetchone()[0] == 0


def test_a_db_project_keeps_its_image_root_and_relocate_repoints_it(tmp_path):
    db = tmp_path / "dbs" / "p.db"
    make_project(tmp_path / "images", db=db)
    shutil.move(tmp_path / "images", tmp_path / "moved")
    with Store.open(db) as store:
        assert store.root == (tmp_path / "images").resolve()  # kept: a --db project names its image folder
    refused = run("relocate", db, "--to", tmp_path / "dbs")
    assert refused.returncode == 1 and "none of the project's 6 images" in refused.stderr
    moved = run("relocate", db, "--to", tmp_path / "moved")
    assert moved.returncode == 0, moved.stderr
    assert "6 of 6" in moved.stdout
    with Store.open(db) as store:
        assert store.root == (tmp_path / "moved").resolve()
        assert export_voc(store, tmp_path / "out").images == 6


def test_a_new_project_in_the_default_place_stores_a_relative_root(tmp_path):
    (tmp_path / "p").mkdir()
    with Store.create(tmp_path / "p") as store:
        assert store.get_setting("root") == ".."
        assert store.db_path == default_db_path(tmp_path / "p").resolve()


# ----------------------------------------------------------------- item 9: rolling backups, restore
def test_opening_takes_a_checked_backup_that_restore_lists_and_restores(tmp_path):
    db = make_project(tmp_path / "p")
    Store.open(tmp_path / "p").close()  # reopened: the first backup
    found = backups.list_backups(db)
    assert len(found) == 1 and backups.counts(found[0].path) == {"images": 6, "boxes": 6, "masks": 0}
    listed = run("restore", tmp_path / "p")
    assert listed.returncode == 0 and found[0].name in listed.stdout and "6 images, 6 boxes" in listed.stdout
    zero_page(db, 3)  # the database is damaged: the backup brings the work back
    damaged = db.read_bytes()
    restored = run("restore", tmp_path / "p", "1")
    assert restored.returncode == 0, restored.stderr
    with Store.open(tmp_path / "p") as store:
        assert store.image_count() == 6 and len(store.boxes()) == 6
    aside = next(backups.backup_dir(db).glob("before-restore-*.db"))
    assert aside.read_bytes() == damaged  # the damaged file is kept, as it was


def test_restore_is_refused_while_the_project_is_open(tmp_path):
    make_project(tmp_path / "p")
    with Store.open(tmp_path / "p") as store:
        result = run("restore", tmp_path / "p", "1")
        assert result.returncode == 1 and "close it first" in result.stderr
        assert store.image_count() == 6


def test_backups_every_interval_of_editing_kept_to_a_few(tmp_path, monkeypatch):
    db = make_project(tmp_path / "p")
    monkeypatch.setattr(backups, "INTERVAL", 0.0)  # every commit is "10 minutes later"
    with Store.open(tmp_path / "p") as store:
        image_id = store.images()[0].id
        for n in range(12):
            store.insert_box(BoxRecord(0, image_id, "dog", 1, 1, 5 + n, 5))
    found = backups.list_backups(db)
    assert len(found) == backups.KEEP_RECENT  # all taken today: the newest few
    assert backups.counts(found[0].path)["boxes"] == 6 + 12  # the newest has the last edit


def test_older_days_keep_one_backup_each(tmp_path):
    db = make_project(tmp_path / "p")
    day = 24 * 3600.0
    with Store.open(tmp_path / "p") as store:
        now = backups.list_backups(db)[0].created if backups.list_backups(db) else 1.8e9
        for k in range(10):
            for h in range(3):  # three backups on each of 10 days before
                backups.make_backup(store.conn, db, now=now - (k + 1) * day + h * 3600)
    found = backups.list_backups(db)
    days = {b.when[:10] for b in found}
    assert len(found) <= backups.KEEP_RECENT + backups.KEEP_DAYS and len(days) >= backups.KEEP_DAYS


def test_a_creation_killed_before_its_rename_leaves_no_project_db_and_is_redone(tmp_path):
    folder = tmp_path / "p"
    write_image(folder / "a.jpg")
    leftover = folder / ".labelstudio" / ".project.db.creating"  # what a kill during creation leaves
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"")
    assert Store.find_db(folder) is None  # no project.db: the app offers an import, as for a new folder
    result = run("import", folder)
    assert result.returncode == 0, result.stderr
    assert not leftover.exists()
    with Store.open(folder) as store:
        assert store.image_count() == 1 and store.get_setting("root") == ".."


def test_a_read_only_copy_whose_last_edits_are_in_the_log_is_never_read_without_them(read_only_copy, tmp_path):
    """A read-only copy made while the app had the project open: the log holds the last edits. Read with its
    shared-memory file, they are there; without it, the copy is refused rather than read stale."""
    import os

    if os.geteuid() != 0:
        pytest.skip("needs the read-only mount")
    where = read_only_copy.parent
    subprocess.run(["mount", "-o", "remount,rw", str(where)], check=True)
    db = read_only_copy / ".labelstudio" / "project.db"
    keeper = sqlite3.connect(db, isolation_level=None)  # like the app: its log not yet checkpointed
    keeper.execute("PRAGMA wal_autocheckpoint=0")
    keeper.execute("INSERT INTO settings(key, value) VALUES('last_edit', '1')")
    shutil.copy(db, tmp_path / "db")
    shutil.copy(f"{db}-wal", tmp_path / "wal")
    keeper.close()  # checkpoints and removes the log: put the copy's state back
    shutil.copy(tmp_path / "db", db)
    shutil.copy(tmp_path / "wal", f"{db}-wal")
    Path(f"{db}-shm").unlink(missing_ok=True)
    subprocess.run(["mount", "-o", "remount,ro", str(where)], check=True)
    info = run("info", read_only_copy)
    assert info.returncode == 1 and "last edits are still in project.db-wal" in info.stderr
    assert "damaged" not in info.stderr
