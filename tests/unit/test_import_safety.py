"""Import of hostile folders (issue 13 items 3, 12, 13): names that are not UTF-8, folders that cannot be read,
links leading outside the project, damaged PNG data, JPEGs with bytes after their end, JFIF, HEIC and AVIF.
Each gets a plain message naming the file; the rest of the import goes on."""

from __future__ import annotations

import io
import json
import os
import pickle
import shutil
import struct
import tempfile
import zlib
from pathlib import Path

import numpy as np
import pytest
from helpers import write_image
from PIL import Image

from labelstudio_desktop.core.images import probe
from labelstudio_desktop.core.store.store import Store
from labelstudio_desktop.core.transfer.importer import import_folder

NOBODY = 65534


def _import(root: Path):
    with Store.create(root) as store:
        report = import_folder(store)
        return report, sorted(img.path for img in store.images())


def _problems(report) -> dict[str, str]:
    return {p.path: p.reason for p in report.problems}


def test_a_file_name_that_is_not_utf8_is_reported_and_the_rest_imported(tmp_path):
    root = tmp_path / "p"
    write_image(root / "ok.jpg")
    write_image(Path(os.fsdecode(bytes(root) + b"/bad\xff name.jpg")))
    write_image(Path(os.fsdecode(bytes(root) + b"/sub\xfe/in.jpg")))
    report, paths = _import(root)
    assert paths == ["ok.jpg"]
    problems = _problems(report)
    assert "not valid UTF-8" in problems["bad\\xff name.jpg"]
    assert "not valid UTF-8" in problems["sub\\xfe/"]


def _import_as_nobody(root: Path) -> tuple[dict, list[str]]:
    """The import run by an unprivileged user (root reads every folder): in a forked child, results by pipe."""
    Image.init()  # the child cannot read the interpreter's files: load what the import needs first
    os.chown(root, NOBODY, NOBODY)
    for p in root.rglob("*"):
        if p.is_file():
            os.chown(p, NOBODY, NOBODY)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            report, paths = _import(root)
            os.write(write, pickle.dumps((_problems(report), paths)))
        except BaseException as exc:
            os.write(write, pickle.dumps(({"error": repr(exc)}, [])))
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as f:
        data = f.read()
    os.waitpid(pid, 0)
    return pickle.loads(data)


@pytest.fixture
def open_tmp():
    """A temporary folder every user can reach (pytest's own is private to its user)."""
    folder = Path(tempfile.mkdtemp(prefix="import-safety-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder)


def test_unreadable_folders_at_any_depth_are_reported_and_the_rest_imported(open_tmp):
    root = open_tmp / "p"
    write_image(root / "ok.jpg")
    write_image(root / "locked" / "a.jpg")
    write_image(root / "deep" / "locked" / "b.jpg")
    write_image(root / "deep" / "c.jpg")
    for folder in (root / "locked", root / "deep" / "locked"):
        folder.chmod(0)
    try:
        if os.geteuid() == 0:
            problems, paths = _import_as_nobody(root)
        else:
            report, paths = _import(root)
            problems = _problems(report)
    finally:
        for folder in (root / "locked", root / "deep" / "locked"):
            folder.chmod(0o755)
    assert paths == ["deep/c.jpg", "ok.jpg"], problems
    assert "folder cannot be read" in problems["locked/"]
    assert "folder cannot be read" in problems["deep/locked/"]


def test_links_leading_outside_the_project_are_reported_and_skipped(tmp_path):
    root = tmp_path / "p"
    write_image(root / "ok.jpg")
    outside = tmp_path / "elsewhere"
    write_image(outside / "secret.jpg", seed=5)
    (root / "link.jpg").symlink_to(outside / "secret.jpg")
    (root / "linked-folder").symlink_to(outside)
    (root / "inner.jpg").symlink_to(root / "ok.jpg")  # inside the project: an ordinary file
    report, paths = _import(root)
    assert paths == ["inner.jpg", "ok.jpg"]
    problems = _problems(report)
    assert "links outside the project: skipped" in problems["link.jpg"]
    assert "links outside the project: skipped" in problems["linked-folder/"]


def _png(seed: int = 0) -> bytearray:
    rng = np.random.default_rng(seed)
    buf = io.BytesIO()
    Image.fromarray((rng.random((64, 64, 3)) * 255).astype(np.uint8)).save(buf, "PNG")
    return bytearray(buf.getvalue())


def _damage_idat(data: bytearray, fix_crc: bool) -> bytearray:
    at = data.index(b"IDAT")
    length = struct.unpack(">I", data[at - 4:at])[0]
    for k in range(at + 4 + length // 2, at + 4 + length // 2 + 40):
        data[k] ^= 0x5A
    if fix_crc:  # a checksum that matches the damaged bytes: only inflating finds it
        data[at + 4 + length:at + 8 + length] = struct.pack(">I", zlib.crc32(bytes(data[at:at + 4 + length])))
    return data


def test_damaged_png_data_is_flagged_at_import(tmp_path):
    root = tmp_path / "p"
    root.mkdir()
    (root / "good.png").write_bytes(_png())
    (root / "zlib.png").write_bytes(_damage_idat(_png(1), fix_crc=True))
    (root / "crc.png").write_bytes(_damage_idat(_png(2), fix_crc=False))
    report, paths = _import(root)
    assert paths == ["crc.png", "good.png", "zlib.png"]  # imported, with a warning: the intact rows are usable
    problems = {p.path: (p.severity, p.reason) for p in report.problems}
    assert problems["zlib.png"][0] == "warning" and "corrupt PNG data (zlib" in problems["zlib.png"][1]
    assert "corrupt PNG (bad checksum in the IDAT chunk)" in problems["crc.png"][1]
    assert "good.png" not in problems


def _jpeg(**save) -> bytes:
    buf = io.BytesIO()
    rng = np.random.default_rng(0)
    Image.fromarray((rng.random((48, 64, 3)) * 255).astype(np.uint8)).save(buf, "JPEG", **save)
    return buf.getvalue()


def test_a_complete_jpeg_with_bytes_after_its_end_is_not_truncated(tmp_path):
    data = _jpeg()
    (tmp_path / "trailer.jpg").write_bytes(data + b"\x00" * 40 + b"SAMSUNG trailer" * 3)
    assert not probe(tmp_path / "trailer.jpg").warnings
    (tmp_path / "cut.jpg").write_bytes(data[:-300])
    assert any("truncated JPEG" in w for w in probe(tmp_path / "cut.jpg").warnings)


def test_a_truncated_jpeg_is_found_even_when_its_header_holds_an_end_marker(tmp_path):
    data = _jpeg()
    thumbnail = b"Exif\x00\x00" + b"\xff\xd8 a thumbnail \xff\xd9"  # an APP1 block ending like a whole JPEG
    app1 = b"\xff\xe1" + struct.pack(">H", len(thumbnail) + 2) + thumbnail
    (tmp_path / "cut.jpg").write_bytes((data[:2] + app1 + data[2:])[:-300])
    assert any("truncated JPEG" in w for w in probe(tmp_path / "cut.jpg").warnings)


def test_jfif_is_jpeg_and_heic_avif_are_named_unsupported(tmp_path):
    root = tmp_path / "p"
    root.mkdir()
    (root / "photo.jfif").write_bytes(_jpeg())
    (root / "phone.HEIC").write_bytes(b"\x00\x00\x00\x18ftypheic")
    (root / "web.avif").write_bytes(b"\x00\x00\x00\x1cftypavif")
    report, paths = _import(root)
    assert paths == ["photo.jfif"]
    problems = _problems(report)
    assert "HEIC image: this format is not supported" in problems["phone.HEIC"]
    assert "AVIF image: this format is not supported" in problems["web.avif"]


def test_imported_labels_with_line_breaks_or_control_characters_are_refused_by_name(tmp_path):
    from helpers import write_labelimg_xml

    from labelstudio_desktop.core.formats.voc import VocObject

    root = tmp_path / "p"
    a = write_image(root / "a.jpg", 64, 48)
    write_labelimg_xml(root / "a.xml", a, 64, 48, [VocObject("dog\nhound", 1, 1, 20, 20),
                                                   VocObject("nut", 2, 2, 30, 30)])
    with Store.create(root) as store:
        report = import_folder(store, fmt="voc")
        labels = [b.label for img in store.images() for b in store.boxes(img.id)]
    assert labels == ["nut"]
    assert "a.xml: the label 'dog\\nhound' has a line break" in _problems(report)["a.jpg"]

    root = tmp_path / "q"
    b = write_image(root / "b.jpg", 64, 48)
    shapes = [{"label": label, "points": [[1, 1], [20, 20]], "shape_type": "rectangle"} for label in
              ("/tmp/x/\x1b", "bolt")]
    (root / "b.json").write_text(json.dumps({"version": "5.0.1", "imagePath": b.name, "imageHeight": 48,
                                             "imageWidth": 64, "shapes": shapes}))
    with Store.create(root) as store:
        report = import_folder(store, fmt="labelme")
        labels = [b.label for img in store.images() for b in store.boxes(img.id)]
    assert labels == ["bolt"]
    assert "control character (U+001B)" in _problems(report)["b.jpg"]


def test_a_class_folder_whose_name_has_a_control_character_gives_no_class(tmp_path):
    root = tmp_path / "p"
    write_image(root / "cat" / "1.jpg")
    write_image(root / "dog\x1b" / "2.jpg")
    report, _paths = _import(root)
    with Store.open(root) as store:
        assert {img.path: img.label for img in store.images()} == {"cat/1.jpg": "cat", "dog\x1b/2.jpg": None}
    assert "class folder: the label 'dog\\x1b' has a control character" in _problems(report)["dog\x1b/2.jpg"]


def test_boxes_beyond_a_smaller_replacement_image_are_kept_and_set_for_review(tmp_path):
    from mask_files import square

    from labelstudio_desktop.core.store.masks import encode_mask
    from labelstudio_desktop.core.store.store import BoxRecord

    root = tmp_path / "p"
    photo = write_image(root / "a.jpg", 64, 48)
    with Store.create(root) as store:
        import_folder(store)
        image = store.images()[0].id
        outside = store.insert_box(BoxRecord(0, image, "nut", 10, 10, 60, 40))
        inside = store.insert_box(BoxRecord(0, image, "bolt", 2, 2, 20, 20))
        mask_png = encode_mask(square(w=64, h=48, box=(4, 4, 60, 40)))
        mask = store.add_mask(image, "nut", mask_png)
    write_image(photo, 32, 24, seed=3)  # replaced by a smaller picture
    with Store.open(root) as store:
        report = import_folder(store)
        assert report.refreshed == 1
        kept = store.box(outside)
        assert kept.edges == (10, 10, 60, 40) and kept.state == "pending"  # not clipped, not dropped: for review
        assert store.box(inside).state == "accepted"
        assert (store.mask(mask)["state"], bytes(store.mask(mask)["png"])) == ("pending", mask_png)  # not scaled
        note = "the file changed to 32x24: 1 box(es) reach beyond its edges and 1 mask(s) are of the old size"
        assert note in _problems(report)["a.jpg"]
        assert any(note in w for w in store.image(image).warnings)


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def test_a_png_whose_data_inflates_past_its_size_is_flagged_without_inflating_it_all(tmp_path):
    header = struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0)  # 8 x 8 RGB
    bomb = zlib.compress(b"\0" * 50_000_000, 9)  # 50 MB of rows for a 200-byte image
    (tmp_path / "bomb.png").write_bytes(b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", bomb)
                                        + _chunk(b"IEND", b""))
    facts = probe(tmp_path / "bomb.png", check_data=True)
    assert any("more data than the image's size holds" in w for w in facts.warnings)


def test_an_annotation_file_name_that_is_not_utf8_is_shown_escaped(tmp_path):
    root = tmp_path / "p"
    write_image(root / "a.jpg")
    notes = tmp_path / "xml"
    notes.mkdir()
    Path(os.fsdecode(bytes(notes) + b"/orph\xffan.xml")).write_text("<annotation/>")
    with Store.create(root) as store:
        report = import_folder(store, fmt="voc", annotations=notes)
        assert [p.path.rsplit("/", 1)[-1] for p in report.problems] == ["orph\\xffan.xml"]
