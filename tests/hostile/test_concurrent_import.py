"""Two first imports of one folder at once (issue 22, items 3 and 5): one creates the project, the other waits for it
and finds it made, or (past the busy timeout) says plainly that another import is creating it; never a 0-byte or
half-built ``project.db``, never an image or a box twice.

Two real processes (:mod:`import_racer`) start each round's import at the same instant, round after round; the lock
they meet is the one the system drops when a process ends (:func:`.core.integrity.project_lock`).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from helpers import write_image, write_labelimg_xml

from labelstudio_desktop.core.formats.voc import VocObject
from labelstudio_desktop.core.store.integrity import project_lock
from labelstudio_desktop.core.store.store import Store, default_db_path

ROUNDS, IMAGES, GAP_S = 4, 3, 1.0
RACER = Path(__file__).with_name("import_racer.py")


def _folder(root: Path) -> Path:
    """``IMAGES`` images, each with a labelImg XML of one box."""
    for n in range(IMAGES):
        image = write_image(root / f"{n}.jpg", 64, 48, seed=n)
        write_labelimg_xml(root / f"{n}.xml", image, 64, 48, [VocObject("cat", 4, 4, 40, 30)])
    return root


def _counts(root: Path) -> tuple[int, int, str]:
    with Store.open(root) as store:
        boxes = store.conn.execute("SELECT COUNT(*) FROM boxes").fetchone()[0]
        return store.image_count(), boxes, store.conn.execute("PRAGMA integrity_check").fetchone()[0]


def test_two_first_imports_of_a_folder_at_once_make_one_whole_project(tmp_path):
    folders = [_folder(tmp_path / f"p{n}") for n in range(ROUNDS)]
    start = time.time() + 3  # both processes are up and waiting by then
    racers = [subprocess.Popen([sys.executable, str(RACER), str(start), str(GAP_S), *map(str, folders)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [racer.communicate(timeout=120) for racer in racers]
    rounds: dict[int, list[dict]] = {}
    for out, err in results:
        assert "Traceback" not in err, err
        for line in out.splitlines():
            entry = json.loads(line)
            rounds.setdefault(entry["round"], []).append(entry)
    assert sorted(rounds) == list(range(ROUNDS))
    for n, (first, second) in rounds.items():
        for entry in (first, second):
            assert entry["rc"] == 0 and "Traceback" not in entry["err"], entry
            assert "empty (0 bytes)" not in entry["err"]
        added = sorted(e["out"].split("added ")[1].split(",")[0] for e in (first, second))
        assert added == ["0", str(IMAGES)], (n, first["out"], second["out"])  # one created, the other found it
        assert _counts(folders[n]) == (IMAGES, IMAGES, "ok")


def test_an_import_that_meets_a_long_creation_says_so_plainly_and_leaves_no_database(tmp_path):
    root = _folder(tmp_path / "p")
    db = default_db_path(root)
    db.parent.mkdir()
    env = {**os.environ, "LABELSTUDIO_BUSY_TIMEOUT": "0.5"}
    with project_lock(db, 0):  # this process is "creating the project", as long as the other would wait
        result = subprocess.run([sys.executable, "-m", "labelstudio_desktop", "import", str(root)],
                                capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "another import is creating this project or importing into it, and did not finish within 0.5 s" \
           in result.stderr
    assert not db.exists()  # nothing half-made: the first import still creates it whole
    result = subprocess.run([sys.executable, "-m", "labelstudio_desktop", "import", str(root)], capture_output=True,
                            text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    assert _counts(root) == (IMAGES, IMAGES, "ok")


def test_a_second_import_into_a_project_waits_for_the_first_one_or_says_so(tmp_path):
    root = _folder(tmp_path / "p")
    assert subprocess.run([sys.executable, "-m", "labelstudio_desktop", "import", str(root)], capture_output=True,
                          timeout=120).returncode == 0
    db = default_db_path(root)
    env = {**os.environ, "LABELSTUDIO_BUSY_TIMEOUT": "0.5"}
    with project_lock(db, 0):  # an import of this project running in this process
        result = subprocess.run([sys.executable, "-m", "labelstudio_desktop", "import", str(root)],
                                capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "another import is creating this project or importing into it" in result.stderr
    assert _counts(root) == (IMAGES, IMAGES, "ok")
    c = sqlite3.connect(db)
    assert c.execute("SELECT COUNT(*) FROM annotation_files").fetchone()[0] == IMAGES
    c.close()
