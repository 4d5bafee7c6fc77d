"""A full disk and names the file system refuses (issue 22, items 3 and 5).

The full disk is real: a 2 MB tmpfs mounted in a private mount namespace (``unshare``: as root, or as any user where
the kernel allows user namespaces; nothing outside the test sees it, and it goes away with it), filled to its last
byte, with each command in its own process (:mod:`full_disk_run`). Reading (``info``) still works, read-only; writing
says "the disk is full; free space and retry", from the error codes (``SQLITE_FULL``, ``SQLITE_IOERR`` with no space
left, ``ENOSPC``), never a traceback; once there is space again the project works as before.

Names: image names of 251 and 255 bytes, whose exported names (``<folder>__<stem>``, ``.json``, ``_0.png``,
``_aug0_mask.png``) pass the 255 bytes a file system allows: each such file is skipped with a note naming the image
and the refused name, and the rest of the export is written.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path, PurePosixPath

import pytest
from helpers import write_image
from odd_values import H, W, block_mask

from labelstudio_desktop.cli import main
from labelstudio_desktop.core.store.masks import encode_mask
from labelstudio_desktop.core.store.store import BoxRecord, Store
from labelstudio_desktop.core.transfer.importer import import_folder

FULL = "the disk is full; free space and retry"
MOUNT = "mount -t tmpfs -o size=2m tmpfs {0} && exec {1} {2} {0}"


@pytest.fixture(scope="module")
def full_disk_runs(tmp_path_factory) -> dict[str, dict]:
    """What each command gave on the full disk, then after the space came back (see :mod:`full_disk_run`)."""
    if shutil.which("unshare") is None:
        pytest.skip("no unshare command here: a tmpfs cannot be mounted privately")
    folder = tmp_path_factory.mktemp("tmpfs")
    script = Path(__file__).with_name("full_disk_run.py")
    result = subprocess.run(["unshare", "--mount", "--map-root-user", "sh", "-c",
                             MOUNT.format(folder, sys.executable, script)], capture_output=True, text=True, timeout=300)
    if result.returncode != 0 and "mount" in result.stderr:
        pytest.skip(f"cannot mount a tmpfs in a private namespace here: {result.stderr.strip()}")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_full_disk_is_really_full_and_no_command_gives_a_traceback(full_disk_runs):
    assert int(full_disk_runs["filled"]["out"]) > 1_000_000
    for name, run in full_disk_runs.items():
        assert "Traceback" not in run["err"], (name, run["err"])


def test_info_on_a_full_disk_reads_the_project_read_only(full_disk_runs):
    info = full_disk_runs["info full"]
    assert info["rc"] == 0, info["err"]
    assert "images    3 (" in info["out"] and "accepted 3" in info["out"]
    assert f"{FULL}: opened read-only" in info["err"]


@pytest.mark.parametrize("name", ["import full", "first import full", "export full"])
def test_writing_on_a_full_disk_says_so_plainly(full_disk_runs, name):
    run = full_disk_runs[name]
    assert run["rc"] == 1 and FULL in run["err"], run["err"]
    assert "disk I/O error" not in run["err"] and "not a usable project database" not in run["err"]


def test_once_there_is_space_the_project_works_as_before(full_disk_runs):
    assert full_disk_runs["import freed"]["rc"] == 0, full_disk_runs["import freed"]["err"]
    assert "unchanged 3" in full_disk_runs["import freed"]["out"]
    info = json.loads(full_disk_runs["info freed"]["out"])
    assert info["images"] == 3 and info["boxes"]["accepted"] == 3


# ------------------------------------------------------------------------------------------------- names
LONG = "x" * 247 + ".jpg"  # 251 bytes
LONGEST = "z" * 251 + ".jpg"  # 255 bytes: the most a name may have
NAMES = ("a.jpg", LONG, f"sub/{LONG}", LONGEST)
#: The images each export cannot write: ``sub/x...`` as ``sub__x...`` (its stem is also at the top), ``z...`` with a
#: longer ending (``.json``, ``_0.png``), every long one with ``_aug0``.
REFUSED = {"voc": set(), "vocdevkit": {f"sub/{LONG}"}, "yolo": {f"sub/{LONG}"}, "yolov3": {f"sub/{LONG}"},
           "coco": {f"sub/{LONG}"}, "masks": {f"sub/{LONG}"}, "labelme": {f"sub/{LONG}", LONGEST},
           "crops": {f"sub/{LONG}", LONGEST}, "augmented": {LONG, f"sub/{LONG}", LONGEST}}


@pytest.fixture(scope="module")
def long_names(tmp_path_factory) -> Path:
    """A project of :data:`NAMES`, each image with a box and a mask."""
    root = tmp_path_factory.mktemp("names") / "p"
    for n, name in enumerate(NAMES):
        write_image(root / name, W, H, seed=n)
    with Store.create(root) as store:
        import_folder(store)
        for img in store.images():
            store.insert_box(BoxRecord(0, img.id, "cat", 4, 4, 40, 30))
            store.add_mask(img.id, "cat", encode_mask(block_mask(5, 5, 30, 20)))
            store.update_image_fields(img.id, {"status": "verified", "split": "train"})
    return root


@pytest.mark.parametrize("fmt", sorted(REFUSED))
def test_a_name_the_file_system_refuses_skips_that_image_and_the_export_goes_on(long_names, fmt, tmp_path, capsys):
    out = tmp_path / "out"
    options = {"voc": ["--format", "voc"], "vocdevkit": ["--format", "voc", "--layout", "vocdevkit"]}.get(
        fmt, ["--format", fmt])
    assert main(["export", str(long_names), *options, "--out", str(out), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    refused = {p["path"]: p["reason"] for p in report["problems"] if "refuses the name" in p["reason"]}
    assert set(refused) == REFUSED[fmt], report["problems"]
    for path, reason in refused.items():  # the note names the file refused, made from the image's name
        assert reason.startswith("skipped: the file system refuses the name '") and "(File name too long)" in reason
        assert PurePosixPath(path).stem in reason
    per_image = 4 if fmt == "augmented" else 1
    assert report["images"] == per_image * (len(NAMES) - len(REFUSED[fmt]))
    names = [p.name for p in out.rglob("*") if p.is_file()]
    assert all(len(n.encode()) <= 255 for n in names)
    if fmt == "labelme":  # the skipped image's JPEG, written before its JSON was refused, is gone again
        assert {n[:-4] for n in names if n.endswith(".jpg")} == {n[:-5] for n in names if n.endswith(".json")}
