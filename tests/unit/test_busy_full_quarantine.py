"""Issue 13 items 7 and 11: a quarantine killed part-way is put back on the next opening; a busy or full database is
a plain message from the CLI; an import commits in short batches that other writers get in between."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from helpers import write_image

from labelstudio_desktop.core.jobs import JobToken
from labelstudio_desktop.core.store.store import Store
from labelstudio_desktop.core.transfer import importer
from labelstudio_desktop.core.transfer.importer import import_folder


def run(*args, **env):
    return subprocess.run([sys.executable, "-m", "labelstudio_desktop", *map(str, args)], capture_output=True,
                          text=True, env={**os.environ, **env})


def _images(folder: Path, n: int) -> None:
    for i in range(n):
        write_image(folder / f"sub{i % 3}" / f"img{i:03d}.jpg", w=32, h=24, seed=i)


# ------------------------------------------------------------------------ item 7: quarantine journal
KILLER = textwrap.dedent("""
    import os, signal, sys
    from labelstudio_desktop.core.store import file_moves
    from labelstudio_desktop.core.cleaning.resolve import QuarantineExcluded
    from labelstudio_desktop.core.store.store import Store

    folder, after, phase = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    real, moved = file_moves.move, []

    def move(src, dst):  # the real move, then a real SIGKILL after the n-th
        real(src, dst)
        moved.append(dst)
        if len(moved) == after:
            if phase == "pause":  # a quarantine still going on, as long as the test wants
                print("moving", flush=True)
                sys.stdin.read()
            os.kill(os.getpid(), signal.SIGKILL)

    store = Store.open(folder)
    command = QuarantineExcluded(store)
    if phase == "undo":
        command.do(store)
    file_moves.move = move
    command.undo(store) if phase == "undo" else command.do(store)
""")


@pytest.mark.parametrize("phase", ["do", "undo"])
def test_a_quarantine_killed_part_way_is_put_back_on_the_next_opening(tmp_path, phase):
    folder = tmp_path / "p"
    _images(folder, 30)
    with Store.create(folder) as store:
        import_folder(store)
        store.conn.execute("UPDATE images SET excluded=1")
        contents = {img.path: (folder / img.path).read_bytes() for img in store.images()}
    killed = subprocess.run([sys.executable, "-c", KILLER, str(folder), "12", phase], capture_output=True, text=True)
    assert killed.returncode == -9, killed.stderr
    quarantine = folder / ".labelstudio" / "quarantine"
    if phase == "do":  # killed with 12 of 30 files moved and nothing recorded: the folder and the store disagree
        assert len([p for p in quarantine.rglob("*.jpg")]) == 12
    with Store.open(folder) as store:
        assert len(store.recovered) == (12 if phase == "do" else 30 - 12)  # each file still away moved back
        assert not [img.path for img in store.images() if img.missing]
        assert store.conn.execute("SELECT COUNT(*) FROM file_moves").fetchone()[0] == 0
    assert {p: (folder / p).read_bytes() for p in contents} == contents
    assert not list(quarantine.rglob("*.jpg"))


def test_a_finished_quarantine_is_left_alone_on_opening(tmp_path):
    from labelstudio_desktop.core.cleaning.resolve import QuarantineExcluded

    folder = tmp_path / "p"
    _images(folder, 6)
    with Store.create(folder) as store:
        import_folder(store)
        store.conn.execute("UPDATE images SET excluded=1 WHERE path LIKE 'sub0/%'")
        QuarantineExcluded(store).do(store)
    with Store.open(folder) as store:
        assert store.recovered == []
        assert len([img for img in store.images() if img.missing]) == 2
    assert len(list((folder / ".labelstudio" / "quarantine").rglob("*.jpg"))) == 2


def test_a_quarantine_still_going_on_in_another_process_is_left_alone(tmp_path):
    folder = tmp_path / "p"
    _images(folder, 10)
    with Store.create(folder) as store:
        import_folder(store)
        store.conn.execute("UPDATE images SET excluded=1")
    mover = subprocess.Popen([sys.executable, "-c", KILLER, str(folder), "4", "pause"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    try:
        assert mover.stdout.readline().strip() == "moving"
        with Store.open(folder) as store:  # e.g. a command run while the app moves files
            assert store.recovered == []
        assert len(list((folder / ".labelstudio" / "quarantine").rglob("*.jpg"))) == 4
    finally:
        mover.kill()
        mover.wait()
    with Store.open(folder) as store:  # its process is gone: now the moves are put back
        assert len(store.recovered) == 4
    assert not list((folder / ".labelstudio" / "quarantine").rglob("*.jpg"))


def test_an_undo_blocked_by_a_new_file_keeps_both_files_and_records_what_moved_back(tmp_path):
    from labelstudio_desktop.core.cleaning.resolve import QuarantineExcluded

    folder = tmp_path / "p"
    _images(folder, 6)
    with Store.create(folder) as store:
        import_folder(store)
        store.conn.execute("UPDATE images SET excluded=1")
        command = QuarantineExcluded(store)
        command.do(store)
        blocked = command.moves[2]  # the user puts another file where one of them was
        blocked[1].write_bytes(b"a new file")
        with pytest.raises(FileExistsError):
            command.undo(store)
        assert store.conn.execute("SELECT COUNT(*) FROM file_moves").fetchone()[0] == 0
        back = [i for i, src, _dst in command.moves if src.is_file() and i != blocked[0]]
        assert not any(store.image(i).missing for i in back) and len(back) == 3  # moved back after the blocked one
    with Store.open(folder) as store:  # nothing to recover; both versions of the blocked file are kept
        assert store.recovered == []
    assert blocked[1].read_bytes() == b"a new file" and blocked[2].is_file()


def test_recovery_never_deletes_a_quarantined_file_that_differs_from_the_one_in_place(tmp_path):
    from labelstudio_desktop.core.cleaning.resolve import QuarantineExcluded
    from labelstudio_desktop.core.store import file_moves

    folder = tmp_path / "p"
    _images(folder, 3)
    with Store.create(folder) as store:
        import_folder(store)
        store.conn.execute("UPDATE images SET excluded=1")
        command = QuarantineExcluded(store)
        command.do(store)
        image_id, src, dst = command.moves[0]
        src.write_bytes(b"a new file in its place")
        file_moves.journal(store, [(image_id, store.image(image_id).path, dst)])  # an undo, interrupted
        gone = subprocess.Popen([sys.executable, "-c", "pass"])
        gone.wait()
        store.set_setting(file_moves.OWNER, {"pid": gone.pid, "host": None})  # ...by a process now gone
    with Store.open(folder) as store:
        assert any("both are kept" in note for note in store.recovered)
    assert src.read_bytes() == b"a new file in its place" and dst.is_file()


# ------------------------------------------------------------------------ item 11: busy, full, batches
def test_a_busy_database_is_a_plain_message_not_a_traceback(tmp_path):
    folder = tmp_path / "p"
    _images(folder, 6)
    with Store.create(folder) as store:
        import_folder(store)
    holder = sqlite3.connect(folder / ".labelstudio" / "project.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another program in the middle of a long write
    holder.execute("UPDATE settings SET value=value")
    try:
        for args in (("split", folder), ("import", folder), ("dedup", folder)):
            result = run(*args, LABELSTUDIO_BUSY_TIMEOUT="0.2")
            assert result.returncode == 1, (args, result.stdout, result.stderr)
            assert "busy" in result.stderr and "Traceback" not in result.stderr, result.stderr
            assert len(result.stderr.strip().splitlines()) == 1
    finally:
        holder.execute("ROLLBACK")
        holder.close()


@pytest.fixture
def small_tmpfs(tmp_path):
    """A real 1 MB tmpfs (needs root and a kernel that allows the mount; skipped with the reason otherwise)."""
    where = tmp_path / "tmpfs"
    where.mkdir()
    if shutil.which("mount") is None or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root and the mount command")
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(where)], capture_output=True,
                            text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")
    yield where
    subprocess.run(["umount", "-l", str(where)], check=False)


def test_a_full_disk_during_an_import_is_a_plain_message(tmp_path, small_tmpfs):
    folder = tmp_path / "p"
    _images(folder, 400)
    db = small_tmpfs / "p.db"
    filler = small_tmpfs / "filler"
    free = shutil.disk_usage(small_tmpfs).free
    filler.write_bytes(b"x" * (free - 120 * 1024))
    result = run("import", folder, "--db", db)
    assert result.returncode == 1, result.stdout
    assert "disk" in result.stderr and "full" in result.stderr and "Traceback" not in result.stderr, result.stderr
    filler.unlink()  # space again: the project opens, whole batches kept, and the import completes
    assert run("import", folder, "--db", db).returncode == 0
    with Store.open(db) as store:
        assert store.image_count() == 400 and store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_an_import_commits_in_short_batches_another_writer_gets_in_between(tmp_path, monkeypatch):
    folder = tmp_path / "p"
    _images(folder, 12)
    monkeypatch.setattr(importer, "INGEST_SECONDS", 0.0)  # a batch as short as it gets: one image
    with Store.create(folder) as store:
        other = sqlite3.connect(store.db_path, timeout=0, isolation_level=None)
        other.execute("CREATE TABLE IF NOT EXISTS app_edits(n INTEGER)")
        writes = []

        def between_batches(done, total):  # the app's edit, refused at once if the import held the lock
            other.execute("INSERT INTO app_edits VALUES(?)", (done,))
            writes.append(done)

        import_folder(store, job=JobToken(on_progress=between_batches))
        other.close()
        assert writes == list(range(1, 13))
        assert store.image_count() == 12
