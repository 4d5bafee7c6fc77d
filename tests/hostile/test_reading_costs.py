"""What a hostile file costs is bounded by what the program reads, never by what the file claims (issue 22, item 4):
a 1 GB sparse file with a JPEG start is "not an image" from its first bytes, and the masks of an image with hundreds
of regions are held compressed, one decoded mask at a time. Checked by what is read (the kernel's count of bytes
this process read) and allocated (tracemalloc), never by timing."""

from __future__ import annotations

import io
import json
import struct
import tracemalloc
import zlib
from pathlib import Path

import numpy as np
import pytest
from helpers import write_image
from PIL import Image
from test_annotation_readers import named, project, run_import, shown

from labelstudio_desktop.core.formats.masks import MaskProblem, read_mask
from labelstudio_desktop.core.images import ImageProblem, probe

GIGABYTE = 1 << 30
PROC_IO = Path("/proc/self/io")


def bytes_read() -> int:
    """Bytes this process has read from files so far (Linux counts every read call)."""
    return int(next(line for line in PROC_IO.read_text().splitlines() if line.startswith("rchar")).split()[1])


def sparse(path: Path, start: bytes, size: int = GIGABYTE) -> Path:
    """A file of ``size`` bytes that takes no disk: ``start``, then a hole of zeros."""
    with open(path, "wb") as f:
        f.write(start)
        f.truncate(size)
    return path


JFIF_START = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"


def png_start(width: int, height: int) -> bytes:
    body = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(body)) + b"IHDR" + body + \
        struct.pack(">I", zlib.crc32(b"IHDR" + body))


@pytest.mark.skipif(not PROC_IO.exists(), reason="needs Linux's count of bytes read")
@pytest.mark.parametrize("start", [JFIF_START, png_start(64, 48), b"\xff\xd8\xff"], ids=["jfif", "png", "soi"])
def test_a_gigabyte_with_an_image_start_is_not_an_image_from_its_header(tmp_path, start):
    root = project(tmp_path)
    big = sparse(root / "big.jpg", start)
    probe(root / "a.jpg")  # the image plugins are loaded (their files read) before counting
    before = bytes_read()
    with pytest.raises(ImageProblem, match="not an image|unreadable image header"):
        probe(big, check_data=True)
    assert bytes_read() - before < 2 << 20  # the header and the last bytes, not the gigabyte
    report, boxes, _masks = run_import(root)
    assert sorted(boxes) == ["a.jpg", "b.jpg"]
    assert any(p.path == "big.jpg" and p.severity == "error" for p in report.problems), shown(report)


def test_a_jpeg_whose_header_is_longer_than_the_first_read_still_opens(tmp_path):
    """The header is read segment by segment: an ICC profile of several APP2 segments (200 KB) is no problem."""
    path = tmp_path / "icc.jpg"
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(buf, "JPEG", icc_profile=bytes(range(256)) * 800)
    path.write_bytes(buf.getvalue())
    assert buf.getvalue().index(b"\xff\xda") > 65536
    facts = probe(path, check_data=True)
    assert (facts.width, facts.height, facts.format) == (40, 30, "JPEG")


def test_hundreds_of_regions_on_one_image_are_held_compressed(tmp_path):
    """300 small polygons on a 600 x 400 image: every decoded mask held at once would take 72 MB; each is stored
    as a PNG as soon as it is made, so the import's peak stays far below."""
    root = project(tmp_path)
    write_image(root / "big.jpg", 600, 400, seed=3)
    count = 300
    annotations = [{"id": k, "image_id": 1, "category_id": 1, "bbox": [k, 10, 5, 5],
                    "segmentation": [[k, 10, k + 5, 10, k + 5, 15]]} for k in range(1, count + 1)]
    (root / "many.json").write_text(json.dumps({
        "images": [{"id": 1, "file_name": "big.jpg", "width": 600, "height": 400}], "annotations": annotations,
        "categories": [{"id": 1, "name": "speck"}]}))
    tracemalloc.start()
    try:
        report, _boxes, masks = run_import(root, "coco")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(masks["big.jpg"]) == count, shown(report)
    assert peak < 600 * 400 * count / 4, f"peak {peak / 1e6:.0f} MB"


def grey_png_of_zeros(path: Path, width: int, height: int) -> Path:
    """A real 8-bit grey PNG of ``width`` x ``height`` black pixels, compressed row by row (small on disk)."""
    pack = zlib.compressobj(9)
    row = bytes(width + 1)  # the filter byte and the row
    data = b"".join(pack.compress(row) for _ in range(height)) + pack.flush()
    chunk = struct.pack(">I", len(data)) + b"IDAT" + data + struct.pack(">I", zlib.crc32(b"IDAT" + data))
    path.write_bytes(png_start(width, height) + chunk + b"\x00\x00\x00\x00IEND\xaeB`\x82")
    return path


@pytest.mark.skipif(not PROC_IO.exists(), reason="needs Linux's count of bytes read")
def test_a_mask_file_of_another_size_is_refused_before_it_is_decoded(tmp_path):
    """A mask of 12000 x 12000 (144 megapixels, under PIL's own bomb limit) beside a 64 x 48 image: refused from its
    header; its pixel data (100 KB compressed) is never read, its 144 MB never decoded."""
    root = project(tmp_path)
    masks = tmp_path / "masks"
    masks.mkdir()
    Image.fromarray(np.pad(np.ones((16, 20), np.uint8), ((8, 24), (10, 34)))).save(masks / "a.png")
    bomb = grey_png_of_zeros(masks / "b.png", 12000, 12000)
    assert bomb.stat().st_size > 100_000
    read_mask(masks / "a.png")  # the PNG plugin is loaded before counting
    before = bytes_read()
    with pytest.raises(MaskProblem, match="mask is 12000x12000, the image is 64x48"):
        read_mask(bomb, frame=(64, 48))
    assert bytes_read() - before < 50_000
    report, _boxes, found = run_import(root, masks=masks)
    assert found["a.jpg"] == ["object"], shown(report)
    assert named(report, "b.png", "mask is 12000x12000, the image is 64x48"), shown(report)
