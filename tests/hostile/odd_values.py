"""A project whose database holds odd values (issue 22, item 3): a real project (real images, boxes and masks,
written by the program), then values written into its ``project.db`` with ``sqlite3`` as a damaged or crafted file
would hold them: warnings that are not JSON, a mask that is a real 30000x30000 PNG bomb, mask blobs that are text or
a number, runs whose process id is text and whose history is not JSON, settings that are not JSON.

:func:`png_bomb` writes the bomb without ever holding its pixels: a real PNG (valid chunks, CRCs and zlib stream) of
less than a megabyte that decodes to ``width * height`` bytes.
"""

from __future__ import annotations

import sqlite3
import struct
import zlib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
from helpers import write_image

from labelstudio_desktop.core.store.masks import encode_mask
from labelstudio_desktop.core.store.store import BoxRecord, Store
from labelstudio_desktop.core.transfer.importer import import_folder

W, H = 64, 48
#: Every image of the project, each with an accepted box and a valid mask.
IMAGES = ("a.jpg", "b.jpg", "c.jpg")
BOMB_SIDE = 30_000


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@cache
def png_bomb(width: int = BOMB_SIDE, height: int = BOMB_SIDE, rows: int = 1000) -> bytes:
    """A grey 8-bit PNG of ``width x height`` zeros. Its zlib stream is one block of ``rows`` zero rows, compressed
    once and repeated (each ends with a full flush, so the copies are identical), an empty final block and the
    Adler-32 of all the zeros (1 + n * 65536, modulo)."""
    assert height % rows == 0
    unit = bytes((width + 1) * rows)  # a filter byte (0) and the row's zeros, ``rows`` times
    c = zlib.compressobj(9)
    first = c.compress(unit) + c.flush(zlib.Z_FULL_FLUSH)  # starts with the zlib header
    repeated = c.compress(unit) + c.flush(zlib.Z_FULL_FLUSH)
    n = (width + 1) * height
    stream = first + repeated * (height // rows - 1) + b"\x03\x00" + struct.pack(">I", ((n % 65521) << 16) | 1)
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", stream) + _chunk(b"IEND", b"")


def block_mask(x0: int, y0: int, x1: int, y1: int) -> np.ndarray:
    mask = np.zeros((H, W), np.uint8)
    mask[y0:y1, x0:x1] = 1
    return mask


@dataclass
class OddProject:
    root: Path
    db: Path
    images: dict[str, int] = field(default_factory=dict)  # path -> image id
    valid_masks: dict[str, int] = field(default_factory=dict)  # path -> id of its valid mask
    odd_masks: dict[str, int] = field(default_factory=dict)  # what it holds -> mask id
    runs: dict[str, int] = field(default_factory=dict)  # what is odd about it -> run id

    def sql(self, statement: str, args: tuple = ()) -> int:
        """Run one statement on the database as a foreign program would (no checks); the new row's id."""
        c = sqlite3.connect(self.db, isolation_level=None)
        c.execute("PRAGMA ignore_check_constraints=ON")
        try:
            return int(c.execute(statement, args).lastrowid or 0)
        finally:
            c.close()


def odd_project(tmp_path: Path) -> OddProject:
    """The project (see the module's docstring): ``a.jpg``'s warnings are not JSON, ``b.jpg`` holds the bomb and
    ``c.jpg`` a text and a number where PNGs belong, beside each image's valid mask; three odd runs and two odd
    settings."""
    root = tmp_path / "p"
    for n, name in enumerate(IMAGES):
        write_image(root / name, W, H, seed=n)
    with Store.create(root) as store:
        import_folder(store)
        project = OddProject(root, store.db_path)
        for n, img in enumerate(store.images()):
            project.images[img.path] = img.id
            store.insert_box(BoxRecord(0, img.id, "cat", 4, 4, 40, 30))
            project.valid_masks[img.path] = store.add_mask(img.id, "cat", encode_mask(block_mask(5 + n, 5, 30, 20)))
            store.update_image_fields(img.id, {"status": "verified", "split": "train"})
    ids = project.images
    project.sql("UPDATE images SET warnings=? WHERE id=?", ('{"not json', ids["a.jpg"]))
    mask = "INSERT INTO masks(image_id, label, png, source, state, created_at) VALUES(?, 'dog', ?, 'manual', " \
           "'accepted', 0)"
    project.odd_masks["bomb"] = project.sql(mask, (ids["b.jpg"], png_bomb()))
    project.odd_masks["text"] = project.sql(mask, (ids["c.jpg"], "not a png"))
    project.odd_masks["number"] = project.sql(mask, (ids["c.jpg"], 10 ** 12))  # bytes() of it: a terabyte
    run = "INSERT INTO runs(task, params, history, status, started_at) VALUES('detect', ?, ?, 'running', ?)"
    project.runs["pid text"] = project.sql(run, ('{"_pid": "twelve", "_host": null}', '{"loss": [0.5]}', 1.0))
    project.runs["not json"] = project.sql(run, ("{params", "[history", "yesterday"))
    project.runs["history of words"] = project.sql(run, ('{"_pid": 0}', '{"loss": [1, "x"], "val_loss": [2]}', 1.0))
    project.sql("INSERT OR REPLACE INTO settings(key, value) VALUES('class_keys', '[not json')")
    project.sql("INSERT OR REPLACE INTO settings(key, value) VALUES('object_classes', '[\"cat\", 7, [1]]')")
    return project
