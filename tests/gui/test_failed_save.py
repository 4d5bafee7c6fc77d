"""A save the database refuses (locked by another program, disk full) never crashes the app, never leaves the undo
stack out of step with the database, and the next edit works. Real SQLite locks, a real full database and, where
this machine lets the test mount one, a real full tmpfs."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess

import pytest
from PySide6.QtCore import QPoint, Qt

from labelstudio_desktop.core.store.store import BoxRecord


def _drag_right_edge(qtbot, window, box_id, pixels=10):
    canvas = window.canvas
    box = window.store.box(box_id)
    start = canvas.to_widget(box.x1, (box.y0 + box.y1) / 2)
    start = QPoint(round(start.x()), round(start.y()))
    end = start + QPoint(round(pixels * canvas.scale), 0)
    qtbot.mousePress(canvas, Qt.LeftButton, pos=start)
    qtbot.mouseMove(canvas, end)
    qtbot.mouseRelease(canvas, Qt.LeftButton, pos=end)


def _box_on_current_image(window):
    image_id = window.annotation.image.id
    box_id = window.store.insert_box(BoxRecord(0, image_id, "nut", 40, 30, 100, 90))
    window.annotation.show(image_id)
    window.canvas.select(box_id)
    return box_id


def test_a_locked_database_is_a_message_and_the_next_edit_works(window, qtbot, demo):
    box_id = _box_on_current_image(window)
    window.store.conn.execute("PRAGMA busy_timeout = 200")  # the app waits 10 s by default; the test need not
    other = sqlite3.connect(str(window.store.db_path), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    try:
        _drag_right_edge(qtbot, window, box_id)
        assert window.store.box(box_id).edges == (40, 30, 100, 90)
        assert window.canvas.selected_box().edges == (40, 30, 100, 90)  # the view shows what is saved
        assert window.editor.stack.count() == 0
        assert window.save_error_label.isVisible() and "locked" in window.save_error_label.text()
        window.canvas.setFocus()
        qtbot.keyClick(window.canvas, Qt.Key_3)  # a second edit while locked: refused the same way, no crash
        assert window.editor.stack.count() == 0
    finally:
        other.execute("ROLLBACK")
        other.close()
    _drag_right_edge(qtbot, window, box_id)
    assert window.store.box(box_id).edges == (40, 30, 110, 90)
    assert window.editor.stack.count() == 1 and not window.save_error_label.isVisible()
    window.act_undo.trigger()
    assert window.store.box(box_id).edges == (40, 30, 100, 90)


def test_an_undo_refused_by_a_lock_leaves_the_stack_where_it_was(window, qtbot):
    box_id = _box_on_current_image(window)
    _drag_right_edge(qtbot, window, box_id)
    window.store.conn.execute("PRAGMA busy_timeout = 200")
    other = sqlite3.connect(str(window.store.db_path), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        window.act_undo.trigger()
        assert window.editor.stack.index() == 1 and window.store.box(box_id).edges == (40, 30, 110, 90)
        assert "locked" in window.save_error_label.text()
    finally:
        other.execute("ROLLBACK")
        other.close()
    window.act_undo.trigger()
    assert window.editor.stack.index() == 0 and window.store.box(box_id).edges == (40, 30, 100, 90)
    window.act_redo.trigger()
    assert window.store.box(box_id).edges == (40, 30, 110, 90)


def test_a_full_database_is_a_message_and_nothing_is_half_saved(window, qtbot):
    conn = window.store.conn
    image_id = window.annotation.image.id
    window.act_ask_label.trigger()  # new boxes take the last label: no dialog
    window.annotation.recent_labels = ["washer"]
    conn.execute(f"PRAGMA max_page_count = {conn.execute('PRAGMA page_count').fetchone()[0]}")
    for n in range(2000):  # SQLite's own "database or disk is full" once the boxes need a new page
        if window.save_error_label.isVisible():
            break
        window.annotation.add_box(1, 1, 10 + n % 100, 10 + n % 90)
    assert window.save_error_label.isVisible() and "full" in window.save_error_label.text()
    assert len(window.store.boxes(image_id)) == window.editor.stack.count()  # every box saved is undoable, no more
    conn.execute("PRAGMA max_page_count = 1073741823")
    window.annotation.add_box(5, 5, 50, 50)
    assert len(window.store.boxes(image_id)) == window.editor.stack.count() and not window.save_error_label.isVisible()
    window.act_undo.trigger()
    assert len(window.store.boxes(image_id)) == window.editor.stack.count() - 1
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.fixture
def small_tmpfs(tmp_path):
    """A real 2 MB tmpfs (needs root and a kernel that allows the mount; skipped with the reason otherwise)."""
    where = tmp_path / "tmpfs"
    where.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("no mount command here")
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(where)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")
    yield where
    subprocess.run(["umount", "-l", str(where)], check=False)


def test_a_full_disk_is_a_message_and_the_next_edit_works_once_there_is_space(qtbot, settings, demo, small_tmpfs):
    from labelstudio_desktop.core.store.store import Store
    from labelstudio_desktop.core.transfer.importer import import_folder
    from labelstudio_desktop.gui.main_window import MainWindow

    db = small_tmpfs / "project.db"
    with Store.create(demo / "images", db) as store:  # the database on the small disk (--db)
        import_folder(store)
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.show()
    assert window.open_project(str(demo / "images"), str(db))
    image_id = window.annotation.image.id
    filler = small_tmpfs / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    for chunk in (65536, 512, 1):  # fill the disk to the last byte
        try:
            while True:
                os.write(fd, b"\0" * chunk)
        except OSError:
            pass
    os.close(fd)
    for n in range(200):
        if window.save_error_label.isVisible():
            break
        window.annotation.set_field("value", 1000.0 + n)
    assert window.save_error_label.isVisible() and "full" in window.save_error_label.text()
    saved = window.editor.stack.count()
    before = window.store.image(image_id).value
    filler.unlink()
    window.annotation.set_field("value", 2.5)
    assert window.editor.stack.count() == saved + 1 and window.store.image(image_id).value == 2.5
    window.act_undo.trigger()
    assert window.store.image(image_id).value == before
    assert window.store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    window.close()
