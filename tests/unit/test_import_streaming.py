"""A plain folder or class folders imported a folder at a time (issue 24): rows as ``add_image`` writes them, the same
with the headers read in worker processes, re-imports that find changed and vanished files by SQL, a cancel that keeps
every batch written, and no list of every record on the way."""

from __future__ import annotations

import json
import multiprocessing
import os
import sqlite3

import pytest
from helpers import write_image
from PIL import Image

from labelstudio_desktop.core.formats import folders
from labelstudio_desktop.core.jobs import Cancelled, JobToken
from labelstudio_desktop.core.store.store import Store
from labelstudio_desktop.core.transfer import header_reads, importer
from labelstudio_desktop.core.transfer.importer import import_folder

#: Every column of an image row but its id and the time it was added.
COLUMNS = ("path", "size", "mtime", "width", "height", "channels", "label", "value", "split", "status", "excluded",
           "missing", "warnings", "list_key")


def _folder(root, per_folder=60):
    """Class folders under split folders, a few hundred small JPEGs and PNGs, some with something to say."""
    n = 0
    for split in ("train", "val"):
        for cls in ("cat", "dog", "bird"):
            for i in range(per_folder):
                fmt = "png" if i % 7 == 0 else "jpg"
                write_image(root / split / cls / f"img-{i}.{fmt}", 24 + i % 5, 16 + i % 3, seed=n)
                n += 1
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated: a warning, and width and height swapped
    Image.new("RGB", (30, 20), "red").save(root / "train" / "cat" / "rotated.jpg", exif=exif)
    (root / "val" / "dog" / "broken.jpg").write_bytes(b"not an image at all")
    (root / "train" / "bird" / "photo.heic").write_bytes(b"....")
    return n + 1  # the broken file and the HEIC are not imported


def _rows(store):
    return [tuple(r) for r in store.conn.execute(f"SELECT {', '.join(COLUMNS)} FROM images ORDER BY id")]


@pytest.fixture(params=[False, True], ids=["in-process", "workers"])
def workers(request, monkeypatch):
    """Headers read in this process, or in worker processes (as for a large folder)."""
    if request.param:
        monkeypatch.setattr(header_reads, "PROCESS_FROM", 1)
        monkeypatch.setattr(header_reads, "CHUNK", 16)
        monkeypatch.setattr(header_reads, "_cores", lambda: 2)
    monkeypatch.setattr(importer, "INGEST_BATCH", 50)
    before = set(multiprocessing.active_children())  # another test's processes, if any
    yield request.param
    assert set(multiprocessing.active_children()) <= before  # the workers are gone when the import returns


def test_rows_are_those_add_image_writes(tmp_path, workers):
    root = tmp_path / "photos"
    expected = _folder(root)
    with Store.create(root) as store:
        report = import_folder(store)
        assert (report.format, report.added, report.imported) == ("classes", expected, expected)
        errors = {p.path: p.reason for p in report.errors}
        assert set(errors) == {"val/dog/broken.jpg", "train/bird/photo.heic"}
        assert any(p.path == "train/cat/rotated.jpg" and "EXIF orientation 6" in p.reason for p in report.problems)
        rows = _rows(store)
        rotated = store.image_by_path("train/cat/rotated.jpg")
        assert (rotated.width, rotated.height, rotated.label, rotated.split) == (20, 30, "cat", "train")
        assert store.image_by_path("val/bird/img-3.jpg").split == "val"
    paths = [r[0] for r in rows]
    assert paths == sorted(paths, key=lambda p: (p.split("/")[:2], p.split("/")[2]))  # ids follow the walk
    (tmp_path / "other").mkdir()
    with Store.create(tmp_path / "other", tmp_path / "other.db") as other:  # the rows add_image writes
        for row in rows:
            facts = dict(zip(COLUMNS, row, strict=True))
            other.add_image(facts["path"], facts["size"], facts["mtime"], facts["width"], facts["height"],
                            facts["channels"], label=facts["label"], split=facts["split"],
                            warnings=json.loads(facts["warnings"]))
        assert _rows(other) == rows


def test_worker_processes_write_the_rows_this_process_writes(tmp_path, monkeypatch):
    root = tmp_path / "photos"
    _folder(root, per_folder=20)
    monkeypatch.setattr(importer, "INGEST_BATCH", 30)
    with Store.create(root, tmp_path / "here.db") as store:
        import_folder(store)
        here = _rows(store)
    monkeypatch.setattr(header_reads, "PROCESS_FROM", 1)
    monkeypatch.setattr(header_reads, "CHUNK", 8)
    monkeypatch.setattr(header_reads, "_cores", lambda: 2)
    with Store.create(root, tmp_path / "workers.db") as store:
        import_folder(store)
        assert _rows(store) == here


def test_reimport_finds_changed_vanished_and_returned_files(tmp_path, workers):
    root = tmp_path / "photos"
    expected = _folder(root, per_folder=30)
    with Store.create(root) as store:
        import_folder(store)
        stored = store.image_by_path("val/cat/img-2.jpg")
        store.set_missing([stored.id])  # missing in the store, there on disk: restored
        write_image(root / "train" / "dog" / "img-4.jpg", 50, 40, seed=99)  # changed size: refreshed
        os.utime(root / "train" / "dog" / "img-4.jpg", (1, 1))
        (root / "train" / "cat" / "img-5.jpg").unlink()  # gone
        for f in (root / "val" / "bird").iterdir():  # a whole folder gone
            f.unlink()
        (root / "val" / "bird").rmdir()
        write_image(root / "test" / "dog" / "new.jpg")
        report = import_folder(store)
        gone = 1 + 30
        assert (report.added, report.refreshed, report.restored, report.missing) == (1, 1, 1, gone)
        assert report.unchanged == expected - gone - 2
        assert store.image_by_path("train/cat/img-5.jpg").missing
        assert store.image_by_path("val/bird/img-1.jpg").missing
        changed = store.image_by_path("train/dog/img-4.jpg")
        assert (changed.width, changed.height, changed.missing) == (50, 40, False)
        assert not store.image_by_path("val/cat/img-2.jpg").missing
        assert store.image_by_path("test/dog/new.jpg").split == "test"
        again = import_folder(store)  # nothing changed since: nothing new, nothing missing again
        assert (again.added, again.refreshed, again.missing, again.restored) == (0, 0, 0, 0)
        assert again.unchanged == expected - gone + 1
        assert store.conn.execute("SELECT COUNT(*) FROM temp.sqlite_master").fetchone()[0] == 0  # no table left


def test_a_cancelled_import_keeps_every_batch_written(tmp_path, workers):
    root = tmp_path / "photos"
    expected = _folder(root, per_folder=40)
    written = []

    def cancel_past_100(done, total):
        written.append(done)
        if done >= 100:
            job.cancel()

    job = JobToken(on_progress=cancel_past_100)
    with Store.create(root) as store:
        with pytest.raises(Cancelled):
            import_folder(store, job=job)
        assert 100 <= store.image_count() == written[-1] < expected  # every batch committed before the cancel
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        report = import_folder(store)
        assert (report.added, report.unchanged) == (expected - written[-1], written[-1])
    with sqlite3.connect(store.db_path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM images").fetchone()[0] == expected


def test_a_streamed_import_lists_no_record_and_no_file(tmp_path, monkeypatch):
    root = tmp_path / "photos"
    expected = _folder(root, per_folder=10)
    with Store.create(root) as store:
        import_folder(store)

        def listed(*args, **kwargs):
            raise AssertionError("a list of every record or file was made")

        monkeypatch.setattr(Store, "images", listed)
        monkeypatch.setattr(importer, "all_files", listed)
        (root / "train" / "cat" / "img-1.jpg").unlink()
        report = import_folder(store)
        assert (report.unchanged, report.missing) == (expected - 1, 1)


def test_the_walk_leaves_out_what_it_always_did(tmp_path):
    root, away = tmp_path / "root", tmp_path / "away"
    (root / "a" / "b").mkdir(parents=True)
    for folder in (".hidden", "__MACOSX", os.fsdecode(b"bad\xfe")):
        (root / folder).mkdir()
        (root / folder / "q.jpg").write_bytes(b"x")
    for rel in ("a/x.jpg", "a/b/y.jpg", "z.jpg", ".h.jpg", "a/b/c.txt", os.fsdecode(b"bad\xff.jpg")):
        (root / rel).write_bytes(b"x")
    away.mkdir()
    (away / "o.jpg").write_bytes(b"x")
    os.symlink(away / "o.jpg", root / "a" / "out.jpg")
    os.symlink(root / "z.jpg", root / "a" / "in.jpg")
    os.symlink(away, root / "folder_out")
    os.symlink(root / "a", root / "folder_in")  # inside, but a link to a folder is not followed
    skipped = []
    files = folders.walk_files(root, skipped)
    assert [p.relative_to(root).as_posix() for p in files] == [
        "z.jpg", "a/in.jpg", "a/x.jpg", "a/b/c.txt", "a/b/y.jpg"]
    assert skipped == [("bad\\xfe/", folders.NOT_UTF8), ("folder_out/", folders.LINK_OUTSIDE),
                       ("bad\\xff.jpg", folders.NOT_UTF8), ("a/out.jpg", folders.LINK_OUTSIDE)]
