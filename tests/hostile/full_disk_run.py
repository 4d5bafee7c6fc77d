"""Runs the program's commands on a project whose disk is really full, and prints what each gave as JSON.

Run inside a private mount namespace whose ``FOLDER`` is a small tmpfs (``test_disk_and_names.py`` starts it with
``unshare``, so nothing outside the test sees the mount, and it goes away with the test): a project is imported there,
a second folder of images waits for its first import, then a file fills the disk to its last byte. Each command runs in
its own process; then the filler is removed and the project is used again.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent.parent)]  # tests/: the helpers
from helpers import write_image, write_labelimg_xml  # noqa: E402

from labelstudio_desktop.core.formats.voc import VocObject  # noqa: E402


def command(*args: object) -> dict:
    result = subprocess.run([sys.executable, "-m", "labelstudio_desktop", *map(str, args)], capture_output=True,
                            text=True, timeout=120)
    return {"rc": result.returncode, "out": result.stdout, "err": result.stderr}


def fill(folder: Path) -> int:
    """Write one file until the disk refuses a byte more; its size."""
    written = 0
    with open(folder / "filler", "wb", buffering=0) as f:
        for chunk in (1 << 16, 4096, 512, 1):
            while True:
                try:
                    written += f.write(b"\0" * chunk)
                except OSError:
                    break
    return written


def main(folder: Path) -> None:
    project, waiting = folder / "p", folder / "q"
    for n in range(3):
        image = write_image(project / f"{n}.jpg", 64, 48, seed=n)
        write_labelimg_xml(project / f"{n}.xml", image, 64, 48, [VocObject("cat", 4, 4, 40, 30)])
        write_image(waiting / f"{n}.jpg", 64, 48, seed=n)
    runs = {"import": command("import", project)}
    runs["filled"] = {"rc": 0, "out": str(fill(folder)), "err": ""}
    runs["info full"] = command("info", project)
    runs["import full"] = command("import", project)
    runs["first import full"] = command("import", waiting)
    runs["export full"] = command("export", project, "--format", "yolo", "--out", folder / "out")
    (folder / "filler").unlink()
    runs["import freed"] = command("import", project)
    runs["info freed"] = command("info", project, "--json")
    print(json.dumps(runs))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
