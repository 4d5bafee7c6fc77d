"""A received project: a real project folder whose ``project.db`` someone crafted, beside a victim folder.

:func:`received_project` writes both. The project holds real images with accepted boxes (``VALID``), and its database
(a real SQLite file, written as the app writes it, then edited with ``sqlite3``) is given every record the audit of
issue 22 used to reach outside the project: image paths that lead out (``..``, absolute, through links), file-move
journal rows that would move the victim's secret in, plant a file in the victim's folder or delete the victim's copy
of a photo, a run whose model file is the secret, and an image root of ``/``. It also holds one interrupted quarantine
that is genuine (``q.jpg``), which opening must still put back.

:func:`snapshot` records the victim folder (listing, types, sizes, times, bytes): nothing a command does may change it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from helpers import write_image

from labelstudio_desktop.core.store.store import BoxRecord, Store
from labelstudio_desktop.core.transfer.importer import import_folder

SECRET = b"VICTIM-SECRET-7f3a91: never read, never moved\n"
#: The project's own images: each must keep working (exported, fingerprinted, shown).
VALID = ("a.jpg", "b.jpg", "sub/c.jpg", "q.jpg", "r.jpg")
EXCLUDED = "e.jpg"  # excluded: what "Move excluded files to quarantine" may move


@dataclass
class Received:
    root: Path  # the project folder as received
    victim: Path  # a folder of the user's, outside the project
    db: Path
    refused_records: set[str] = field(default_factory=set)  # Refusal.record of every record opening must refuse

    @property
    def photo(self) -> Path:
        return self.victim / "photo.jpg"


def _dead_pid() -> int:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    return gone.pid


def _image_row(c: sqlite3.Connection, path: str, excluded: bool = False, missing: bool = False) -> int:
    cur = c.execute("INSERT INTO images(path, size, mtime, width, height, channels, label, split, status, excluded, "
                    "missing, warnings, added_at) VALUES(?, 1000, 0, 64, 48, 3, 'cat', 'train', 'verified', ?, ?, "
                    "'[]', 0)", (path, int(excluded), int(missing)))
    image_id = int(cur.lastrowid)
    c.execute("INSERT INTO boxes(image_id, label, x0, y0, x1, y1, source, state, created_at) "
              "VALUES(?, 'cat', 2, 2, 30, 30, 'manual', 'accepted', 0)", (image_id,))
    return image_id


def _victim(folder: Path, twin_of: Path) -> None:
    folder.mkdir()
    (folder / "secret.txt").write_bytes(SECRET)
    write_image(folder / "photo.jpg", 64, 48, seed=99)
    shutil.copyfile(twin_of, folder / "twin.jpg")  # the user's own copy of a photo the project also holds
    (folder / "list.txt").write_bytes(SECRET + b"photo.jpg\n")
    write_image(folder / "images" / "v.jpg", 64, 48, seed=98)


def _project(root: Path) -> None:
    for n, rel in enumerate((*VALID, EXCLUDED)):
        write_image(root / rel, 64, 48, seed=n)
    with Store.create(root) as store:
        import_folder(store)
        for img in store.images():
            store.insert_box(BoxRecord(0, img.id, "cat", 4, 4, 40, 30))
            store.update_image_fields(img.id, {"status": "verified", "split": "val" if img.path == "b.jpg" else
                                               "train", "excluded": img.path == EXCLUDED})


def received_project(tmp_path: Path) -> Received:
    """The project folder ``tmp_path/p`` with its crafted database, and the victim folder ``tmp_path/victim``."""
    root, victim = tmp_path / "p", tmp_path / "victim"
    _project(root)
    _victim(victim, root / "a.jpg")
    own = root / ".labelstudio"
    quarantine = own / "quarantine"
    quarantine.mkdir()
    (root / "link.jpg").symlink_to(victim / "photo.jpg")  # a link inside the folder, leading out
    (root / "elink.jpg").symlink_to(victim / "photo.jpg")
    (root / "linked").symlink_to(victim)  # a folder link leading out
    (quarantine / "evil.desktop").write_bytes(b"[Desktop Entry]\nExec=evil\n")  # what a row would plant outside
    os.replace(root / "q.jpg", quarantine / "q.jpg")  # a genuine quarantine, interrupted: q.jpg must come back
    os.replace(root / "r.jpg", quarantine / "r.jpg")
    (quarantine / "r.jpg").write_bytes(b"not the image that was moved")  # ...but r.jpg's file there is another one
    received = Received(root, victim, own / "project.db")
    c = sqlite3.connect(received.db, isolation_level=None)
    ids = {r[1]: r[0] for r in c.execute("SELECT id, path FROM images")}
    hostile = {"../victim/photo.jpg": False, str(victim / "photo.jpg"): False, "link.jpg": False,
               "linked/photo.jpg": False, "..\\victim\\photo.jpg": False, "sub/../../victim/photo.jpg": True,
               "elink.jpg": True, "../victim/autostart/evil.desktop": True}
    for path, excluded in hostile.items():
        ids[path] = _image_row(c, path, excluded=excluded)
        received.refused_records.add(f"image {ids[path]}")
    ids["gone.jpg"] = _image_row(c, "gone.jpg", missing=True)  # a fair record whose file is away
    c.execute("UPDATE images SET missing=1 WHERE path IN ('q.jpg', 'r.jpg')")
    moves = [  # (image id, src, dst, refused?)
        (ids["gone.jpg"], "gone.jpg", str(victim / "secret.txt"), True),  # would move the secret in
        (ids["../victim/autostart/evil.desktop"], "../victim/autostart/evil.desktop", "quarantine/evil.desktop",
         True),  # would plant a file outside, creating its folders
        (ids["a.jpg"], "a.jpg", str(victim / "twin.jpg"), True),  # would delete the victim's identical copy
        (ids["b.jpg"], "sub/c.jpg", "quarantine/x.jpg", True),  # not its image's path
        (ids["q.jpg"], "q.jpg", "quarantine/q.jpg", False),  # genuine: put back
        (ids["r.jpg"], "r.jpg", "quarantine/r.jpg", True),  # genuine ends, but the file there is not r.jpg's
    ]
    for image_id, src, dst, refused in moves:
        row = c.execute("INSERT INTO file_moves(image_id, src, dst) VALUES(?,?,?)", (image_id, src, dst)).lastrowid
        if refused:
            received.refused_records.add(f"file move {row}")
    c.execute("INSERT OR REPLACE INTO settings(key, value) VALUES('file_moves_owner', ?)",
              (json.dumps({"pid": _dead_pid(), "host": None}),))
    c.execute("UPDATE settings SET value=? WHERE key='root'", (json.dumps("/"),))
    received.refused_records.add("image folder")
    for model in (str(victim / "secret.txt"), "../../victim/secret.txt"):
        run = c.execute("INSERT INTO runs(task, params, history, model_path, status, started_at) "
                        "VALUES('classify', '{}', '{}', ?, 'finished', 0)", (model,)).lastrowid
        received.refused_records.add(f"run {run}")
    c.close()
    return received


def snapshot(folder: Path) -> dict[str, tuple]:
    """Every entry below ``folder`` (and the folder itself): its kind, size, modification time and bytes' digest."""
    out: dict[str, tuple] = {}
    for path in [folder, *sorted(folder.rglob("*"))]:
        st = path.lstat()
        if path.is_symlink():
            out[str(path)] = ("link", os.readlink(path))
        elif path.is_dir():
            out[str(path)] = ("dir", st.st_mtime_ns, tuple(sorted(os.listdir(path))))
        else:
            out[str(path)] = ("file", st.st_size, st.st_mtime_ns, hashlib.sha256(path.read_bytes()).hexdigest())
    return out


def files_holding(folder: Path, needles: list[bytes]) -> list[Path]:
    """Files below ``folder`` (links not followed) whose bytes contain one of ``needles``."""
    found = []
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            data = path.read_bytes()
            if any(n in data for n in needles):
                found.append(path)
    return found
