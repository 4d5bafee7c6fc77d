"""Import: layouts, bad input reported per file, incremental re-import that never loses annotations."""

from __future__ import annotations

import io
import os
import pickle

import numpy as np
import pytest
from helpers import jpeg_bytes, write_cifar, write_image, write_labelimg_xml
from PIL import Image

from labelstudio_desktop.core.editing.commands import AddBox, History, SetImageFields
from labelstudio_desktop.core.formats.voc import VocObject
from labelstudio_desktop.core.store.store import BoxRecord, Store
from labelstudio_desktop.core.transfer.importer import ImportFailed, import_folder


def _import(root, **kw):
    store = Store.create(root)
    return store, import_folder(store, **kw)


def test_flat_folder(tmp_path):
    write_image(tmp_path / "a.jpg")
    write_image(tmp_path / "sub" / "b.png", 30, 20)
    store, report = _import(tmp_path)
    assert report.format == "flat" and report.added == 2
    b = store.image_by_path("sub/b.png")
    assert (b.width, b.height, b.label) == (30, 20, None)
    store.close()


def test_class_folders_and_split_folders(tmp_path):
    for split in ("train", "validation"):
        for cls in ("cat", "dog"):
            write_image(tmp_path / split / cls / f"{cls}1.jpg")
    store, report = _import(tmp_path)
    assert report.format == "classes"
    rows = {i.path: (i.label, i.split) for i in store.images()}
    assert rows["train/cat/cat1.jpg"] == ("cat", "train")
    assert rows["validation/dog/dog1.jpg"] == ("dog", "val")
    store.close()


def test_labelimg_sidecar_xml(tmp_path):
    img = write_image(tmp_path / "parts" / "p1.jpg", 100, 80)
    write_labelimg_xml(img.with_suffix(".xml"), img, 100, 80,
                       [VocObject("bolt", 0, 0, 40, 30, "Left", True, False), VocObject("nut", 50, 40, 100, 80)],
                       verified=True)
    write_image(tmp_path / "parts" / "p2.jpg")
    store, report = _import(tmp_path)
    assert report.format == "voc" and report.boxes == 2
    p1 = store.image_by_path("parts/p1.jpg")
    assert p1.status == "verified"
    boxes = store.boxes(p1.id)
    assert [(b.label, b.edges, b.source, b.state) for b in boxes] == [
        ("bolt", (0, 0, 40, 30), "imported", "accepted"), ("nut", (50, 40, 100, 80), "imported", "accepted")]
    assert boxes[0].pose == "Left" and boxes[0].truncated
    store.close()


def test_separate_annotations_folder_matched_by_stem(tmp_path):
    images, anns = tmp_path / "imgs", tmp_path / "anns"
    img = write_image(images / "a.jpg", 100, 80)
    write_image(images / "x" / "dup.jpg")
    write_image(images / "y" / "dup.jpg")
    write_labelimg_xml(anns / "a.xml", img, 100, 80, [VocObject("nut", 1, 2, 3, 4)])
    write_labelimg_xml(anns / "dup.xml", img, 64, 48, [VocObject("nut", 1, 2, 3, 4)])
    write_labelimg_xml(anns / "orphan.xml", img, 100, 80, [VocObject("nut", 1, 2, 3, 4)])
    store, report = _import(images, annotations=anns)
    assert report.format == "voc" and report.boxes == 1  # only a.xml: dup.xml could belong to either dup.jpg
    assert [b.label for b in store.boxes(store.image_by_path("a.jpg").id)] == ["nut"]
    assert any("ambiguous" in w for w in store.image_by_path("x/dup.jpg").warnings)
    assert any(p.path.endswith("orphan.xml") and "without a matching image" in p.reason for p in report.problems)
    store.close()


def test_vocdevkit_with_splits(tmp_path):
    year = tmp_path / "VOCdevkit" / "VOC2012"
    for i in range(3):
        img = write_image(year / "JPEGImages" / f"00000{i}.jpg", 50, 40, seed=i)
        write_labelimg_xml(year / "Annotations" / f"00000{i}.xml", img, 50, 40, [VocObject("dog", 5, 5, 20, 20)])
    write_image(year / "JPEGImages" / "000009.jpg", 50, 40, seed=9)
    main = year / "ImageSets" / "Main"
    main.mkdir(parents=True)
    (main / "train.txt").write_text("000000\n")
    (main / "val.txt").write_text("000001\n")
    (main / "trainval.txt").write_text("000000\n000001\n000009\n")
    (main / "test.txt").write_text("000002\n")
    store, report = _import(tmp_path)
    assert report.format == "vocdevkit"
    splits = {i.path.rsplit("/", 1)[1]: i.split for i in store.images()}
    assert splits == {"000000.jpg": "train", "000001.jpg": "val", "000002.jpg": "test", "000009.jpg": "train"}
    assert report.boxes == 3
    store.close()


def test_cifar_batches(tmp_path):
    write_cifar(tmp_path / "cifar-10-batches-py")
    store, report = _import(tmp_path)
    assert report.format == "cifar" and report.added == 12
    images = store.images()
    assert {i.label for i in images} == {"cat", "dog", "ship"}
    assert {i.split for i in images} == {"train", "test"}
    assert all((i.width, i.height) == (32, 32) for i in images)
    # the pixels of the PNG are the batch's planes, R then G then B
    with open(tmp_path / "cifar-10-batches-py" / "data_batch_1", "rb") as f:
        row = pickle.load(f, encoding="bytes")[b"data"][0]
    first = sorted(i.path for i in images if "data_batch_1" in i.path)[0]
    png = np.asarray(Image.open(tmp_path / first))
    assert (png.transpose(2, 0, 1).reshape(-1) == row).all()
    store.close()


@pytest.mark.parametrize("view, planes", [("above", slice(0, 3)), ("side", slice(6, 9))])
def test_cifar_three_view_batches(tmp_path, view, planes):
    write_cifar(tmp_path, planes=9)
    store, report = _import(tmp_path, view=view)
    assert report.added == 12
    with open(tmp_path / "data_batch_1", "rb") as f:
        row = pickle.load(f, encoding="bytes")[b"data"][0].reshape(9, 32, 32)
    first = sorted(i.path for i in store.images() if "data_batch_1" in i.path)[0]
    png = np.asarray(Image.open(tmp_path / first)).transpose(2, 0, 1)
    assert (png == row[planes]).all()
    store.close()


def test_malicious_pickle_is_refused_and_never_run(tmp_path):
    write_cifar(tmp_path)
    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    with open(tmp_path / "data_batch_2", "wb") as f:
        pickle.dump({b"data": Evil(), b"labels": [0]}, f)
    store, report = _import(tmp_path)
    assert not marker.exists()
    assert any(p.path.endswith("data_batch_2") and p.severity == "error" and "refused" in p.reason
               for p in report.problems)
    assert report.added == 12  # the good batches still came in
    store.close()


def test_every_bad_input_is_reported_and_the_rest_imported(tmp_path):
    write_image(tmp_path / "good.jpg")
    (tmp_path / "empty.jpg").write_bytes(b"")
    (tmp_path / "readme.jpg").write_text("not an image")
    data = jpeg_bytes(200, 150)
    (tmp_path / "cut.jpg").write_bytes(data[: len(data) // 2])
    write_image(tmp_path / "cmyk.jpg").unlink()
    Image.new("CMYK", (20, 20), (0, 100, 0, 0)).save(tmp_path / "cmyk.jpg")
    Image.fromarray((np.arange(400).reshape(20, 20) * 100).astype(np.uint16)).save(tmp_path / "deep.png")
    Image.new("RGBA", (20, 20)).save(tmp_path / "alpha.png")
    Image.new("L", (20, 20)).save(tmp_path / "gray.png")
    write_image(tmp_path / "été_ナット.png")
    Image.new("1", (12000, 12000)).save(tmp_path / "bomb.png")
    (tmp_path / "dangling.jpg").symlink_to(tmp_path / "missing-target.jpg")
    store, report = _import(tmp_path)
    reasons = {p.path: (p.severity, p.reason) for p in report.problems}
    assert reasons["empty.jpg"][0] == "error" and "empty file" in reasons["empty.jpg"][1]
    assert reasons["readme.jpg"][0] == "error" and "not an image" in reasons["readme.jpg"][1]
    assert reasons["bomb.png"][0] == "error" and "decompression bomb" in reasons["bomb.png"][1]
    assert reasons["dangling.jpg"][0] == "error" and "cannot read" in reasons["dangling.jpg"][1]
    assert reasons["cut.jpg"][0] == "warning" and "truncated" in reasons["cut.jpg"][1]
    assert "CMYK" in reasons["cmyk.jpg"][1] and "16-bit" in reasons["deep.png"][1]
    assert "alpha" in reasons["alpha.png"][1]
    imported = {i.path for i in store.images()}
    assert imported == {"good.jpg", "cut.jpg", "cmyk.jpg", "deep.png", "alpha.png", "gray.png", "été_ナット.png"}
    assert "truncated" in store.image_by_path("cut.jpg").warnings[0]
    assert len(store.import_problems()) == len(report.problems)
    store.close()


def test_nothing_importable_raises_nothing_and_reports(tmp_path):
    (tmp_path / "a.jpg").write_bytes(b"")
    store, report = _import(tmp_path)
    assert report.imported == 0 and report.errors
    store.close()


def test_unknown_format_is_refused(tmp_path):
    store = Store.create(tmp_path)
    with pytest.raises(ImportFailed, match="unknown format"):
        import_folder(store, fmt="tfrecord")
    store.close()


def test_reimport_is_incremental_and_keeps_annotations(tmp_path):
    a = write_image(tmp_path / "cat" / "a.jpg", 60, 40)
    write_image(tmp_path / "cat" / "b.jpg")
    write_image(tmp_path / "dog" / "c.jpg")
    store, report = _import(tmp_path)
    assert report.added == 3
    img_a = store.image_by_path("cat/a.jpg")
    h = History(store)
    h.push(AddBox(BoxRecord(0, img_a.id, "whisker", 1, 1, 20, 20)))
    h.push(SetImageFields(store, img_a.id, label="lion", value=2.0, status="verified", split="test"))

    write_image(a, 60, 40, seed=5)  # changed content
    os.utime(a, (1e9, 1e9))
    (tmp_path / "dog" / "c.jpg").unlink()  # vanished
    write_image(tmp_path / "dog" / "d.jpg")  # new
    report = import_folder(store)
    assert (report.added, report.refreshed, report.unchanged, report.missing) == (1, 1, 1, 1)
    again = store.image_by_path("cat/a.jpg")
    assert (again.label, again.value, again.status, again.split) == ("lion", 2.0, "verified", "test")
    assert again.mtime == 1e9
    assert [b.edges for b in store.boxes(again.id)] == [(1, 1, 20, 20)]
    assert store.image_by_path("dog/c.jpg").missing

    write_image(tmp_path / "dog" / "c.jpg")  # comes back
    report = import_folder(store)
    assert not store.image_by_path("dog/c.jpg").missing
    assert report.added == 0
    store.close()


def test_reimport_does_not_duplicate_voc_boxes(tmp_path):
    img = write_image(tmp_path / "p.jpg", 100, 80)
    write_labelimg_xml(tmp_path / "p.xml", img, 100, 80, [VocObject("bolt", 0, 0, 40, 30)])
    store, _ = _import(tmp_path)
    import_folder(store)
    assert len(store.boxes()) == 1
    store.close()


def test_voc_boxes_outside_the_image_are_clipped_with_a_warning(tmp_path):
    img = write_image(tmp_path / "p.jpg", 100, 80)
    write_labelimg_xml(tmp_path / "p.xml", img, 100, 80,
                       [VocObject("bolt", 90, 70, 120, 95), VocObject("nut", 200, 200, 210, 210)])
    store, report = _import(tmp_path)
    assert [b.edges for b in store.boxes()] == [(90, 70, 100, 80)]
    warnings = store.image_by_path("p.jpg").warnings
    assert any("clipped" in w for w in warnings) and any("outside" in w for w in warnings)
    store.close()


def test_hostile_xml_next_to_an_image_does_not_stop_the_import(tmp_path):
    img = write_image(tmp_path / "p.jpg", 100, 80)
    img.with_suffix(".xml").write_text(
        '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><annotation>&x;</annotation>')
    write_image(tmp_path / "q.jpg")
    store, report = _import(tmp_path)
    assert report.added == 2 and report.boxes == 0
    assert any("DTD" in w for w in store.image_by_path("p.jpg").warnings)
    store.close()


def test_read_only_image_folder_with_db_elsewhere(tmp_path):
    images = tmp_path / "ro"
    write_image(images / "a.jpg")
    os.chmod(images, 0o555)
    try:
        store = Store.create(images, tmp_path / "db" / "p.db")
        assert import_folder(store).added == 1
        store.close()
    finally:
        os.chmod(images, 0o755)
    assert not (images / ".labelstudio").exists()


def test_exif_size_is_upright_in_the_store(tmp_path):
    exif = Image.Exif()
    exif[0x0112] = 8
    buf = io.BytesIO()
    Image.new("RGB", (90, 30)).save(buf, "JPEG", exif=exif)
    (tmp_path / "r.jpg").write_bytes(buf.getvalue())
    store, _ = _import(tmp_path)
    r = store.image_by_path("r.jpg")
    assert (r.width, r.height) == (30, 90)
    store.close()


def test_class_folders_with_voc_annotations_keep_both(tmp_path):
    for cls in ("cat", "dog"):
        img = write_image(tmp_path / cls / f"{cls}1.jpg", 64, 48)
        write_labelimg_xml(img.with_suffix(".xml"), img, 64, 48, [VocObject(cls, 1, 1, 10, 10)])
    store, report = _import(tmp_path)
    assert report.format == "voc" and report.boxes == 2
    assert {i.path: i.label for i in store.images()} == {"cat/cat1.jpg": "cat", "dog/dog1.jpg": "dog"}
    store.close()
