"""VOC export: the labelImg layout, VOCdevkit, strict readers, unique ids, and an exact round trip."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from helpers import write_image, write_labelimg_xml
from lxml import etree
from PIL import Image
from strict_readers import keras_yolo3_lines, tf_record_fields
from test_voc import LABELIMG_XML

from labelstudio_desktop.core.formats.voc import VocObject, export_voc
from labelstudio_desktop.core.formats.writing import ExportError, unique_ids
from labelstudio_desktop.core.store.store import BoxRecord, Store
from labelstudio_desktop.core.transfer.importer import import_folder

NUMBER_TAGS = re.compile(rb"<(width|height|depth|xmin|ymin|xmax|ymax|truncated|difficult)>([^<]*)<")


def _numbers(xml: bytes) -> list[tuple[bytes, bytes]]:
    return NUMBER_TAGS.findall(xml)


@pytest.fixture
def project(tmp_path):
    """Two images with the same stem in two folders, a PNG, an EXIF-rotated JPEG, boxes in every state."""
    root = tmp_path / "data"
    write_image(root / "a" / "same.jpg", 100, 80, seed=1)
    write_image(root / "b" / "same.jpg", 100, 80, seed=2)
    write_image(root / "b" / "pic ture.png", 50, 40, seed=3)
    exif = Image.Exif()
    exif[0x0112] = 6
    buf = io.BytesIO()
    Image.new("RGB", (60, 20), (200, 10, 10)).save(buf, "JPEG", exif=exif)
    (root / "b" / "rot.jpg").write_bytes(buf.getvalue())
    store = Store.create(root)
    import_folder(store)
    a = store.image_by_path("a/same.jpg").id
    store.insert_box(BoxRecord(0, a, "bolt", 0, 0, 100, 80, difficult=True))
    store.insert_box(BoxRecord(0, a, "nut", 10, 20, 30, 40, pose="Left", truncated=True))
    store.insert_box(BoxRecord(0, a, "nut", 1, 2, 3, 4, source="proposal", state="pending"))
    store.insert_box(BoxRecord(0, a, "nut", 5, 6, 7, 8, source="proposal", state="rejected"))
    store.update_image_fields(a, {"status": "verified", "split": "train"})
    # images without boxes are exported (as negatives) only when verified
    store.update_image_fields(store.image_by_path("b/same.jpg").id, {"split": "val", "status": "verified"})
    store.update_image_fields(store.image_by_path("b/pic ture.png").id, {"status": "verified"})
    store.update_image_fields(store.image_by_path("b/rot.jpg").id, {"split": "test"})
    store.insert_box(BoxRecord(0, store.image_by_path("b/rot.jpg").id, "nut", 0, 50, 20, 60))
    yield store
    store.close()


def test_labelimg_layout(project, tmp_path):
    out = tmp_path / "out"
    report = export_voc(project, out)
    assert report.images == 4 and report.objects == 3  # pending and rejected left out
    xml = etree.parse(str(out / "a" / "same.xml")).getroot()
    assert xml.get("verified") == "yes"
    assert xml.findtext("filename") == "same.jpg" and xml.findtext("folder") == "a"
    assert xml.findtext("path") == str(project.root / "a" / "same.jpg")
    assert xml.findtext("source/database") == "Unknown" and xml.findtext("segmented") == "0"
    objs = xml.findall("object")
    assert [(o.findtext("name"), o.findtext("pose"), o.findtext("truncated"), o.findtext("difficult"),
             [o.findtext(f"bndbox/{t}") for t in ("xmin", "ymin", "xmax", "ymax")]) for o in objs] == [
        ("bolt", "Unspecified", "0", "1", ["1", "1", "100", "80"]),
        ("nut", "Left", "1", "0", ["11", "21", "30", "40"])]
    assert (out / "b" / "same.xml").is_file()  # same stem, other folder: no collision
    rot = etree.parse(str(out / "b" / "rot.xml")).getroot()
    # labelImg shows the raw 60x20 frame of the photo (EXIF orientation 6): the XML describes that frame
    assert (rot.findtext("size/width"), rot.findtext("size/height"), rot.get("exif_orientation")) == ("60", "20", "6")
    assert [rot.findtext(f"object/bndbox/{t}") for t in ("xmin", "ymin", "xmax", "ymax")] == ["51", "1", "60", "20"]


def test_include_pending(project, tmp_path):
    assert export_voc(project, tmp_path / "out", include_pending=True).objects == 4


def test_existing_files_are_never_silently_overwritten(project, tmp_path):
    out = tmp_path / "out"
    export_voc(project, out)
    mine = out / "a" / "same.xml"
    mine.write_text("my own notes")
    with pytest.raises(ExportError, match="already exist"):
        export_voc(project, out)
    assert mine.read_text() == "my own notes"
    export_voc(project, out, overwrite=True)
    assert mine.read_text().startswith("<annotation")


def test_vocdevkit_layout_is_read_by_strict_readers(project, tmp_path):
    out = tmp_path / "out"
    report = export_voc(project, out, layout="vocdevkit")
    devkit = out / "VOCdevkit"
    base = devkit / "VOC2007"
    ids = sorted(p.stem for p in (base / "Annotations").glob("*.xml"))
    assert len(ids) == 4 and len(set(ids)) == 4
    assert {p.stem for p in (base / "JPEGImages").glob("*.jpg")} == set(ids)
    sets = base / "ImageSets" / "Main"
    assert (sets / "train.txt").read_text().split() == ["a__same", "pic_ture"]  # no split: listed in train
    assert report.unsplit == 1
    assert (sets / "val.txt").read_text().split() == ["b__same"]
    assert (sets / "test.txt").read_text().split() == ["rot"]
    assert sorted((sets / "trainval.txt").read_text().split()) == ["a__same", "b__same", "pic_ture"]
    assert (sets / "nut_train.txt").read_text().split() == ["a__same", "1", "pic_ture", "-1"]
    assert (sets / "bolt_train.txt").read_text().split() == ["a__same", "0", "pic_ture", "-1"]  # difficult only

    classes = ["bolt", "nut"]
    lines = keras_yolo3_lines(devkit, "2007", "train", classes)
    assert lines[0].endswith("JPEGImages/a__same.jpg 11,21,30,40,1")  # difficult bolt skipped
    for ident in ids:
        fields = tf_record_fields(devkit, base / "Annotations" / f"{ident}.xml", {"bolt": 1, "nut": 2})
        assert fields["size"] == fields["actual"]
    rot = tf_record_fields(devkit, base / "Annotations" / "rot.xml", {"bolt": 1, "nut": 2})
    assert rot["size"] == (20, 60)  # re-encoded upright
    assert report.reencoded == 2  # the PNG and the rotated JPEG; plain JPEGs are copied byte for byte
    assert (base / "JPEGImages" / "a__same.jpg").read_bytes() == (project.root / "a" / "same.jpg").read_bytes()
    red = np.asarray(Image.open(base / "JPEGImages" / "rot.jpg"))
    assert red.shape == (60, 20, 3) and red[..., 0].mean() > 150


def test_unverified_images_without_boxes_are_not_exported_as_negatives(project, tmp_path):
    project.update_image_fields(project.image_by_path("b/pic ture.png").id, {"status": "unverified"})
    report = export_voc(project, tmp_path / "out")
    assert report.images == 3 and not (tmp_path / "out" / "b" / "pic ture.xml").exists()
    assert any("1 unverified image(s) without boxes left out" in reason for _p, reason in report.problems)


def test_labelimg_layout_of_a_rotated_photo_imports_back_upright(project, tmp_path):
    out = project.root  # the labelImg layout beside the images: sidecar XMLs
    export_voc(project, tmp_path / "xml")
    (out / "b" / "rot.xml").write_bytes((tmp_path / "xml" / "b" / "rot.xml").read_bytes())
    again = Store.create(out, tmp_path / "again.db")
    import_folder(again)
    assert [b.edges for b in again.boxes(again.image_by_path("b/rot.jpg").id)] == [(0, 50, 20, 60)]
    again.close()


def test_vocdevkit_labelmap_names_the_project_classes(project, tmp_path):
    export_voc(project, tmp_path / "out", layout="vocdevkit")
    lines = (tmp_path / "out" / "VOCdevkit" / "VOC2007" / "labelmap.txt").read_text().splitlines()
    # the object classes of the project's class list, in its order; the image classes (folders a, b) take no id
    assert [line.split(":")[0] for line in lines[1:]] == ["background", "bolt", "nut"]


def test_unique_ids():
    ids = unique_ids(["a/x.jpg", "b/x.jpg", "c/y z.png", "d/ナ.jpg", "e/ナ.jpg", "a__x.jpg"])
    assert len(set(ids.values())) == 6
    assert ids["c/y z.png"] == "y_z"
    assert all(re.fullmatch(r"[A-Za-z0-9._-]+", i) for i in ids.values())


def test_labelimg_round_trip_keeps_every_number_byte_for_byte(tmp_path):
    root = tmp_path / "parts"
    write_image(root / "IMG_0042.jpg", 640, 480)
    (root / "IMG_0042.xml").write_text(LABELIMG_XML)
    img2 = write_image(root / "IMG_0043.jpg", 300, 200, seed=4)
    write_labelimg_xml(root / "IMG_0043.xml", img2, 300, 200, [
        VocObject("washer", 0, 0, 300, 200), VocObject("washer", 10, 10, 11, 11),
        VocObject("nut", 149, 99, 150, 100, "Frontal", False, True)])
    store = Store.create(root)
    import_folder(store)
    out = tmp_path / "out"
    export_voc(store, out)
    for name in ("IMG_0042.xml", "IMG_0043.xml"):
        original, exported = (root / name).read_bytes(), (out / name).read_bytes()
        assert _numbers(exported) == _numbers(original), name
        o, e = etree.fromstring(original), etree.fromstring(exported)
        assert [x.findtext("name") for x in o.iter("object")] == [x.findtext("name") for x in e.iter("object")]
        assert [x.findtext("pose") for x in o.iter("object")] == [x.findtext("pose") for x in e.iter("object")]
        assert o.get("verified") == e.get("verified")
    # and once more: importing the export gives the same boxes
    again = tmp_path / "again"
    again.mkdir()
    for name in ("IMG_0042", "IMG_0043"):
        (again / f"{name}.jpg").write_bytes((root / f"{name}.jpg").read_bytes())
        (again / f"{name}.xml").write_bytes((out / f"{name}.xml").read_bytes())
    store2 = Store.create(again)
    import_folder(store2)
    assert [(b.label, b.edges, b.difficult, b.truncated, b.pose) for b in store2.boxes()] == \
        [(b.label, b.edges, b.difficult, b.truncated, b.pose) for b in store.boxes()]
    store.close()
    store2.close()
