"""Issue 13 item 8 in the app: a damaged or emptied database is never opened; a plain message box says why and how
to recover, and the project already open stays open."""

from __future__ import annotations

import shutil
import sqlite3

from dialogs_helper import answer_next_message_box


def _zero_page(db, page: int) -> None:
    size = sqlite3.connect(db).execute("PRAGMA page_size").fetchone()[0]
    with open(db, "r+b") as f:
        f.seek((page - 1) * size)
        f.write(b"\0" * size)


def _copy(project, to) -> None:
    """A copy of the project the window has open, without its thumbnail cache: the window's thumbnail worker may be
    writing (and renaming away) temporary files there while the copy runs."""
    shutil.copytree(project, to, ignore=shutil.ignore_patterns("thumbnails"))


def test_a_damaged_database_is_a_message_box_and_the_open_project_stays(window, demo, tmp_path):
    _copy(demo, tmp_path / "damaged")
    db = tmp_path / "damaged" / "images" / ".labelstudio" / "project.db"
    _zero_page(db, 5)
    before = db.read_bytes()
    current = window.store
    seen = answer_next_message_box(None)
    assert not window.open_project(str(tmp_path / "damaged" / "images"))
    assert "damaged" in seen[0] and "recover" in seen[0]
    assert window.store is current and window.store.image_count() == 122
    assert db.read_bytes() == before


def test_an_empty_project_db_is_a_message_box_not_an_empty_project(window, demo, tmp_path):
    _copy(demo, tmp_path / "emptied")
    db = tmp_path / "emptied" / "images" / ".labelstudio" / "project.db"
    db.write_bytes(b"")
    for side in ("-wal", "-shm"):
        (db.parent / f"project.db{side}").unlink(missing_ok=True)
    seen = answer_next_message_box(None)
    assert not window.open_project(str(tmp_path / "emptied" / "images"))
    assert "empty (0 bytes)" in seen[0]
    assert db.stat().st_size == 0 and not window.jobs.runner.busy()  # no import started over it


def test_a_read_only_project_is_a_plain_message_box(window, demo, tmp_path):
    import os
    import subprocess

    import pytest

    where = tmp_path / "ro"
    where.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("a read-only mount needs root and the mount command")
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(where)]).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        _copy(demo / "images", where / "images")
        subprocess.run(["mount", "-o", "remount,ro", str(where)], check=True)
        seen = answer_next_message_box(None)
        assert not window.open_project(str(where / "images"))
        assert "read-only" in seen[0] and "export" in seen[0]
        assert window.store.image_count() == 122
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)
